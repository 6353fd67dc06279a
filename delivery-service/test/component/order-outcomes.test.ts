import { eventually, outboxEvents, rootQuery } from '@qc/shared/testing';
import {
  aKnownStore,
  aPartner,
  deliveryOf,
  openStream,
  orderCancelled,
  orderCompleted,
  orderConfirmed,
  startDeliveryService,
  type ConfirmedOrder,
  type DeliveryUnderTest,
  type TestPartner,
} from '../fixtures';
import { cancelForOrder } from '../../src/domain/order-outcomes';
import { announceDeliveryEvent } from '../../src/domain/tracking';
import { runtimeOf } from '../../src/service';

/**
 * Deliveries follow their order's end, told by order-service through the real broker: cancelled
 * (before or after pickup) or marked delivered by its admin moves, while riders work the same orders.
 */
describe('a delivery follows its order', () => {
  let delivery: DeliveryUnderTest;

  beforeAll(async () => {
    delivery = await startDeliveryService({ label: 'delivery_outcomes' });
  }, 90_000);

  afterAll(async () => {
    await delivery?.stop();
  }, 30_000);

  const post = (path: string, token: string, body: object = {}) => delivery.api().post(path).set('authorization', token).send(body);
  const act = (order: ConfirmedOrder, partner: TestPartner, action: string, body: object = {}) =>
    post(`/api/v1/deliveries/${order.orderId}/${action}`, partner.token, body);
  const me = async (partner: TestPartner) =>
    (await delivery.api().get('/api/v1/partners/me').set('authorization', partner.token)).body.data as {
      status: string;
      activeDelivery: { orderId: string } | null;
      completedCount: number;
    };
  /** The delivery once it has `status`. */
  const deliveryIn = (order: ConfirmedOrder, status: string) =>
    eventually(async () => {
      const seen = await deliveryOf(delivery, order);
      return seen.status === status && seen;
    });
  /** A new partner of the store, online and holding a new order they have picked up. */
  const aPickedUpOrder = async (storeId: string) => {
    const partner = await aPartner(delivery, storeId);
    const order = orderConfirmed(storeId);
    await delivery.publish(order.event);
    // The partner who just came online is the store's only free one.
    const { otp } = await deliveryIn(order, 'ASSIGNED');
    expect((await act(order, partner, 'accept')).status).toBe(200);
    expect((await act(order, partner, 'pickup')).status).toBe(200);
    return { partner, order, otp: otp! };
  };
  /** The customer's tracking stream of the order, past its snapshot. */
  const follow = async (order: ConfirmedOrder) => {
    const stream = await openStream(delivery.service.server, `/api/v1/deliveries/${order.orderId}/stream`, delivery.customer(order.userId));
    await stream.next((e) => e.event === 'snapshot');
    return stream;
  };
  const processed = (...eventIds: string[]) =>
    eventually(async () => {
      const rows = (await rootQuery(`SELECT COUNT(*) AS n FROM \`${delivery.schema.name}\`.processed_events WHERE event_id IN (?)`, [
        eventIds,
      ])) as { n: number }[];
      return Number(rows[0]!.n) === eventIds.length;
    });
  const eventsOf = async (order: ConfirmedOrder) =>
    (await outboxEvents(delivery.schema)).filter((e) => e.subject === order.orderId).map((e) => e.type);
  const endsOf = async (order: ConfirmedOrder) =>
    (await outboxEvents(delivery.schema, 'delivery.cancelled')).filter((e) => e.subject === order.orderId);
  const history = async (order: ConfirmedOrder) =>
    (await deliveryOf(delivery, order)).history as { status: string; actor: string; note: string | null }[];

  it('when an order is cancelled before pickup, then its delivery is cancelled, its stream ends with it, and the partner gets the next queued delivery', async () => {
    const storeId = await aKnownStore(delivery);
    const partner = await aPartner(delivery, storeId);
    const first = orderConfirmed(storeId);
    await delivery.publish(first.event);
    expect(await deliveryIn(first, 'ASSIGNED')).toMatchObject({ partner: { id: partner.id } });
    const next = orderConfirmed(storeId);
    await delivery.publish(next.event);
    await deliveryIn(next, 'QUEUED');
    expect((await act(first, partner, 'accept')).status).toBe(200);
    const stream = await follow(first);
    const cancelled = orderCancelled(first);

    await delivery.publish(cancelled);

    expect((await stream.next((e) => e.event === 'cancelled')).data).toMatchObject({ status: 'CANCELLED', reason: 'CUSTOMER_CANCELLED' });
    await stream.ended;
    expect(await deliveryIn(first, 'CANCELLED')).toMatchObject({ otp: null, etaMinutes: null });
    expect((await history(first)).at(-1)).toMatchObject({
      status: 'CANCELLED',
      actor: 'system:orders',
      note: 'order cancelled: CUSTOMER_CANCELLED',
    });
    // The freed partner is offered the store's queued delivery at once, not at the dispatcher's next round.
    expect(await deliveryIn(next, 'ASSIGNED')).toMatchObject({ partner: { id: partner.id } });
    expect(await me(partner)).toMatchObject({ status: 'ONLINE', activeDelivery: { orderId: next.orderId }, completedCount: 0 });
    expect((await act(first, partner, 'pickup')).body.errorCode).toBe('DELIVERY_STATE_CONFLICT');
    expect(await eventsOf(first)).toEqual(['delivery.scheduled', 'delivery.cancelled']);
    const [told] = await endsOf(first);
    expect(told?.data).toEqual({
      deliveryId: expect.any(String),
      orderId: first.orderId,
      storeId,
      userId: first.userId,
      partnerId: partner.id,
      outcome: 'CANCELLED',
      reason: 'CUSTOMER_CANCELLED',
      endedAt: expect.any(String),
    });
    expect(told?.causationid).toBe(cancelled.id);
    stream.close();
  }, 30_000);

  it('when an order is cancelled after pickup, then the delivery is RETURNED, the rider is free and handed the next queued delivery', async () => {
    const storeId = await aKnownStore(delivery);
    const { partner, order, otp } = await aPickedUpOrder(storeId);
    const next = orderConfirmed(storeId);
    await delivery.publish(next.event);
    await deliveryIn(next, 'QUEUED');

    await delivery.publish(orderCancelled(order, 'ADMIN_CANCELLED'));

    await deliveryIn(order, 'RETURNED');
    expect((await history(order)).at(-1)).toMatchObject({
      status: 'RETURNED',
      actor: 'system:orders',
      note: 'order cancelled after pickup: ADMIN_CANCELLED; the goods go back to the store',
    });
    expect(await deliveryIn(next, 'ASSIGNED')).toMatchObject({ partner: { id: partner.id } });
    expect((await me(partner)).activeDelivery).toMatchObject({ orderId: next.orderId });
    expect((await act(order, partner, 'complete', { otp })).body.errorCode).toBe('DELIVERY_STATE_CONFLICT');
    expect(await eventsOf(order)).toEqual(['delivery.scheduled', 'delivery.started', 'delivery.cancelled']);
    expect((await endsOf(order))[0]?.data).toMatchObject({ partnerId: partner.id, outcome: 'RETURNED', reason: 'ADMIN_CANCELLED' });
  }, 30_000);

  it('when the transaction ending a delivery fails after the change, then nothing is told; the committed end is told once, and never again', async () => {
    const storeId = await aKnownStore(delivery);
    const partner = await aPartner(delivery, storeId);
    const order = orderConfirmed(storeId);
    await delivery.publish(order.event);
    await deliveryIn(order, 'ASSIGNED');
    expect((await act(order, partner, 'accept')).status).toBe(200);
    const stream = await follow(order);
    const { ctx } = runtimeOf(delivery.service.deps);
    const told = async () =>
      (await ctx.tracking.since(order.orderId, '0-0')).events.filter((e) => (JSON.parse(e.json) as { type: string }).type === 'cancelled');

    // The order's end, handled in a transaction that fails once the delivery is cancelled (a deadlock, a lost connection).
    const failure = new Error('the transaction fails after the change');
    await expect(
      ctx.outbox.transaction(async (tx, emit) => {
        expect(await cancelForOrder(ctx, tx, emit, order.orderId, 'CUSTOMER_CANCELLED')).toMatchObject({ outcome: 'cancelled' });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await told()).toEqual([]);
    expect(await deliveryOf(delivery, order)).toMatchObject({ status: 'ACCEPTED' });

    const cancelled = orderCancelled(order);
    await delivery.publish(cancelled);
    expect((await stream.next((e) => e.event === 'cancelled')).data).toMatchObject({ status: 'CANCELLED' });
    const [end] = await endsOf(order);
    await eventually(async () => (await told()).length === 1);

    // delivery.cancelled again from the broker, and told again as a consumer transaction retried after telling it would.
    const duplicates = async () =>
      (await delivery.service.deps.metrics.eventsConsumed.get()).values.find(
        (v) => v.labels.type === 'delivery.cancelled' && v.labels.result === 'duplicate',
      )?.value ?? 0;
    const before = await duplicates();
    await delivery.publish(end!);
    await eventually(async () => (await duplicates()) > before);
    await announceDeliveryEvent(ctx, ctx.db, end!);
    expect(await told()).toHaveLength(1);
    expect(stream.events.filter((e) => e.event === 'cancelled')).toHaveLength(1);
    await stream.ended;
  }, 30_000);

  it('when order-service marks a picked-up order delivered, then the delivery is closed from the order, the rider freed, and a redelivered or late event changes nothing', async () => {
    const { partner, order, otp } = await aPickedUpOrder(await aKnownStore(delivery));
    const stream = await follow(order);
    const deliveredAt = new Date(Date.now() - 60_000);
    const completed = orderCompleted(order, deliveredAt);

    await delivery.publish(completed);

    expect((await stream.next((e) => e.event === 'completed')).data).toMatchObject({ status: 'DELIVERED' });
    await deliveryIn(order, 'DELIVERED');
    const closed = await history(order);
    expect(closed.at(-1)).toMatchObject({
      status: 'DELIVERED',
      actor: 'system:orders',
      note: 'order delivered: closed from the order, not handed over with the code',
    });
    const [row] = (await rootQuery(
      `SELECT ended_by_order, delivered_at, cod_collected_amount FROM \`${delivery.schema.name}\`.deliveries WHERE order_id = ?`,
      [order.orderId],
    )) as { ended_by_order: number; delivered_at: Date; cod_collected_amount: number | null }[];
    expect(row).toEqual({ ended_by_order: 1, delivered_at: deliveredAt, cod_collected_amount: null });
    expect(await me(partner)).toMatchObject({ status: 'ONLINE', activeDelivery: null, completedCount: 0 });
    const [event] = (await outboxEvents(delivery.schema, 'delivery.completed')).filter((e) => e.subject === order.orderId);
    expect(event?.data).toEqual({
      deliveryId: expect.any(String),
      orderId: order.orderId,
      partnerId: partner.id,
      deliveredAt: deliveredAt.toISOString(),
      userId: order.userId,
    });
    expect(event?.causationid).toBe(completed.id);
    expect((await act(order, partner, 'complete', { otp })).body.errorCode).toBe('DELIVERY_STATE_CONFLICT');

    // The same event again, another telling the same end, and a cancellation arriving late.
    const again = orderCompleted(order);
    const late = orderCancelled(order);
    await delivery.publish(completed, again, late);
    await processed(completed.id, again.id, late.id);
    expect(await deliveryOf(delivery, order)).toMatchObject({ status: 'DELIVERED', history: closed });
    expect(await eventsOf(order)).toEqual(['delivery.scheduled', 'delivery.started', 'delivery.completed']);
    expect((await me(partner)).activeDelivery).toBeNull();
    expect(stream.events.filter((e) => e.event === 'completed' || e.event === 'cancelled')).toHaveLength(1);
    stream.close();
  }, 30_000);

  it('when an order’s end arrives before its confirmation, then its delivery is born ended and no partner is taken', async () => {
    const storeId = await aKnownStore(delivery);
    const partner = await aPartner(delivery, storeId);
    const cancelled = orderConfirmed(storeId);
    const delivered = orderConfirmed(storeId);
    const markedDelivered = orderCompleted(delivered);
    const ends = [orderCancelled(cancelled, 'PAYMENT_TIMEOUT'), markedDelivered];
    await delivery.publish(...ends);
    await processed(...ends.map((e) => e.id));

    await delivery.publish(cancelled.event, delivered.event);

    await deliveryIn(cancelled, 'CANCELLED');
    await deliveryIn(delivered, 'DELIVERED');
    expect((await history(cancelled)).map((h) => [h.status, h.actor])).toEqual([
      ['QUEUED', 'system:orders'],
      ['CANCELLED', 'system:orders'],
    ]);
    // Each told once, with no partner: none ever held them.
    expect(await eventsOf(cancelled)).toEqual(['delivery.cancelled']);
    expect(await eventsOf(delivered)).toEqual(['delivery.cancelled']);
    expect((await endsOf(cancelled))[0]?.data).toMatchObject({
      outcome: 'CANCELLED',
      reason: 'PAYMENT_TIMEOUT',
      endedAt: expect.any(String),
    });
    expect((await endsOf(cancelled))[0]?.data).not.toHaveProperty('partnerId');
    expect((await endsOf(delivered))[0]?.data).toMatchObject({
      outcome: 'CLOSED',
      reason: 'ORDER_DELIVERED',
      endedAt: markedDelivered.data.deliveredAt,
    });
    expect((await me(partner)).activeDelivery).toBeNull();
    // Still free: the next order goes to them.
    const next = orderConfirmed(storeId);
    await delivery.publish(next.event);
    expect(await deliveryIn(next, 'ASSIGNED')).toMatchObject({ partner: { id: partner.id } });
  }, 30_000);

  it('when riders hand over while order-service marks the same orders delivered, then each delivery ends once, by one of them', async () => {
    const storeId = await aKnownStore(delivery);
    const riders: { partner: TestPartner; order: ConfirmedOrder; otp: string }[] = [];
    for (let i = 0; i < 8; i++) riders.push(await aPickedUpOrder(storeId));

    // Each hand-over starts a little later than the last, so some land before the event is read and some after.
    const completions = riders.map(({ order }) => orderCompleted(order));
    const answers = await Promise.all(
      riders.map(async ({ partner, order, otp }, i) => {
        const published = delivery.publish(completions[i]!);
        await new Promise((resolve) => setTimeout(resolve, i * 15));
        const res = await act(order, partner, 'complete', { otp });
        await published;
        return res;
      }),
    );
    await processed(...completions.map((e) => e.id));

    const deliveredEvents = await outboxEvents(delivery.schema, 'delivery.completed');
    for (const [i, { partner, order }] of riders.entries()) {
      const res = answers[i]!;
      const ended = (await history(order)).filter((h) => h.status === 'DELIVERED');
      expect(ended).toHaveLength(1);
      expect(deliveredEvents.filter((e) => e.subject === order.orderId)).toHaveLength(1);
      const byRider = res.status === 200;
      if (!byRider) expect([res.status, res.body.errorCode]).toEqual([409, 'DELIVERY_STATE_CONFLICT']);
      expect(ended[0]!.actor).toBe(byRider ? partner.userId : 'system:orders');
      expect(await me(partner)).toMatchObject({ activeDelivery: null, completedCount: byRider ? 1 : 0 });
    }
  }, 30_000);
});
