import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { newEvent, type CatalogEvent, type EventData, type EventType } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { eventually, outboxEvents, testKafka } from '@qc/shared/testing';
import { startOrderService, type Customer, type OrderServiceUnderTest } from '../fixtures';

/**
 * The checkout saga's order side through the real broker: orders are placed over HTTP, inventory's
 * and payment's answers are published to their topics as those services would, and the order's
 * moves are read back through the API and from the outbox (what the other services will see).
 */
describe('checkout saga', () => {
  let t: OrderServiceUnderTest;
  let producer: Producer;
  let product: string;
  const inr = (amount: number) => ({ amount, currency: 'INR' as const });

  beforeAll(async () => {
    t = await startOrderService('order_saga');
    producer = testKafka('order-saga-test').producer();
    await producer.connect();
    product = await t.catalog.product(12_000, 14_000);
  }, 90_000);
  afterAll(async () => {
    await producer?.disconnect();
    await t?.stop();
  }, 30_000);

  type Order = { id: string; userId: string; storeId: string; status: string; pricing: { total: { amount: number } } };
  const place = async (customer: Customer, paymentMethod = 'UPI', extra: Record<string, unknown> = {}): Promise<Order> => {
    const res = await t
      .api()
      .post('/api/v1/orders')
      .set('authorization', customer.bearer)
      .set('idempotency-key', randomUUID())
      .send({ addressId: customer.addressId, paymentMethod, items: [{ productId: product, quantity: 2 }], ...extra });
    if (res.status !== 201) throw new Error(`order not placed: ${res.status} ${res.text}`);
    return res.body.data;
  };
  const read = async (customer: Customer, orderId: string) =>
    (await t.api().get(`/api/v1/orders/${orderId}`).set('authorization', customer.bearer)).body.data;
  const statusBecomes = (customer: Customer, orderId: string, status: string) =>
    eventually(async () => {
      const order = await read(customer, orderId);
      return order.status === status && order;
    }, 30_000);
  /** The events order-service wrote about an order, oldest first. */
  const written = async (orderId: string) => (await outboxEvents(t.schema)).filter((e) => e.subject === orderId);
  const typesWritten = async (orderId: string) => (await written(orderId)).map((e) => e.type);

  const publish = (...events: CatalogEvent[]) =>
    Promise.all(
      events.map((e) => producer.send({ topic: eventsTopic(e.source.slice(1)), messages: [{ key: e.subject, value: JSON.stringify(e) }] })),
    );
  const from = <T extends EventType>(service: string, type: T, data: EventData<T>) =>
    newEvent(service, type, data, { subject: (data as { orderId: string }).orderId });
  const reserved = (order: Order, expiresAt = new Date(Date.now() + 600_000)) =>
    from('inventory-service', 'inventory.reserved', {
      orderId: order.id,
      reservationId: randomUUID(),
      storeId: order.storeId,
      items: [{ productId: product, quantity: 2 }],
      expiresAt: expiresAt.toISOString(),
    });
  const paid = (order: Order, method = 'UPI') =>
    from('payment-service', 'payment.completed', {
      paymentId: randomUUID(),
      orderId: order.id,
      amount: inr(order.pricing.total.amount),
      method,
    });

  it('when the stock is reserved and the payment completes, then the order waits for payment, is CONFIRMED, and redeliveries change nothing', async () => {
    const customer = t.newCustomer();
    const order = await place(customer);
    const expiresAt = new Date(Date.now() + 600_000);
    await publish(reserved(order, expiresAt));

    const waiting = await statusBecomes(customer, order.id, 'AWAITING_PAYMENT');
    expect(waiting.paymentDueBy).toBe(expiresAt.toISOString());
    const [updated] = (await written(order.id)).filter((e) => e.type === 'order.updated');
    expect(updated!.data).toEqual({
      orderId: order.id,
      status: 'AWAITING_PAYMENT',
      previousStatus: 'PENDING',
      userId: customer.userId,
      paymentDueBy: expiresAt.toISOString(),
    });

    const payment = paid(order);
    await publish(payment, payment, paid(order));
    const confirmed = await statusBecomes(customer, order.id, 'CONFIRMED');
    expect(confirmed).toMatchObject({ paid: true });
    // A late reservation answer too; then time for the consumer to see them all.
    await publish(reserved(order));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await typesWritten(order.id)).toEqual(['order.created', 'order.updated', 'order.confirmed']);
    const event = (await written(order.id)).find((e) => e.type === 'order.confirmed')!;
    expect(event).toMatchObject({
      causationid: payment.id,
      data: {
        orderId: order.id,
        userId: customer.userId,
        storeId: order.storeId,
        items: [{ productId: product, quantity: 2 }],
        total: inr(order.pricing.total.amount),
        paymentMethod: 'UPI',
        dropoff: expect.any(Object),
      },
    });
    const history = (await read(customer, order.id)).history;
    expect(history.map((h: { status: string; actor: string }) => [h.status, h.actor])).toEqual([
      ['PENDING', customer.userId],
      ['AWAITING_PAYMENT', 'system:inventory-service'],
      ['CONFIRMED', 'system:payment-service'],
    ]);
  }, 60_000);

  it('when a confirmed order is packed, dispatched and delivered by an admin, then order.completed is emitted and it can no longer be cancelled', async () => {
    const customer = t.newCustomer();
    const order = await place(customer);
    await publish(reserved(order));
    await statusBecomes(customer, order.id, 'AWAITING_PAYMENT');
    await publish(paid(order));
    const confirmed = await statusBecomes(customer, order.id, 'CONFIRMED');

    const move = (verb: string, body: Record<string, unknown> = {}) =>
      t.api().post(`/api/v1/orders/${order.id}/${verb}`).set('authorization', t.admin).send(body);
    const stale = await move('pack', { version: confirmed.version - 1 });
    expect({ status: stale.status, errorCode: stale.body.errorCode }).toEqual({ status: 409, errorCode: 'ORDER_VERSION_CONFLICT' });
    expect((await move('pack', { version: confirmed.version })).body.data.status).toBe('PACKED');
    expect((await move('deliver')).status).toBe(409);
    expect((await move('dispatch', { note: 'rider Ravi' })).body.data.status).toBe('OUT_FOR_DELIVERY');
    const cancel = await t.api().post(`/api/v1/orders/${order.id}/cancel`).set('authorization', customer.bearer).send({});
    expect({ status: cancel.status, errorCode: cancel.body.errorCode }).toEqual({ status: 409, errorCode: 'ORDER_NOT_CANCELLABLE' });
    expect((await move('deliver')).body.data.status).toBe('DELIVERED');

    expect(await typesWritten(order.id)).toEqual([
      'order.created',
      'order.updated',
      'order.confirmed',
      'order.updated',
      'order.updated',
      'order.completed',
    ]);
    const completed = (await written(order.id)).at(-1)!;
    expect(completed.data).toEqual({ orderId: order.id, userId: customer.userId, deliveredAt: expect.any(String) });
  }, 60_000);

  it('when a cash-on-delivery order’s stock is reserved, then it is CONFIRMED in the same step with two history rows', async () => {
    const customer = t.newCustomer();
    const order = await place(customer, 'COD');
    await publish(reserved(order));
    const confirmed = await statusBecomes(customer, order.id, 'CONFIRMED');
    expect(confirmed.paid).toBe(false);
    expect(confirmed.history.map((h: { status: string; reason: string }) => [h.status, h.reason])).toEqual([
      ['PENDING', 'ORDER_PLACED'],
      ['AWAITING_PAYMENT', 'STOCK_RESERVED'],
      ['CONFIRMED', 'CASH_ON_DELIVERY'],
    ]);
    expect(await typesWritten(order.id)).toEqual(['order.created', 'order.updated', 'order.confirmed']);
  }, 60_000);

  it('when the store cannot fill the order, then it is CANCELLED for OUT_OF_STOCK and its coupon use is given back', async () => {
    const code = `SAGA${randomUUID().slice(0, 6)}`.toUpperCase();
    const coupon = (
      await t.api().post('/api/v1/coupons').set('authorization', t.admin).send({ code, kind: 'FLAT', value: 1_000, totalLimit: 5 })
    ).body.data;
    const customer = t.newCustomer();
    const order = await place(customer, 'UPI', { couponCode: code });
    const usedCount = async () => (await t.api().get(`/api/v1/coupons/${coupon.id}`).set('authorization', t.admin)).body.data.usedCount;
    expect(await usedCount()).toBe(1);

    await publish(
      from('inventory-service', 'inventory.reservation_failed', {
        orderId: order.id,
        storeId: order.storeId,
        shortfall: [{ productId: product, requested: 2, available: 1 }],
      }),
    );
    const cancelled = await statusBecomes(customer, order.id, 'CANCELLED');
    expect(cancelled.cancellationReason).toBe('OUT_OF_STOCK');
    expect(await usedCount()).toBe(0);
    const event = (await written(order.id)).find((e) => e.type === 'order.cancelled');
    expect(event?.data).toEqual({
      orderId: order.id,
      userId: customer.userId,
      reason: 'OUT_OF_STOCK',
      paid: false,
      storeId: order.storeId,
    });
  }, 60_000);

  it('when the payment fails, then the order is CANCELLED for PAYMENT_FAILED', async () => {
    const customer = t.newCustomer();
    const order = await place(customer, 'WALLET');
    await publish(reserved(order));
    await statusBecomes(customer, order.id, 'AWAITING_PAYMENT');
    await publish(
      from('payment-service', 'payment.failed', { paymentId: randomUUID(), orderId: order.id, reason: 'INSUFFICIENT_BALANCE' }),
    );
    const cancelled = await statusBecomes(customer, order.id, 'CANCELLED');
    expect(cancelled.cancellationReason).toBe('PAYMENT_FAILED');
    expect(cancelled.history.at(-1)).toMatchObject({ actor: 'system:payment-service', reason: 'PAYMENT_FAILED: INSUFFICIENT_BALANCE' });
  }, 60_000);

  it('when the reservation expires unpaid, then the order is CANCELLED for PAYMENT_TIMEOUT and a payment landing after changes nothing', async () => {
    const customer = t.newCustomer();
    const order = await place(customer);
    const held = reserved(order);
    await publish(held);
    await statusBecomes(customer, order.id, 'AWAITING_PAYMENT');
    await publish(
      from('inventory-service', 'inventory.reservation_expired', { orderId: order.id, reservationId: held.data.reservationId }),
    );
    const cancelled = await statusBecomes(customer, order.id, 'CANCELLED');
    expect(cancelled.cancellationReason).toBe('PAYMENT_TIMEOUT');

    await publish(paid(order));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await read(customer, order.id)).toMatchObject({ status: 'CANCELLED', paid: false, version: cancelled.version });
    expect(await typesWritten(order.id)).toEqual(['order.created', 'order.updated', 'order.cancelled']);
  }, 60_000);

  it('when the wallet payment lands before the reservation answer, then the reservation confirms the order at once', async () => {
    const customer = t.newCustomer();
    const order = await place(customer, 'WALLET');
    await publish(paid(order, 'WALLET'));
    await eventually(async () => (await read(customer, order.id)).paid === true, 30_000);
    expect((await read(customer, order.id)).status).toBe('PENDING');
    await publish(reserved(order));
    await statusBecomes(customer, order.id, 'CONFIRMED');
    expect(await typesWritten(order.id)).toEqual(['order.created', 'order.updated', 'order.confirmed']);
  }, 60_000);

  it('when a paid order is cancelled and then refunded, then order.cancelled says paid and the refund is recorded once', async () => {
    const customer = t.newCustomer();
    const order = await place(customer);
    await publish(reserved(order));
    await statusBecomes(customer, order.id, 'AWAITING_PAYMENT');
    await publish(paid(order));
    await statusBecomes(customer, order.id, 'CONFIRMED');

    const res = await t.api().post(`/api/v1/orders/${order.id}/cancel`).set('authorization', customer.bearer).send({});
    expect(res.status).toBe(200);
    const event = (await written(order.id)).find((e) => e.type === 'order.cancelled');
    expect(event?.data).toMatchObject({ reason: 'CUSTOMER_CANCELLED', paid: true });

    const total = order.pricing.total.amount;
    const refund = from('payment-service', 'payment.refunded', {
      paymentId: randomUUID(),
      orderId: order.id,
      refundId: randomUUID(),
      amount: inr(total),
      refundedTotal: inr(total),
    });
    await publish(refund, refund);
    const refunded = await eventually(async () => {
      const o = await read(customer, order.id);
      return o.refundedAmount.amount === total && o;
    }, 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await read(customer, order.id);
    expect(after.refundedAmount).toEqual(inr(total));
    expect(after.history.filter((h: { reason: string }) => h.reason?.startsWith('REFUNDED'))).toHaveLength(1);
    expect(refunded.status).toBe('CANCELLED');
  }, 60_000);

  describe('delivery', () => {
    const confirmedOrder = async (customer: Customer, paymentMethod = 'UPI') => {
      const order = await place(customer, paymentMethod);
      await publish(reserved(order));
      if (paymentMethod !== 'COD') {
        await statusBecomes(customer, order.id, 'AWAITING_PAYMENT');
        await publish(paid(order, paymentMethod));
      }
      await statusBecomes(customer, order.id, 'CONFIRMED');
      return order;
    };
    const delivery = { deliveryId: randomUUID(), partnerId: randomUUID() };
    const started = (order: Order) =>
      from('delivery-service', 'delivery.started', { ...delivery, orderId: order.id, userId: order.userId });
    const completed = (order: Order, deliveredAt = new Date()) =>
      from('delivery-service', 'delivery.completed', {
        ...delivery,
        orderId: order.id,
        userId: order.userId,
        deliveredAt: deliveredAt.toISOString(),
      });
    const steps = (order: { history: { status: string; actor: string; reason: string }[] }) =>
      order.history.map((h) => [h.status, h.actor, h.reason]);

    it('when a confirmed order is picked up and handed over, then it goes through PACKED and OUT_FOR_DELIVERY to DELIVERED, order.completed is emitted, and redeliveries change nothing', async () => {
      const customer = t.newCustomer();
      const order = await confirmedOrder(customer);
      const pickup = started(order);
      await publish(pickup, pickup);
      const out = await statusBecomes(customer, order.id, 'OUT_FOR_DELIVERY');
      expect(steps(out).slice(-2)).toEqual([
        ['PACKED', 'system:delivery-service', `PICKED_UP by partner ${delivery.partnerId}`],
        ['OUT_FOR_DELIVERY', 'system:delivery-service', `PICKED_UP by partner ${delivery.partnerId}`],
      ]);

      const deliveredAt = new Date(Date.now() - 5_000);
      const handOver = completed(order, deliveredAt);
      await publish(handOver, handOver, started(order));
      const delivered = await statusBecomes(customer, order.id, 'DELIVERED');
      await new Promise((r) => setTimeout(r, 1_500));
      const after = await read(customer, order.id);
      expect(after.version).toBe(delivered.version);
      expect(steps(after).map(([status]) => status)).toEqual([
        'PENDING',
        'AWAITING_PAYMENT',
        'CONFIRMED',
        'PACKED',
        'OUT_FOR_DELIVERY',
        'DELIVERED',
      ]);
      expect(await typesWritten(order.id)).toEqual([
        'order.created',
        'order.updated',
        'order.confirmed',
        'order.updated',
        'order.updated',
        'order.completed',
      ]);
      const events = await written(order.id);
      expect(events.at(-1)).toMatchObject({
        causationid: handOver.id,
        data: { orderId: order.id, userId: customer.userId, deliveredAt: deliveredAt.toISOString() },
      });
      expect(events.at(-2)).toMatchObject({ causationid: pickup.id, data: { status: 'OUT_FOR_DELIVERY', previousStatus: 'PACKED' } });
    }, 60_000);

    it('when an admin already dispatched and delivered a COD order, then the delivery events and the cash’s payment.completed change nothing', async () => {
      const customer = t.newCustomer();
      const order = await confirmedOrder(customer, 'COD');
      for (const verb of ['pack', 'dispatch', 'deliver']) {
        expect((await t.api().post(`/api/v1/orders/${order.id}/${verb}`).set('authorization', t.admin).send({})).status).toBe(200);
      }
      const before = await read(customer, order.id);
      // payment-service announces the cash collected at the door: the order is already delivered.
      await publish(started(order), completed(order), paid(order, 'COD'));
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await read(customer, order.id)).toEqual(before);
      expect((await typesWritten(order.id)).filter((type) => type === 'order.completed')).toHaveLength(1);
    }, 60_000);

    it('when a delivery fails, then the order stays OUT_FOR_DELIVERY with the failure in its history, once; a scheduled delivery moves nothing', async () => {
      const customer = t.newCustomer();
      const order = await confirmedOrder(customer);
      const confirmed = await read(customer, order.id);
      await publish(from('delivery-service', 'delivery.scheduled', { ...delivery, orderId: order.id, etaMinutes: 12 }));
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await read(customer, order.id)).toEqual(confirmed);

      await publish(started(order));
      await statusBecomes(customer, order.id, 'OUT_FOR_DELIVERY');
      const failure = from('delivery-service', 'delivery.failed', { ...delivery, orderId: order.id, reason: 'CUSTOMER_UNREACHABLE' });
      await publish(failure, failure);
      const noted = await eventually(async () => {
        const o = await read(customer, order.id);
        return o.history.at(-1).reason?.startsWith('DELIVERY_FAILED') && o;
      }, 30_000);
      await new Promise((r) => setTimeout(r, 1_000));
      const after = await read(customer, order.id);
      expect(after.status).toBe('OUT_FOR_DELIVERY');
      expect(noted.history.at(-1)).toMatchObject({
        status: 'OUT_FOR_DELIVERY',
        actor: 'system:delivery-service',
        reason: `DELIVERY_FAILED: CUSTOMER_UNREACHABLE (partner ${delivery.partnerId})`,
      });
      expect(after.history.filter((h: { reason: string }) => h.reason?.startsWith('DELIVERY_FAILED'))).toHaveLength(1);
      // The admin API still refuses a move the state machine does not allow.
      const cancel = await t.api().post(`/api/v1/orders/${order.id}/cancel`).set('authorization', t.admin).send({});
      expect({ status: cancel.status, errorCode: cancel.body.errorCode }).toEqual({ status: 409, errorCode: 'ORDER_NOT_CANCELLABLE' });
    }, 60_000);
  });
});
