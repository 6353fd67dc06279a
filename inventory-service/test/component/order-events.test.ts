import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { newEvent, parseEvent, type CatalogEvent, type EventData } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { outboxEvents, eventually, skipHistory, testKafka } from '@qc/shared/testing';
import { reserveForOrder } from '../../src/domain/reservations';
import { reservationSweeper } from '../../src/service';
import { createStore, restockVia, startInventoryService, type InventoryUnderTest } from '../fixtures';

/**
 * The checkout saga's inventory steps through the real broker: contract-valid order events are
 * published to order.events, the service consumes them, and its answers are read back from
 * inventory.events (what order-service will see) and through the admin API.
 */
describe('order events through Kafka', () => {
  let inventory: InventoryUnderTest;
  let producer: Producer;
  let tail: Consumer;
  const published: CatalogEvent[] = [];
  const price = { amount: 4500, currency: 'INR' as const };

  beforeAll(async () => {
    // The service's own sweeper every 200 ms: it leaves the 10-minute holds of order.created alone,
    // and expires a short hold the test makes well within the test's deadline.
    inventory = await startInventoryService({ label: 'inventory_orders', env: { RESERVATION_SWEEP_INTERVAL_MS: '200' } });
    producer = testKafka('inventory-order-events-test').producer();
    await producer.connect();
    const groupId = `test.inventory-tail.${inventory.schema.name}`;
    await skipHistory(groupId, [eventsTopic('inventory-service')]);
    tail = testKafka('inventory-tail').consumer({ groupId, maxWaitTimeInMs: 200 });
    await tail.connect();
    await tail.subscribe({ topics: [eventsTopic('inventory-service')] });
    await tail.run({ eachMessage: async ({ message }) => void published.push(parseEvent(message.value)) });
  }, 90_000);

  afterAll(async () => {
    await tail?.disconnect();
    await producer?.disconnect();
    await inventory?.stop();
  }, 30_000);

  const publish = (...events: CatalogEvent[]) =>
    producer.send({ topic: eventsTopic('order-service'), messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
  const orderCreated = (storeId: string, items: { productId: string; quantity: number }[], orderId = randomUUID()) =>
    newEvent(
      'order-service',
      'order.created',
      {
        orderId,
        userId: randomUUID(),
        storeId,
        items: items.map((i) => ({ ...i, unitPrice: price })),
        total: { amount: price.amount * items.reduce((n, i) => n + i.quantity, 0), currency: 'INR' },
        paymentMethod: 'UPI',
      },
      { subject: orderId },
    );
  const orderConfirmed = (created: CatalogEvent<'order.created'>) => {
    const { orderId, userId, storeId, items } = created.data;
    const data: EventData<'order.confirmed'> = {
      orderId,
      userId,
      storeId,
      items: items.map(({ productId, quantity }) => ({ productId, quantity })),
    };
    return newEvent('order-service', 'order.confirmed', data, { subject: orderId, causedBy: created });
  };
  const orderCancelled = (created: CatalogEvent<'order.created'>) =>
    newEvent(
      'order-service',
      'order.cancelled',
      { orderId: created.data.orderId, userId: created.data.userId, reason: 'CUSTOMER_CANCELLED', paid: false },
      { subject: created.data.orderId, causedBy: created },
    );
  /** The events inventory-service published about an order (or a product), once `count` of them are there. */
  const answers = (subject: string, count = 1, timeoutMs = 30_000) =>
    eventually(async () => {
      const found = published.filter((e) => e.subject === subject);
      return found.length >= count && found;
    }, timeoutMs);
  const stockOf = async (storeId: string, productId: string) =>
    (await inventory.api().get(`/api/v1/inventory/stores/${storeId}/stock/${productId}`).set('authorization', inventory.admin)).body.data;
  const reservationsOf = async (orderId: string) =>
    (await inventory.api().get('/api/v1/inventory/reservations').query({ orderId }).set('authorization', inventory.admin)).body.data;

  it('when order.created arrives, then the stock is held and inventory.reserved answers it in the same saga', async () => {
    const store = await createStore(inventory);
    const [milk, eggs] = [randomUUID(), randomUUID()];
    await restockVia(inventory, store.id, milk, 10);
    await restockVia(inventory, store.id, eggs, 6);
    const created = orderCreated(store.id, [
      { productId: milk, quantity: 2 },
      { productId: eggs, quantity: 6 },
    ]);
    await publish(created);

    const [reserved] = await answers(created.data.orderId);
    expect(reserved).toMatchObject({
      type: 'inventory.reserved',
      source: '/inventory-service',
      correlationid: created.correlationid,
      causationid: created.id,
      data: { orderId: created.data.orderId, storeId: store.id, expiresAt: expect.any(String) },
    });
    const data = reserved!.data as EventData<'inventory.reserved'>;
    expect([...data.items].sort((a, b) => a.quantity - b.quantity)).toEqual([
      { productId: milk, quantity: 2 },
      { productId: eggs, quantity: 6 },
    ]);
    expect(new Date(data.expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(await stockOf(store.id, milk)).toMatchObject({ onHand: 10, reserved: 2, available: 8 });
    expect(await stockOf(store.id, eggs)).toMatchObject({ onHand: 6, reserved: 6, available: 0 });
    // The last eggs are held: out of stock is announced, keyed by the product.
    expect((await answers(eggs, 3)).map((e) => e.type)).toEqual(['inventory.updated', 'inventory.updated', 'inventory.out_of_stock']);
  }, 60_000);

  it('when the same order.created arrives twice, and again as a new event, then the stock is held once', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 10);
    const created = orderCreated(store.id, [{ productId: product, quantity: 3 }]);
    const sameOrderAgain = newEvent('order-service', 'order.created', created.data, { subject: created.subject });
    // The confirmation shares the order's partition, so once it is handled the duplicates have been too.
    await publish(created, created, sameOrderAgain, orderConfirmed(created));

    await eventually(async () => (await reservationsOf(created.data.orderId))[0]?.status === 'COMMITTED', 30_000);
    expect(await reservationsOf(created.data.orderId)).toHaveLength(1);
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 7, reserved: 0 });
    const written = (await outboxEvents(inventory.schema)).filter((e) => e.subject === created.data.orderId);
    expect(written.map((e) => e.type)).toEqual(['inventory.reserved']);
    expect((await answers(created.data.orderId)).map((e) => e.type)).toEqual(['inventory.reserved']);
  }, 60_000);

  it('when order.confirmed arrives, then the stock leaves the shelf and inventory.updated says so', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 20);
    const created = orderCreated(store.id, [{ productId: product, quantity: 5 }]);
    await publish(created, orderConfirmed(created));

    const updates = await eventually(async () => {
      const found = published.filter((e) => e.subject === product && e.type === 'inventory.updated');
      return found.some((e) => (e.data as EventData<'inventory.updated'>).reason === 'sale') && found;
    }, 30_000);
    expect(updates.map((e) => e.data)).toEqual([
      { storeId: store.id, productId: product, onHand: 20, reserved: 0, reason: 'restock' },
      { storeId: store.id, productId: product, onHand: 20, reserved: 5, reason: 'reserved' },
      { storeId: store.id, productId: product, onHand: 15, reserved: 0, reason: 'sale' },
    ]);
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 15, reserved: 0, available: 15 });
  }, 60_000);

  it('when order.cancelled arrives for a held order, then the stock is released and inventory.released answers it', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 4);
    const created = orderCreated(store.id, [{ productId: product, quantity: 4 }]);
    const cancelled = orderCancelled(created);
    await publish(created, cancelled, cancelled);

    const [reserved, released] = await answers(created.data.orderId, 2);
    expect(released).toMatchObject({
      type: 'inventory.released',
      causationid: cancelled.id,
      correlationid: created.correlationid,
      data: { orderId: created.data.orderId, reservationId: (reserved!.data as EventData<'inventory.reserved'>).reservationId },
    });
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    expect((await reservationsOf(created.data.orderId))[0]).toMatchObject({ status: 'RELEASED' });
    const written = (await outboxEvents(inventory.schema)).filter((e) => e.subject === created.data.orderId);
    expect(written.map((e) => e.type)).toEqual(['inventory.reserved', 'inventory.released']);
  }, 60_000);

  it('when an order asks for more than the store has, then inventory.reservation_failed lists the shortfall per line', async () => {
    const store = await createStore(inventory);
    const [plenty, scarce, unknown] = [randomUUID(), randomUUID(), randomUUID()];
    await restockVia(inventory, store.id, plenty, 50);
    await restockVia(inventory, store.id, scarce, 2);
    const created = orderCreated(store.id, [
      { productId: plenty, quantity: 1 },
      { productId: scarce, quantity: 3 },
      { productId: unknown, quantity: 1 },
    ]);
    await publish(created);

    const [failed] = await answers(created.data.orderId);
    expect(failed).toMatchObject({ type: 'inventory.reservation_failed', causationid: created.id });
    const shortfall = (failed!.data as EventData<'inventory.reservation_failed'>).shortfall;
    expect([...shortfall].sort((a, b) => a.requested - b.requested)).toEqual([
      { productId: unknown, requested: 1, available: 0 },
      { productId: scarce, requested: 3, available: 2 },
    ]);
    expect(await stockOf(store.id, plenty)).toMatchObject({ reserved: 0 });
  }, 60_000);

  it('when a held order is not paid in time, then the sweeper expires it and inventory.reservation_expired reaches the topic', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 3);
    const created = orderCreated(store.id, [{ productId: product, quantity: 3 }]);
    await publish(created);
    await answers(created.data.orderId);

    const sweeper = reservationSweeper(inventory.service.deps);
    // Past the 10-minute hold, without waiting for it.
    expect(await sweeper.sweep(new Date(Date.now() + 11 * 60_000))).toBeGreaterThanOrEqual(1);
    const [, expired] = await answers(created.data.orderId, 2);
    expect(expired).toMatchObject({
      type: 'inventory.reservation_expired',
      correlationid: created.correlationid,
      data: { orderId: created.data.orderId },
    });
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });

    // A confirmation that arrives after the expiry changes nothing.
    await publish(orderConfirmed(created));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 3, reserved: 0 });
    expect((await reservationsOf(created.data.orderId))[0]).toMatchObject({ status: 'EXPIRED' });
  }, 60_000);

  it('when a held order’s expiry passes, then the service’s own sweeper expires it on its interval and inventory.reservation_expired reaches the topic', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 2);
    const created = orderCreated(store.id, [{ productId: product, quantity: 2 }]);
    // Held as order.created holds it, for 300 ms instead of RESERVATION_TTL_SECONDS; nothing but
    // the service's background sweeper moves it on from there.
    await inventory.service.deps.outbox.transaction((tx, emit) =>
      reserveForOrder(tx, emit, created.data, { now: new Date(), holdForMs: 300, causedBy: created }),
    );

    const [reserved, expired] = await answers(created.data.orderId, 2, 10_000);
    expect(reserved).toMatchObject({ type: 'inventory.reserved' });
    expect(expired).toMatchObject({
      type: 'inventory.reservation_expired',
      correlationid: created.correlationid,
      data: { orderId: created.data.orderId },
    });
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 2, reserved: 0, available: 2 });
    expect((await reservationsOf(created.data.orderId))[0]).toMatchObject({ status: 'EXPIRED' });
  }, 30_000);
});
