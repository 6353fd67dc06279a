/**
 * `npm run demo:orders -- [--orders 60] [--customers N] [--concurrency N] [--seed N]`: customers
 * shopping on the running fleet, through its gateway (simulator.ts), then a summary. `make run`
 * starts it once the fleet is up (DEMO_ORDERS orders, 60 by default; 0 for none), so the analytics
 * dashboard has something to show; run it again for more. Exit 1 when an order did not end as
 * planned.
 *
 * It acts as the demo admin (demo-admin.ts) for the admin moves (pack, dispatch, deliver).
 * GATEWAY_URL: default http://127.0.0.1:8080.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { signInAsDemoAdmin } from './demo-admin.ts';
import { demoCityPlaces, describeSimulation, simulateOrders } from './simulator.ts';

const root = resolve(import.meta.dirname, '../..');
const usage = 'usage: npm run demo:orders -- [--orders 60] [--customers N] [--concurrency N] [--seed N]';

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number above 0\n${usage}`);
    process.exit(2);
  }
  return n;
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        orders: { type: 'string', default: '60' },
        customers: { type: 'string' },
        concurrency: { type: 'string' },
        seed: { type: 'string' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
})();
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';

async function main(): Promise<void> {
  const adminToken = await signInAsDemoAdmin(gateway, 'npm run demo:orders', (line) => console.log(line));
  const summary = await simulateOrders({
    gateway,
    adminToken,
    orders: positive('orders', values.orders)!,
    customers: positive('customers', values.customers),
    concurrency: positive('concurrency', values.concurrency),
    seed: positive('seed', values.seed),
    places: demoCityPlaces(resolve(root, 'demo/city.json')),
    // Generous: a fleet just started may still be reading its topics' history when the first orders come.
    waitMs: 120_000,
    log: (line) => console.log(line),
  });
  console.log(describeSimulation(summary));
  if (summary.unexpected.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`demo orders failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
