/**
 * `npm run demo:history -- [--days 3] [--orders-per-day 100]`: the demo city's past days of orders
 * (history.ts) imported into analytics-service through the gateway, so the dashboard shows days and
 * not only the current hour. `make run` runs it once the fleet is up, before the order simulator.
 * Running it again the same day imports nothing new (every id comes from the day and the order's
 * number); a later day adds the days since.
 *
 * It reads the stores (inventory-service), their zones (location-service) and the catalog
 * (product-service) through the gateway, acting as the demo admin (../demo-orders/demo-admin.ts), and
 * posts the events in batches to `POST /api/v1/analytics/events/import`: into analytics only, never
 * onto the fleet's topics, where payment-, delivery- and notification-service would act on them.
 * GATEWAY_URL: default http://127.0.0.1:8080. Exit 1 when the import failed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CatalogEvent } from '@qc/shared/events';
import { signInAsDemoAdmin } from '../demo-orders/demo-admin.ts';
import { buildHistory, type HistoryProduct, type HistoryStore, type HistoryZone } from './history.ts';

const root = resolve(import.meta.dirname, '../..');
const usage = 'usage: npm run demo:history -- [--days 3] [--orders-per-day 100]';
/** What one import request carries at most: within the fleet's default body limit (100 kB) and the endpoint's 500 events. */
const BATCH_BYTES = 90_000;
const BATCH_EVENTS = 500;

function whole(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}\n${usage}`);
    process.exit(2);
  }
  return n;
}

const { values } = (() => {
  try {
    return parseArgs({ options: { days: { type: 'string', default: '3' }, 'orders-per-day': { type: 'string', default: '100' } } });
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
})();
const days = whole('days', values.days, 1, 60);
const ordersPerDay = whole('orders-per-day', values['orders-per-day'], 1, 2_000);
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';

interface Page<T> {
  data: T[];
  meta: { nextCursor: string | null };
}

/** One call through the gateway; a 429 or 503 is waited out (Retry-After, at most 5 s) and sent again. */
async function call<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${gateway}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if ((res.status === 429 || res.status === 503) && attempt < 6) {
      await new Promise((r) => setTimeout(r, Math.min(5, Number(res.headers.get('retry-after') ?? 1)) * 1000));
      continue;
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 2_000)}`);
    return JSON.parse(text) as T;
  }
}

async function all<T>(path: string, token: string): Promise<T[]> {
  const items: T[] = [];
  for (let cursor: string | null = null; ;) {
    const separator = path.includes('?') ? '&' : '?';
    const page: Page<T> = await call<Page<T>>(
      'GET',
      `${path}${separator}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      token,
    );
    items.push(...page.data);
    cursor = page.meta.nextCursor;
    if (!cursor) return items;
  }
}

/** Batches within the request's limits, in time order. */
function batchesOf(events: CatalogEvent[]): CatalogEvent[][] {
  const batches: CatalogEvent[][] = [];
  let batch: CatalogEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = JSON.stringify(event).length + 1;
    if (batch.length > 0 && (bytes + size > BATCH_BYTES || batch.length >= BATCH_EVENTS)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(event);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

async function main(): Promise<void> {
  const started = Date.now();
  const token = await signInAsDemoAdmin(gateway, 'npm run demo:history', (line) => console.log(line));
  const city = JSON.parse(readFileSync(resolve(root, 'demo/city.json'), 'utf8')) as { timezone: string };

  const stores = await all<Omit<HistoryStore, 'zones'> & { active: boolean }>('/api/v1/stores', token);
  const zones = await all<{ id: string; storeId: string; active: boolean; polygon: { coordinates: [number, number][][] } }>(
    '/api/v1/zones',
    token,
  );
  const products = await all<{ id: string; price: { amount: number }; popularity: number; active: boolean }>('/api/v1/products', token);
  const world = {
    timeZone: city.timezone,
    stores: stores
      .filter((s) => s.active)
      .map((s) => ({
        id: s.id,
        lat: s.lat,
        lng: s.lng,
        opensAt: s.opensAt,
        closesAt: s.closesAt,
        preparationMinutes: s.preparationMinutes,
        zones: zones.filter((z) => z.active && z.storeId === s.id).map((z): HistoryZone => ({ id: z.id, ring: z.polygon.coordinates[0]! })),
      })),
    products: products.filter((p) => p.active).map((p): HistoryProduct => ({ id: p.id, price: p.price.amount, popularity: p.popularity })),
  };
  if (world.stores.length === 0 || world.products.length === 0) {
    throw new Error(`the fleet has ${world.stores.length} active stores and ${world.products.length} products: run make seed first`);
  }

  const history = buildHistory(world, { days, ordersPerDay, now: new Date() });
  const orders = Object.values(history.orders).reduce((a, b) => a + b, 0);
  console.log(
    `demo history: ${orders} orders of ${history.days[0]} to ${history.days.at(-1)} (${city.timezone}) at ${world.stores.length} stores, ` +
      `${history.events.length} events, importing into analytics-service`,
  );
  let imported = 0;
  let known = 0;
  for (const batch of batchesOf(history.events)) {
    const answer = await call<{ data: { imported: number; alreadyKnown: number } }>('POST', '/api/v1/analytics/events/import', token, {
      events: batch,
    });
    imported += answer.data.imported;
    known += answer.data.alreadyKnown;
  }
  const fates = Object.entries(history.orders)
    .filter(([, n]) => n > 0)
    .map(([fate, n]) => `${fate} ${n}`)
    .join(', ');
  console.log(`  orders   ${fates}`);
  console.log(`  events   ${imported} imported, ${known} known already, in ${Math.round((Date.now() - started) / 1000)} s`);
}

main().catch((err: unknown) => {
  console.error(`demo history failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
