import { randomUUID } from 'node:crypto';
import { newEvent } from '@qc/shared/events';
import { eventually } from '@qc/shared/testing';
import type { ProductServiceUnderTest } from '../fixtures';
import { aDeliveredOrder, anOrder, byId, startSalesUnderTest, type OrderEvents } from '../order-events';

interface Shelved {
  id: string;
  reason: 'bought_together' | 'popular_in_category';
  boughtTogether?: number;
}

/**
 * "Often bought together" from order-service's events through the real broker (`../order-events`:
 * each test publishes its events under one key and waits for a last order of its own, so every
 * earlier event has been consumed and the cached reads dropped; every expectation is about this
 * file's own products).
 */
describe('often bought together', () => {
  let t: ProductServiceUnderTest;
  let events: OrderEvents;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ t, events, stop } = await startSalesUnderTest('product_recommendations'));
  }, 60_000);

  afterAll(() => stop?.(), 30_000);

  const recommendations = (idOrSlug: string, query: Record<string, string | number> = {}) =>
    t.api().get(`/api/v1/products/${idOrSlug}/recommendations`).query(query);

  /** The shelf under a product: `[id, reason, orders bought together]` per row. */
  const shelfOf = async (productId: string, query: Record<string, string | number> = {}) => {
    const res = await recommendations(productId, query);
    expect(res.status).toBe(200);
    return (res.body.data as Shelved[]).map((p) => [p.id, p.reason, p.boughtTogether]);
  };

  /** The events of a delivered order of one product, `units` of it. */
  const anOrderOf = (line: [string, number]) => {
    const order = anOrder([line]);
    return [order.confirmed, order.completed];
  };

  /** Products each in a category of its own, so no shelf is filled up with popular ones. */
  const loneProducts = async (count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(...(await events.newProducts(1)));
    return ids;
  };

  it('when an order’s events are redelivered or retold, then its pairs count once, whatever the quantities', async () => {
    const [milk, bread, eggs] = (await loneProducts(3)) as [string, string, string];
    const order = anOrder([
      [milk, 2],
      [bread, 1],
      [milk, 1],
      [eggs, 6],
    ]);
    const retold = newEvent('order-service', 'order.completed', order.completed.data, { subject: order.completed.subject });
    await events.popularityAfter([], order.confirmed, order.completed, order.confirmed, order.completed, retold, order.confirmed);
    expect(await shelfOf(milk)).toEqual(byId(bread, eggs).map((id) => [id, 'bought_together', 1]));
    expect(await shelfOf(bread)).toEqual(byId(milk, eggs).map((id) => [id, 'bought_together', 1]));
  }, 30_000);

  it('when an order is cancelled, before or after (out of order) its delivery, then its pairs count nothing', async () => {
    const [chips, soda, dip] = (await loneProducts(3)) as [string, string, string];
    const early = anOrder([
      [chips, 1],
      [soda, 1],
    ]);
    const late = anOrder([
      [chips, 1],
      [dip, 1],
    ]);
    await events.popularityAfter(
      [],
      ...[early.confirmed, early.cancelled, early.completed, late.confirmed, late.completed, late.cancelled],
    );
    expect(await shelfOf(chips)).toEqual([]);
    expect(await shelfOf(dip)).toEqual([]);
  }, 30_000);

  it('when asked for a product, then those bought with it in the most orders come first, ties by id, at most limit', async () => {
    const [tea, a, b, c, d] = (await loneProducts(5)) as [string, string, string, string, string];
    await events.popularityAfter(
      [],
      ...aDeliveredOrder(tea, a),
      ...aDeliveredOrder(tea, a, b),
      ...aDeliveredOrder(a, tea),
      ...aDeliveredOrder(tea, c),
      ...aDeliveredOrder(c, tea, d),
      ...aDeliveredOrder(b, c),
    );
    const [tiedFirst, tiedSecond] = byId(b, d) as [string, string];
    const ranked = [
      [a, 'bought_together', 3],
      [c, 'bought_together', 2],
      [tiedFirst, 'bought_together', 1],
      [tiedSecond, 'bought_together', 1],
    ];
    expect(await shelfOf(tea)).toEqual(ranked);
    expect(await shelfOf(tea, { limit: 3 })).toEqual(ranked.slice(0, 3));
    expect(await shelfOf(tea, { limit: 1 })).toEqual(ranked.slice(0, 1));
    expect((await recommendations(tea, { limit: 3 })).body.meta).toEqual({ limit: 3 });
    // Pairs count for both products; b and c were also bought together once without tea.
    expect(await shelfOf(c)).toEqual([[tea, 'bought_together', 2], ...byId(b, d).map((id) => [id, 'bought_together', 1])]);
  }, 30_000);

  it('when a product bought together is inactive or deleted, then it is left out and the next one takes its place', async () => {
    const [bun, jam, butter, honey] = (await loneProducts(4)) as [string, string, string, string];
    await events.popularityAfter([], ...aDeliveredOrder(bun, jam), ...aDeliveredOrder(bun, jam), ...aDeliveredOrder(bun, butter, honey));
    expect(await shelfOf(bun, { limit: 2 })).toEqual([
      [jam, 'bought_together', 2],
      ...byId(butter, honey)
        .slice(0, 1)
        .map((id) => [id, 'bought_together', 1]),
    ]);

    const current = (await t.api().get(`/api/v1/products/${jam}`)).body.data as { version: number };
    const patch = await t
      .api()
      .patch(`/api/v1/products/${jam}`)
      .set('authorization', t.admin())
      .send({ version: current.version, active: false });
    expect(patch.status).toBe(200);
    const [gone, kept] = byId(butter, honey) as [string, string];
    expect((await t.api().delete(`/api/v1/products/${gone}`).set('authorization', t.admin())).status).toBe(204);
    expect(await shelfOf(bun, { limit: 2 })).toEqual([[kept, 'bought_together', 1]]);
    expect(await shelfOf(bun, { limit: 1 })).toEqual([[kept, 'bought_together', 1]]);
  }, 30_000);

  it('when a product was bought with too few others, then the shelf is filled with its category’s most popular products, marked so', async () => {
    const categoryId = await events.newCategory();
    const [pasta, sauce, cheese, basil] = (await events.newProducts(4, categoryId)) as [string, string, string, string];
    const [elsewhere] = await loneProducts(1);
    // cheese sells 5, pasta 3, sauce and basil 1; sauce is the one bought with pasta, with a product of another category.
    await events.popularityAfter(
      [],
      ...anOrderOf([cheese, 5]),
      ...anOrderOf([basil, 1]),
      ...aDeliveredOrder(pasta, sauce),
      ...aDeliveredOrder(pasta, elsewhere!),
      ...aDeliveredOrder(pasta, elsewhere!),
    );
    expect(await shelfOf(pasta)).toEqual([
      [elsewhere, 'bought_together', 2],
      [sauce, 'bought_together', 1],
      [cheese, 'popular_in_category', undefined],
      [basil, 'popular_in_category', undefined],
    ]);
    expect(await shelfOf(pasta, { limit: 3 })).toEqual([
      [elsewhere, 'bought_together', 2],
      [sauce, 'bought_together', 1],
      [cheese, 'popular_in_category', undefined],
    ]);
    // Nobody bought basil with anything: its shelf is its category's best sellers, itself left out.
    expect(await shelfOf(basil)).toEqual([
      [cheese, 'popular_in_category', undefined],
      [pasta, 'popular_in_category', undefined],
      [sauce, 'popular_in_category', undefined],
    ]);
  }, 30_000);

  it('when a shelf was cached, then a sale shows in it, under a new ETag, within a refresh', async () => {
    const [rice, dal] = (await loneProducts(2)) as [string, string];
    const cached = await recommendations(rice);
    expect(cached.body.data).toEqual([]);
    const etag = cached.headers.etag as string;
    expect((await recommendations(rice).set('if-none-match', etag)).status).toBe(304);

    await events.publish(randomUUID(), ...aDeliveredOrder(rice, dal));
    const fresh = await eventually(async () => {
      const res = await recommendations(rice).set('if-none-match', etag);
      return res.status === 200 && res;
    });
    expect(fresh.headers.etag).not.toBe(etag);
    expect(fresh.body.data.map((p: Shelved) => [p.id, p.reason, p.boughtTogether])).toEqual([[dal, 'bought_together', 1]]);
  }, 30_000);

  it('when the product is unknown or inactive, then it is a 404; its slug finds it like its id', async () => {
    const [product, hidden] = (await loneProducts(2)) as [string, string];
    const missing = await recommendations(randomUUID());
    expect(missing.status).toBe(404);
    expect(missing.body.errorCode).toBe('PRODUCT_NOT_FOUND');
    expect((await recommendations('no-such-product')).status).toBe(404);

    const version = (await t.api().get(`/api/v1/products/${hidden}`)).body.data.version as number;
    await t.api().patch(`/api/v1/products/${hidden}`).set('authorization', t.admin()).send({ version, active: false });
    expect((await recommendations(hidden)).status).toBe(404);

    const slug = (await t.api().get(`/api/v1/products/${product}`)).body.data.slug as string;
    const bySlug = await recommendations(slug);
    expect(bySlug.status).toBe(200);
    expect(bySlug.body).toEqual({ success: true, data: [], meta: { limit: 10 } });
  });

  it.each([
    [{ limit: 0 }, 'query.limit'],
    [{ limit: 51 }, 'query.limit'],
    [{ limit: 'ten' }, 'query.limit'],
    [{ storeId: 'store-1' }, 'query.storeId'],
    [{ lat: 12.9 }, 'query.lat'],
    [{ sort: 'price_asc' }, 'query'],
  ])('when the query is %j, then it is a 400 naming it', async (query, path) => {
    const [product] = (await loneProducts(1)) as [string];
    const res = await recommendations(product, query);
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path)).toContain(path);
  });
});
