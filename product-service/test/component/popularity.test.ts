import { randomUUID } from 'node:crypto';
import { newEvent } from '@qc/shared/events';
import { eventually } from '@qc/shared/testing';
import type { ProductServiceUnderTest } from '../fixtures';
import { anOrder, byId, startSalesUnderTest, type OrderEvents } from '../order-events';

interface Listed {
  id: string;
  popularity: number;
  version: number;
  updatedAt: string;
}

/**
 * Popularity from order-service's events through the real broker (`../order-events`: each test
 * publishes its events under one key, so once the last one shows, every earlier one has been
 * consumed; every expectation is about this file's own products).
 */
describe('popularity from delivered orders', () => {
  let t: ProductServiceUnderTest;
  let events: OrderEvents;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ t, events, stop } = await startSalesUnderTest('product_popularity'));
  }, 60_000);

  afterAll(() => stop?.(), 30_000);

  const newProducts = (count: number, categoryId?: string) => events.newProducts(count, categoryId);
  const popularityAfter: typeof events.popularityAfter = (ids, ...published) => events.popularityAfter(ids, ...published);

  it('when events are redelivered, or a delivery is told twice, then each order counts once', async () => {
    const [milk, bread] = (await newProducts(2)) as [string, string];
    const order = anOrder([
      [milk, 2],
      [bread, 1],
      [milk, 1],
    ]);
    const retold = newEvent('order-service', 'order.completed', order.completed.data, { subject: order.completed.subject });
    const shown = await popularityAfter(
      [milk, bread],
      ...[order.confirmed, order.completed, order.confirmed, order.completed, retold, order.confirmed],
    );
    expect(shown).toMatchObject({ [milk]: 3, [bread]: 1 });
  }, 30_000);

  it('when the delivery is told before the order lines, then the order counts once they arrive', async () => {
    const [eggs] = (await newProducts(1)) as [string];
    const order = anOrder([[eggs, 4]]);
    expect(await popularityAfter([eggs], order.completed, order.confirmed)).toMatchObject({ [eggs]: 4 });
  }, 30_000);

  it('when an order is cancelled, before or after (out of order) its other events, then it counts nothing', async () => {
    const [chips, soda] = (await newProducts(2)) as [string, string];
    const early = anOrder([[chips, 5]]);
    const late = anOrder([[soda, 7]]);
    const shown = await popularityAfter(
      [chips, soda],
      ...[early.confirmed, early.cancelled, early.completed, late.confirmed, late.completed, late.cancelled],
    );
    expect(shown).toMatchObject({ [chips]: 0, [soda]: 0 });
  }, 30_000);

  it('when an order was delivered more than 30 days ago, then it counts nothing; 29 days ago, it still counts', async () => {
    const [old, recent] = (await newProducts(2)) as [string, string];
    const day = 86_400_000;
    const longAgo = anOrder([[old, 6]], new Date(Date.now() - 31 * day));
    const lately = anOrder([[recent, 3]], new Date(Date.now() - 29 * day));
    const shown = await popularityAfter([old, recent], longAgo.confirmed, longAgo.completed, lately.confirmed, lately.completed);
    expect(shown).toMatchObject({ [old]: 0, [recent]: 3 });
  }, 30_000);

  it('when sorted by popularity, then the best sellers come first, ties by id, over pages that neither repeat nor skip; sales leave version and updatedAt alone', async () => {
    const categoryId = await events.newCategory();
    const [a, b, c, d, e, f] = (await newProducts(6, categoryId)) as [string, string, string, string, string, string];
    const before = (await t.api().get('/api/v1/products').query({ category: categoryId })).body.data as Listed[];
    const sold: [string, number][] = [
      [c, 3],
      [a, 2],
      [e, 2],
      [f, 2],
    ];
    await popularityAfter(
      [],
      ...sold.flatMap((line) => {
        const order = anOrder([line]);
        return [order.confirmed, order.completed];
      }),
    );

    const pages: Listed[][] = [];
    let cursor: string | undefined;
    do {
      const res = await t
        .api()
        .get('/api/v1/products')
        .query({ category: categoryId, sort: 'popularity', limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      pages.push(res.body.data);
      cursor = res.body.meta.nextCursor ?? undefined;
    } while (cursor);
    const expected = [c, ...byId(a, e, f), ...byId(b, d)];
    expect(pages.map((page) => page.length)).toEqual([2, 2, 2]);
    expect(pages.flat().map((p) => p.id)).toEqual(expected);
    expect(pages.flat().map((p) => p.popularity)).toEqual([3, 2, 2, 2, 0, 0]);
    // The default order without q is popularity too.
    const byDefault = await t.api().get('/api/v1/products').query({ category: categoryId });
    expect(byDefault.body.data.map((p: Listed) => p.id)).toEqual(expected);
    for (const product of before) {
      expect(pages.flat().find((p) => p.id === product.id)).toMatchObject({ version: product.version, updatedAt: product.updatedAt });
    }

    expect((await t.api().get('/api/v1/products').query({ category: categoryId, sort: 'bestsellers' })).status).toBe(400);
  }, 60_000);

  it('when a listing sorted by popularity was cached, then a sale shows in it, under a new ETag, within a refresh', async () => {
    const categoryId = await events.newCategory();
    // The one listed second (same popularity, later id) is the one sold.
    const [first, second] = byId(...(await newProducts(2, categoryId))) as [string, string];
    const listing = () => t.api().get('/api/v1/products').query({ category: categoryId, sort: 'popularity' });
    const cached = await listing();
    expect(cached.body.data.map((p: Listed) => p.id)).toEqual([first, second]);
    const etag = cached.headers.etag as string;
    expect((await listing().set('if-none-match', etag)).status).toBe(304);

    const order = anOrder([[second, 1]]);
    await events.publish(randomUUID(), order.confirmed, order.completed);

    const fresh = await eventually(async () => {
      const res = await listing().set('if-none-match', etag);
      return res.status === 200 && res;
    });
    expect(fresh.headers.etag).not.toBe(etag);
    expect(fresh.body.data.map((p: Listed) => [p.id, p.popularity])).toEqual([
      [second, 1],
      [first, 0],
    ]);
  }, 30_000);
});
