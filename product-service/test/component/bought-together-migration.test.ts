import { randomUUID } from 'node:crypto';
import { createDataSource, migrate, newId } from '@qc/shared/db';
import { newEvent, Outbox } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { rootQuery, type TestSchema } from '@qc/shared/testing';
import { Catalog1763856000000 } from '../../src/data/migrations/1763856000000-catalog';
import { Sales1766300000000 } from '../../src/data/migrations/1766300000000-sales';
import type { NewProduct } from '../../src/domain/products';
import { seedCatalog } from '../../src/domain/seed-catalog';
import { aProduct, unique, type ProductServiceUnderTest } from '../fixtures';
import { startSalesUnderTest, type OrderEvents } from '../order-events';

/**
 * The migration that adds "often bought together" gives the orders already counted in units sold
 * their pairs, by the consumer's own rule, so a cancellation told after it takes back exactly what
 * was added. The schema is brought to the migration before it and given sales as the consumer
 * kept them; then the service starts and runs it.
 */
describe('often bought together, for the sales counted before it existed', () => {
  /** More products than an order's pairs are drawn from (30), in id order. */
  const products = Array.from({ length: 32 }, () => newId()).sort();
  const [first, second] = products as [string, string];
  const paired = products.slice(0, 30);
  const unpaired = products.slice(30);
  const delivered = { orderId: randomUUID(), lines: products };
  /** Confirmed, not delivered: it sold nothing yet. */
  const pending = { orderId: randomUUID(), lines: unpaired };
  const today = new Date().toISOString().slice(0, 10);
  let t: ProductServiceUnderTest;
  let events: OrderEvents;
  let stop: () => Promise<void>;

  /** The schema as the service left it before the migration: the catalog and the sales it counted. */
  async function salesBeforeTheMigration(schema: TestSchema): Promise<void> {
    const dataSource = createDataSource({ url: schema.url, poolSize: 2, migrations: [Catalog1763856000000, Sales1766300000000] });
    await dataSource.initialize();
    try {
      await migrate(dataSource);
      const outbox = new Outbox(dataSource, eventsTopic('product-service'));
      const categoryId = newId();
      await seedCatalog(
        { dataSource, write: (work) => outbox.transaction(work), changed: async () => undefined },
        {
          categories: [{ id: categoryId, parentId: null, name: `Before ${unique()}`, position: 0 }],
          products: products.map((id) => ({ ...(aProduct([categoryId]) as unknown as NewProduct), id })),
        },
      );
    } finally {
      await dataSource.destroy();
    }
    const lines = (ids: string[]) => JSON.stringify(ids.map((productId) => ({ productId, quantity: 1 })));
    await rootQuery(
      `INSERT INTO \`${schema.name}\`.order_sales (order_id, sale_lines, delivered_on, cancelled, counted) VALUES (?, ?, ?, 0, 1), (?, ?, NULL, 0, 0)`,
      [delivered.orderId, lines(delivered.lines), today, pending.orderId, lines(pending.lines)],
    );
    await rootQuery(`INSERT INTO \`${schema.name}\`.units_sold_daily (product_id, sold_on, units) VALUES ?`, [
      products.map((id) => [id, today, 1]),
    ]);
  }

  beforeAll(async () => {
    ({ t, events, stop } = await startSalesUnderTest('product_pairs_migration', salesBeforeTheMigration));
  }, 60_000);

  afterAll(() => stop?.(), 30_000);

  /** The products on a product's shelf because they were bought with it, and in how many orders. */
  const boughtWith = async (productId: string) => {
    const res = await t.api().get(`/api/v1/products/${productId}/recommendations`).query({ limit: 50 });
    expect(res.status).toBe(200);
    return (res.body.data as { id: string; reason: string; boughtTogether?: number }[])
      .filter((p) => p.reason === 'bought_together')
      .map((p) => [p.id, p.boughtTogether]);
  };

  it('when the migration ran, then a counted order’s first 30 products are paired and nothing else is', async () => {
    expect(await boughtWith(first)).toEqual(paired.slice(1).map((id) => [id, 1]));
    expect(await boughtWith(second)).toEqual(paired.filter((id) => id !== second).map((id) => [id, 1]));
    for (const id of unpaired) expect(await boughtWith(id)).toEqual([]);
  });

  it('when an order counted before the migration is cancelled, then its pairs are taken back, no more and no less', async () => {
    const cancelled = newEvent(
      'order-service',
      'order.cancelled',
      { orderId: delivered.orderId, userId: randomUUID(), reason: 'CUSTOMER_CANCELLED', paid: true },
      { subject: delivered.orderId },
    );
    expect(await events.popularityAfter([first], cancelled)).toMatchObject({ [first]: 0 });
    for (const id of [first, second, ...unpaired]) expect(await boughtWith(id)).toEqual([]);
    const [rows] = (await rootQuery(
      `SELECT COUNT(*) AS pairs, SUM(orders <> 0) AS counted FROM \`${t.schema.name}\`.bought_together_daily`,
    )) as { pairs: number; counted: number | null }[];
    // Every pair the migration added is there, at zero: not one more, not one less.
    expect({ pairs: Number(rows!.pairs), counted: Number(rows!.counted ?? 0) }).toEqual({ pairs: (30 * 29) / 2, counted: 0 });
  }, 30_000);
});
