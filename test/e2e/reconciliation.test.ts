import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '@qc/shared/testing';
import { demoCityPlaces, describeSimulation, simulateOrders, type SimulationSummary } from '../../scripts/demo-orders/simulator.ts';
import { startFleetUnderTest, type FleetUnderTest } from './fleet-under-test';

/**
 * Issue 16: "reconciliation 0 difference after an e2e run of 200 orders with cancellations and
 * refunds". The demo's order simulator (the one `make run` starts) drives a fleet of this file's own
 * through the gateway: 200 orders by wallet, card and UPI at the sandbox PSP (some declined) and cash
 * on delivery, some cancelled before paying, after confirmation (refunded) or by an admin once
 * packed, the rest delivered with order-service's admin moves. Once analytics-service shows what the
 * simulator saw, `npm run analytics:reconcile` (the command, with an admin's token) compares its
 * rollups order by order with order-service's delivered orders and inventory-service's ledger: no
 * difference, on figures that are not trivially zero.
 *
 * Its own fleet on ports 20080–20090 (the PSP on 20099) and a namespace of its own.
 */
const PORT_OFFSET = 12_000;
const ORDERS = 200;
const root = resolve(__dirname, '../..');
/** The simulator's and the reconciliation's reports, for whoever runs the suite to see the figures. */
const print = (text: string) => process.stdout.write(`${text}\n`);

interface Overview {
  ordersPlaced: number;
  ordersDelivered: number;
  gmv: number;
  cancelled: number;
  refunded: number;
}
interface Figure {
  analytics: number;
  source: number;
  difference: number;
}

/** The figures of the reconciliation's report (analytics-service's describeReconciliation). */
function figuresOf(report: string): Record<'gmv' | 'unitsSold' | 'unitsReturned', Figure> {
  const figure = (label: string): Figure => {
    const match = new RegExp(`^${label}\\s+analytics\\s+(-?\\d+)\\s+source\\s+(-?\\d+)\\s+difference\\s+(-?\\d+)$`, 'm').exec(report);
    if (!match) throw new Error(`no "${label}" line in the report:\n${report}`);
    return { analytics: Number(match[1]), source: Number(match[2]), difference: Number(match[3]) };
  };
  return { gmv: figure('GMV \\(paise\\)'), unitsSold: figure('units sold'), unitsReturned: figure('units returned') };
}

