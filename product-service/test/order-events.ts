import { randomUUID } from 'node:crypto';
import { newEvent, type CatalogEvent } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { eventually, testKafka, type ServiceUnderTestOptions } from '@qc/shared/testing';
import { aProduct, startProductService, unique, type ProductServiceUnderTest } from './fixtures';

/** One order's events as order-service tells them, for lines of `[product, units]`. */
export function anOrder(lines: [string, number][], deliveredAt = new Date()) {
  const orderId = randomUUID();
  const userId = randomUUID();
  const subject = { subject: orderId };
  return {
    confirmed: newEvent(
      'order-service',
      'order.confirmed',
      { orderId, userId, storeId: randomUUID(), items: lines.map(([productId, quantity]) => ({ productId, quantity })) },
      subject,
    ),
    completed: newEvent('order-service', 'order.completed', { orderId, userId, deliveredAt: deliveredAt.toISOString() }, subject),
    cancelled: newEvent('order-service', 'order.cancelled', { orderId, userId, reason: 'CUSTOMER_CANCELLED', paid: true }, subject),
  };
}

/** The confirmed and delivered events of an order of one unit of each product. */
export const aDeliveredOrder = (...productIds: string[]): CatalogEvent[] => {
  const order = anOrder(productIds.map((id) => [id, 1]));
  return [order.confirmed, order.completed];
};

/** Ties are listed by id. */
export const byId = (...ids: string[]) => [...ids].sort();

/**
 * order-service's events published to the real broker for a product-service under test, and its
 * own products to sell. order.events is shared with other suites: a test speaks only of its own
 * products, and publishes all its events under one message key, so they share a partition and are
 * consumed in the order sent.
 */
export async function orderEventsFor(t: ProductServiceUnderTest, clientId: string) {
  const producer = testKafka(clientId).producer();
  await producer.connect();

  const publish = (key: string, ...events: CatalogEvent[]) =>
    producer.send({ topic: eventsTopic('order-service'), messages: events.map((e) => ({ key, value: JSON.stringify(e) })) });

  const newCategory = async () =>
    (
      await t
        .api()
        .post('/api/v1/categories')
        .set('authorization', t.admin())
        .send({ name: `Sold ${unique()}` })
    ).body.data.id as string;

  /** `count` new products, in `categoryId` or a category of their own. */
  const newProducts = async (count: number, categoryId?: string) => {
    categoryId ??= await newCategory();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await t
        .api()
        .post('/api/v1/products')
        .set('authorization', t.admin())
        .send(aProduct([categoryId]));
      expect(res.status).toBe(201);
      ids.push(res.body.data.id);
    }
    return ids;
  };

  /** Popularity per product, read through the API (and so through its cache). */
  const popularityOf = async (ids: string[]) => {
    const res = await t
      .api()
      .get('/api/v1/products')
      .query({ ids: ids.join(','), limit: 100 });
    expect(res.status).toBe(200);
    return Object.fromEntries((res.body.data as { id: string; popularity: number }[]).map((p) => [p.id, p.popularity]));
  };

  /**
   * Publishes `events` in turn, then a delivered order of a product of its own, all under one key;
   * once that order shows (so every earlier event was consumed, and the refresh that showed it has
   * dropped the cached reads), answers the popularity of `ids`, read at that moment.
   */
  const popularityAfter = async (ids: string[], ...events: CatalogEvent[]) => {
    const [control] = (await newProducts(1)) as [string];
    await publish(randomUUID(), ...events, ...aDeliveredOrder(control));
    return eventually(async () => {
      const seen = await popularityOf([control, ...ids]);
      return seen[control] === 1 && seen;
    });
  };

  return { publish, newCategory, newProducts, popularityOf, popularityAfter, disconnect: () => producer.disconnect() };
}

export type OrderEvents = Awaited<ReturnType<typeof orderEventsFor>>;

/**
 * product-service for a test file of sales: popularity (and with it the cached reads) refreshed
 * every 200 ms instead of every minute, order events to sell its products, and how to stop both.
 */
export async function startSalesUnderTest(
  label: string,
  beforeStart?: ServiceUnderTestOptions['beforeStart'],
): Promise<{ t: ProductServiceUnderTest; events: OrderEvents; stop: () => Promise<void> }> {
  const t = await startProductService(label, { POPULARITY_REFRESH_MS: '200' }, beforeStart);
  const events = await orderEventsFor(t, `${label}-test`).catch(async (err: unknown) => {
    await t.stop();
    throw err;
  });
  return {
    t,
    events,
    stop: async () => {
      await events.disconnect();
      await t.stop();
    },
  };
}
