import { randomUUID } from 'node:crypto';
import { createDataSource, type DataSource } from '@qc/shared/db';
import { Outbox, newEvent } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { createLogger } from '@qc/shared/logging';
import { eventually, outboxEvents, rootQuery } from '@qc/shared/testing';
import { ReservationSweeper } from '../../src/jobs/reservation-sweeper';
import { commitForOrder, releaseForOrder, reserveForOrder, type OrderToReserve, type ReserveOutcome } from '../../src/domain/reservations';
import { WITHOUT_BACKGROUND_SWEEP, createStore, restockVia, startInventoryService, type InventoryUnderTest } from '../fixtures';

/**
 * Reservations against the real database: the no-oversell guarantee under real concurrency,
 * all-or-nothing orders, every state transition (and the events that are no-ops), and expiry.
 */
describe('reservations', () => {
  let inventory: InventoryUnderTest;
  /** A pool of its own, large enough that the concurrent reservations really run at once. */
  let pool: DataSource;
  let outbox: Outbox;
  const HOLD_MS = 600_000;

  beforeAll(async () => {
    // The sweeper tests sweep by themselves: with the service's own sweeper running too, a test
    // would pass on its expiries even if the sweep it means to prove did nothing.
    inventory = await startInventoryService({ label: 'inventory_reservations', env: WITHOUT_BACKGROUND_SWEEP });
    pool = createDataSource({ url: inventory.schema.url, poolSize: 40 });
    await pool.initialize();
    outbox = new Outbox(pool, eventsTopic('inventory-service'));
  }, 60_000);

  afterAll(async () => {
    await pool?.destroy();
    await inventory?.stop();
  }, 30_000);

  const reserve = (order: OrderToReserve, holdForMs = HOLD_MS): Promise<ReserveOutcome> =>
    outbox.transaction((tx, emit) => reserveForOrder(tx, emit, order, { now: new Date(), holdForMs }));
  /** One attempt, in a plain transaction: a deadlock would reject here instead of being run again by the outbox. */
  const reserveOnce = (order: OrderToReserve): Promise<ReserveOutcome> =>
    pool.transaction((tx) => reserveForOrder(tx, () => undefined, order, { now: new Date(), holdForMs: HOLD_MS }));
  const confirm = (orderId: string) => outbox.transaction((tx, emit) => commitForOrder(tx, emit, orderId));
  const cancel = (orderId: string) => outbox.transaction((tx, emit) => releaseForOrder(tx, emit, orderId));
  const stockOf = async (storeId: string, productId: string) =>
    (await inventory.api().get(`/api/v1/inventory/stores/${storeId}/stock/${productId}`).set('authorization', inventory.admin)).body.data;
  const reservationOf = async (orderId: string) =>
    (await inventory.api().get('/api/v1/inventory/reservations').query({ orderId }).set('authorization', inventory.admin)).body.data[0];
  const eventsFor = async (orderIds: string[]) => (await outboxEvents(inventory.schema)).filter((e) => orderIds.includes(e.subject));
  const line = (productId: string, quantity: number) => ({ productId, quantity });

  it('when 200 orders race for the last 50 units, then exactly 50 are reserved, 150 fail, and stock never goes negative', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 50);
    const orders = Array.from({ length: 200 }, () => ({ orderId: randomUUID(), storeId: store.id, items: [line(product, 1)] }));

    // Watch the row while the orders race: the counters must stay within bounds at every moment.
    const seen: { on_hand: number; reserved: number }[] = [];
    let racing = true;
    const watcher = (async () => {
      while (racing) {
        seen.push(
          ...((await rootQuery(`SELECT on_hand, reserved FROM \`${inventory.schema.name}\`.stock WHERE product_id = ?`, [
            product,
          ])) as never[]),
        );
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    // The service's outbox relay keeps publishing meanwhile, as in production.
    const outcomes = await Promise.allSettled(orders.map((order) => reserve(order)));
    racing = false;
    await watcher;

    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const results = outcomes.map((o) => (o as PromiseFulfilledResult<ReserveOutcome>).value.outcome);
    expect(results.filter((r) => r === 'reserved')).toHaveLength(50);
    expect(results.filter((r) => r === 'failed')).toHaveLength(150);
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 50, reserved: 50, available: 0, level: 'OUT' });
    expect(seen.length).toBeGreaterThan(0);
    for (const { on_hand, reserved } of seen) {
      expect(on_hand).toBe(50);
      expect(reserved).toBeGreaterThanOrEqual(0);
      expect(reserved).toBeLessThanOrEqual(50);
    }
    const events = await eventsFor(orders.map((o) => o.orderId));
    expect(events.filter((e) => e.type === 'inventory.reserved')).toHaveLength(50);
    expect(events.filter((e) => e.type === 'inventory.reservation_failed')).toHaveLength(150);
    const productEvents = (await outboxEvents(inventory.schema)).filter((e) => e.subject === product);
    expect(productEvents.filter((e) => e.type === 'inventory.out_of_stock')).toHaveLength(1);
    expect(productEvents.filter((e) => e.type === 'inventory.low_stock')).toHaveLength(1);
  }, 60_000);

  it('when many multi-line orders over the same products race, then none deadlocks and no product is over-reserved', async () => {
    const store = await createStore(inventory);
    const products = Array.from({ length: 5 }, () => randomUUID());
    for (const product of products) await restockVia(inventory, store.id, product, 30);
    // Lines listed in shuffled orders, so only the service's own lock order keeps them apart.
    const orders = Array.from({ length: 120 }, () => ({
      orderId: randomUUID(),
      storeId: store.id,
      items: [...products]
        .sort(() => Math.random() - 0.5)
        .slice(0, 3)
        .map((p) => line(p, 1 + Math.floor(Math.random() * 2))),
    }));
    // With the relay paused, only the reservations' own locks are in play, and they take them in
    // one order: not a single deadlock, and nothing to retry.
    await inventory.service.relay.stop();
    let outcomes: PromiseSettledResult<ReserveOutcome>[];
    try {
      outcomes = await Promise.allSettled(orders.map((order) => reserveOnce(order)));
    } finally {
      inventory.service.relay.start();
    }
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);

    const reservedByProduct = new Map<string, number>();
    orders.forEach((order, i) => {
      if ((outcomes[i] as PromiseFulfilledResult<ReserveOutcome>).value.outcome !== 'reserved') return;
      for (const item of order.items) reservedByProduct.set(item.productId, (reservedByProduct.get(item.productId) ?? 0) + item.quantity);
    });
    for (const product of products) {
      const stock = await stockOf(store.id, product);
      expect(stock.reserved).toBe(reservedByProduct.get(product) ?? 0);
      expect(stock.reserved).toBeLessThanOrEqual(30);
    }
  }, 60_000);

  it('when one line of an order is short, then nothing is reserved and the shortfall names that line', async () => {
    const store = await createStore(inventory);
    const [rice, oil] = [randomUUID(), randomUUID()];
    await restockVia(inventory, store.id, rice, 10);
    await restockVia(inventory, store.id, oil, 1);
    const orderId = randomUUID();
    const outcome = await reserve({ orderId, storeId: store.id, items: [line(rice, 2), line(oil, 2), line(oil, 1)] });

    expect(outcome).toMatchObject({ outcome: 'failed', shortfall: [{ productId: oil, requested: 3, available: 1 }] });
    expect(await stockOf(store.id, rice)).toMatchObject({ onHand: 10, reserved: 0 });
    expect(await stockOf(store.id, oil)).toMatchObject({ onHand: 1, reserved: 0 });
    expect(await reservationOf(orderId)).toMatchObject({ status: 'FAILED', expiresAt: null });
    expect((await eventsFor([orderId])).map((e) => [e.type, e.data])).toEqual([
      ['inventory.reservation_failed', { orderId, storeId: store.id, shortfall: [{ productId: oil, requested: 3, available: 1 }] }],
    ]);
  });

  it('when the store is unknown or inactive, then every line is short', async () => {
    const product = randomUUID();
    const closed = await createStore(inventory, { active: false });
    await restockVia(inventory, closed.id, product, 5);
    for (const storeId of [randomUUID(), closed.id]) {
      expect(await reserve({ orderId: randomUUID(), storeId, items: [line(product, 1)] })).toMatchObject({
        outcome: 'failed',
        shortfall: [{ productId: product, requested: 1, available: 0 }],
      });
    }
  });

  it('when an order is reserved, confirmed and confirmed again, then its stock leaves the shelf once with a sale in the ledger', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 10);
    const orderId = randomUUID();
    expect(await reserve({ orderId, storeId: store.id, items: [line(product, 4)] })).toMatchObject({ outcome: 'reserved' });
    expect(await reserve({ orderId, storeId: store.id, items: [line(product, 4)] })).toEqual({ outcome: 'duplicate' });
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 10, reserved: 4, available: 6 });

    expect(await confirm(orderId)).toMatchObject({ outcome: 'committed' });
    expect(await confirm(orderId)).toEqual({ outcome: 'ignored', status: 'COMMITTED' });
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 6, reserved: 0, available: 6 });
    expect(await reservationOf(orderId)).toMatchObject({ status: 'COMMITTED', items: [{ productId: product, quantity: 4 }] });
    const ledger = await inventory
      .api()
      .get(`/api/v1/inventory/stores/${store.id}/movements`)
      .query({ productId: product })
      .set('authorization', inventory.admin);
    expect(ledger.body.data[0]).toMatchObject({ delta: -4, reason: 'sale', actor: 'system:orders', orderId, onHandAfter: 6 });
  });

  it('when a paid order is cancelled before pickup, then its stock goes back on the shelf and inventory.released is written', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 5);
    const orderId = randomUUID();
    await reserve({ orderId, storeId: store.id, items: [line(product, 2)] });
    await confirm(orderId);
    expect(await cancel(orderId)).toMatchObject({ outcome: 'returned' });
    expect(await cancel(orderId)).toEqual({ outcome: 'ignored', status: 'RETURNED' });
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 5, reserved: 0 });
    expect((await eventsFor([orderId])).map((e) => e.type)).toEqual(['inventory.reserved', 'inventory.released']);
  });

  it('when a held order is cancelled, then its stock is released; a confirm after that changes nothing', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 5);
    const orderId = randomUUID();
    const reserved = await reserve({ orderId, storeId: store.id, items: [line(product, 5)] });
    expect(await stockOf(store.id, product)).toMatchObject({ available: 0, level: 'OUT' });
    expect(await cancel(orderId)).toMatchObject({ outcome: 'released' });
    expect(await confirm(orderId)).toEqual({ outcome: 'ignored', status: 'RELEASED' });
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    const released = (await eventsFor([orderId])).find((e) => e.type === 'inventory.released');
    expect(released?.data).toEqual({ orderId, reservationId: (reserved as { reservationId: string }).reservationId });
  });

  it('when an order is cancelled before its order.created arrives, then the late order.created reserves nothing', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 5);
    const orderId = randomUUID();
    expect(await cancel(orderId)).toEqual({ outcome: 'voided' });
    expect(await reserve({ orderId, storeId: store.id, items: [line(product, 1)] })).toEqual({ outcome: 'duplicate' });
    expect(await stockOf(store.id, product)).toMatchObject({ reserved: 0 });
    expect(await reservationOf(orderId)).toMatchObject({ status: 'VOIDED', items: [] });
    expect(await eventsFor([orderId])).toEqual([]);
  });

  it('when a reservation is past its expiry, then the sweeper releases it once in its saga’s correlation, and a later cancel changes nothing', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 3);
    const orderId = randomUUID();
    const created = newEvent(
      'order-service',
      'order.created',
      {
        orderId,
        userId: randomUUID(),
        storeId: store.id,
        items: [{ productId: product, quantity: 3, unitPrice: { amount: 2500, currency: 'INR' } }],
        total: { amount: 7500, currency: 'INR' },
        paymentMethod: 'UPI',
      },
      { subject: orderId },
    );
    await outbox.transaction((tx, emit) =>
      reserveForOrder(tx, emit, created.data, { now: new Date(), holdForMs: HOLD_MS, causedBy: created }),
    );
    const sweeper = new ReservationSweeper({ outbox, logger: createLogger('sweeper-test', 'silent'), intervalMs: 1_000, batchSize: 10 });

    expect(await sweeper.sweep(new Date())).toBe(0);
    expect(await sweeper.sweep(new Date(Date.now() + HOLD_MS + 1_000))).toBeGreaterThanOrEqual(1);
    expect(await reservationOf(orderId)).toMatchObject({ status: 'EXPIRED' });
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    expect(await cancel(orderId)).toEqual({ outcome: 'ignored', status: 'EXPIRED' });
    expect(await confirm(orderId)).toEqual({ outcome: 'ignored', status: 'EXPIRED' });
    const expired = (await eventsFor([orderId])).filter((e) => e.type === 'inventory.reservation_expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]!.correlationid).toBe(created.correlationid);
  });

  it('when two sweepers run at once over many due reservations, then each reservation expires exactly once', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 60);
    const orders = Array.from({ length: 60 }, () => randomUUID());
    for (const orderId of orders) await reserve({ orderId, storeId: store.id, items: [line(product, 1)] }, 1);
    await new Promise((r) => setTimeout(r, 20));
    const sweeper = () =>
      new ReservationSweeper({ outbox, logger: createLogger('sweeper-test', 'silent'), intervalMs: 1_000, batchSize: 7 });

    const [a, b] = await Promise.all([sweeper().sweep(), sweeper().sweep()]);
    expect(a + b).toBe(60);
    expect(await stockOf(store.id, product)).toMatchObject({ onHand: 60, reserved: 0 });
    expect((await eventsFor(orders)).filter((e) => e.type === 'inventory.reservation_expired')).toHaveLength(60);
  }, 30_000);

  it('when the sweeper runs on its interval, then an unpaid reservation expires without being asked', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 2);
    const orderId = randomUUID();
    await reserve({ orderId, storeId: store.id, items: [line(product, 2)] }, 300);
    const sweeper = new ReservationSweeper({ outbox, logger: createLogger('sweeper-test', 'silent'), intervalMs: 100, batchSize: 10 });
    sweeper.start();
    try {
      await eventually(async () => (await reservationOf(orderId)).status === 'EXPIRED', 5_000);
    } finally {
      await sweeper.stop();
    }
    expect(await stockOf(store.id, product)).toMatchObject({ reserved: 0, available: 2 });
  }, 15_000);

  it('when an admin reads reservations, then they are listed by order, store and status; malformed 400, unknown 404, no token 401, a customer 403', async () => {
    const store = await createStore(inventory);
    const product = randomUUID();
    await restockVia(inventory, store.id, product, 5);
    const orderId = randomUUID();
    const outcome = (await reserve({ orderId, storeId: store.id, items: [line(product, 1)] })) as { reservationId: string };
    const get = (path: string, auth = inventory.admin) => inventory.api().get(path).set('authorization', auth);

    const one = await get(`/api/v1/inventory/reservations/${outcome.reservationId}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual({
      id: outcome.reservationId,
      orderId,
      storeId: store.id,
      status: 'HELD',
      items: [{ productId: product, quantity: 1 }],
      expiresAt: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const byStore = await get(`/api/v1/inventory/reservations?storeId=${store.id}&status=HELD`);
    expect(byStore.body.data.map((r: { id: string }) => r.id)).toEqual([outcome.reservationId]);
    expect((await get(`/api/v1/inventory/reservations?storeId=${store.id}&status=EXPIRED`)).body.data).toEqual([]);
    expect((await get('/api/v1/inventory/reservations?status=LOST')).status).toBe(400);
    expect((await get('/api/v1/inventory/reservations/123')).status).toBe(400);
    expect((await get(`/api/v1/inventory/reservations/${randomUUID()}`)).body.errorCode).toBe('RESERVATION_NOT_FOUND');
    expect((await inventory.api().get('/api/v1/inventory/reservations')).status).toBe(401);
    expect((await get(`/api/v1/inventory/reservations/${outcome.reservationId}`, inventory.customer)).status).toBe(403);
  });
});