describe('analytics reconciles with the source services after 200 simulated orders', () => {
  let fut: FleetUnderTest;
  let admin = '';
  let summary: SimulationSummary;
  const places = demoCityPlaces(resolve(root, 'demo/city.json'));

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
    const res = await fetch(`${fut.gateway}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, data: ((await res.json()) as { data: T }).data };
  }

  /** `npm run analytics:reconcile` as an operator runs it: the service's environment and an admin's token; its report and exit code. */
  async function runReconcile(): Promise<{ code: number; report: string }> {
    const env = { ...fut.fleet.envOf('analytics-service'), ACCESS_TOKEN: admin };
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [resolve(root, 'analytics-service/dist/cli/reconcile.js')], { env });
      return { code: 0, report: stdout.trim() };
    } catch (err) {
      const failed = err as Error & { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, report: `${failed.stdout ?? ''}${failed.stderr ?? ''}`.trim() };
    }
  }

  beforeAll(async () => {
    fut = await startFleetUnderTest({ portOffset: PORT_OFFSET, logs: 'e2e-reconciliation' });
    // The demo data, as `make run` seeds it (Makefile SEEDS, in that order).
    for (const service of ['product-service', 'inventory-service', 'location-service']) await fut.command(service, 'seed-demo.js');

    const adminEmail = `e2e-admin-${randomUUID()}@example.com`;
    await fut.command('user-service', 'create-admin.js', [adminEmail, 'e2e admin passphrase']);
    const login = await fetch(`${fut.gateway}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: adminEmail, password: 'e2e admin passphrase' }),
    });
    admin = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;

    // The seeded stores close for a few hours at night: open them around the clock in this run's
    // own data, so the run does not depend on the hour (location-service learns it from inventory's event).
    const stores = (await call<{ id: string }[]>('GET', '/api/v1/stores?limit=100')).data;
    expect(stores).toHaveLength(places.length);
    for (const store of stores) {
      expect((await call('PATCH', `/api/v1/stores/${store.id}`, { opensAt: '00:00', closesAt: '00:00' })).status).toBe(200);
    }
    await eventually(
      async () => {
        for (const place of places) {
          const here = await call<{ open: boolean }>('GET', `/api/v1/locations/serviceability?lat=${place.lat}&lng=${place.lng}`);
          if (!here.data.open) return false;
        }
        return true;
      },
      20_000,
      250,
    );
  }, 240_000);

  afterAll(async () => {
    await fut?.stop();
  }, 120_000);

  it('when the simulator places 200 orders through the gateway, then each ends as planned: delivered, declined, cancelled before paying, or cancelled after and refunded', async () => {
    summary = await simulateOrders({
      gateway: fut.gateway,
      adminToken: admin,
      orders: ORDERS,
      places,
      customers: 8,
      seed: 16,
      log: print,
    });
    print(describeSimulation(summary));

    expect(summary.unexpected).toEqual([]);
    expect({ placed: summary.placed, refused: summary.refused, skipped: summary.skipped }).toEqual({
      placed: ORDERS,
      refused: {},
      skipped: null,
    });
    expect(summary.storeIds).toHaveLength(places.length);
    expect(Object.values(summary.byMethod).every((n) => n > 0)).toBe(true);
    // Every way an order ends is there, more than once.
    for (const reason of ['CUSTOMER_CANCELLED', 'ADMIN_CANCELLED', 'PAYMENT_FAILED']) expect(summary.cancelled[reason]).toBeGreaterThan(1);
    expect(summary.delivered.orders).toBeGreaterThan(ORDERS / 2);
    expect(summary.delivered.gmv).toBeGreaterThan(0);
    expect(summary.refunds.orders).toBeGreaterThan(1);
    expect(summary.refunds.toWallet).toBeGreaterThan(0);
    expect(summary.refunds.amount).toBeGreaterThan(summary.refunds.toWallet);
    expect(summary.unitsReturned).toBeGreaterThan(0);
    expect(summary.unitsSold).toBe(summary.delivered.units + summary.unitsReturned);
  }, 600_000);

  it('when analytics has caught up, then npm run analytics:reconcile finds no difference in GMV and units against order-service and inventory-service', async () => {
    expect(summary).toBeDefined();
    const cancelled = Object.values(summary.cancelled).reduce((a, b) => a + b, 0);
    // Caught up: the rollups show what the simulator saw happen.
    const expected = {
      ordersPlaced: ORDERS,
      ordersDelivered: summary.delivered.orders,
      gmv: summary.delivered.gmv,
      cancelled,
      refunded: summary.refunds.amount,
    };
    let seen: Overview | undefined;
    try {
      await eventually(
        async () => {
          seen = (await call<{ rows: [Overview] }>('GET', '/api/v1/analytics/overview')).data.rows[0];
          return (Object.keys(expected) as (keyof typeof expected)[]).every((k) => seen?.[k] === expected[k]);
        },
        60_000,
        500,
      );
    } catch (err) {
      throw new Error(`analytics did not catch up: expected ${JSON.stringify(expected)}, saw ${JSON.stringify(seen)}`, { cause: err });
    }

    // The ledger is written by inventory-service's own consumer: the report settles at 0 once it too has every event.
    let last = { code: -1, report: '' };
    try {
      await eventually(
        async () => {
          last = await runReconcile();
          return last.code === 0;
        },
        60_000,
        1_000,
      );
    } catch (err) {
      throw new Error(`reconciliation did not reach 0 (exit ${last.code}):\n${last.report}`, { cause: err });
    }
    print(last.report);
    expect(last.report).toMatch(/^no difference$/m);
    const figures = figuresOf(last.report);
    expect(figures.gmv).toEqual({ analytics: summary.delivered.gmv, source: summary.delivered.gmv, difference: 0 });
    expect(figures.unitsSold).toEqual({ analytics: summary.unitsSold, source: summary.unitsSold, difference: 0 });
    expect(figures.unitsReturned).toEqual({ analytics: summary.unitsReturned, source: summary.unitsReturned, difference: 0 });
  }, 180_000);
});
