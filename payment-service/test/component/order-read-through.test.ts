import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { Producer } from 'kafkajs';
import { newEvent, type CatalogEvent } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { eventually, outboxEvents, testKafka } from '@qc/shared/testing';
import { startOrderService, type Customer, type OrderServiceUnderTest } from '../../../order-service/test/fixtures';
import { findOrder } from '../../src/data/orders.repository';
import { awaitingPaymentOrder, outboxEventsOf, startPaymentService, type PaymentServiceUnderTest } from '../fixtures';

/**
 * A customer who starts paying the moment order-service shows their order AWAITING_PAYMENT, before
 * order-service's events have reached payment-service. The real order-service runs beside it with
 * its outbox relay stopped (its fixture does that), so its events reach Kafka only when a test
 * publishes them itself: payment-service's consumer has not seen an order until the test says so.
 * Both services trust the same token issuer, so the customer's token is relayed for real.
 */
describe('paying an order whose events have not arrived yet', () => {
  let orders: OrderServiceUnderTest;
  let payments: PaymentServiceUnderTest;
  let producer: Producer;
  let product: string;

  beforeAll(async () => {
    orders = await startOrderService('payment_read_through_orders');
    payments = await startPaymentService('payment_read_through', {
      env: { ORDER_SERVICE_URL: `http://127.0.0.1:${orders.service.port}`, JWKS_URL: orders.issuer.jwksUrl },
    });
    producer = testKafka('payment-read-through-test').producer();
    await producer.connect();
    product = await orders.catalog.product(23_500);
  }, 120_000);
  afterAll(async () => {
    await producer?.disconnect();
    await payments?.stop();
    await orders?.stop();
  }, 30_000);

  type Order = { id: string; userId: string; storeId: string; status: string; pricing: { total: { amount: number } } };

  const place = async (customer: Customer, paymentMethod = 'CARD'): Promise<Order> => {
    const res = await orders
      .api()
      .post('/api/v1/orders')
      .set('authorization', customer.bearer)
      .set('idempotency-key', randomUUID())
      .send({ addressId: customer.addressId, paymentMethod, items: [{ productId: product, quantity: 1 }] });
    if (res.status !== 201) throw new Error(`order not placed: ${res.status} ${res.text}`);
    return res.body.data;
  };

  /** inventory-service's answer, as it would publish it: order-service moves the order to AWAITING_PAYMENT. */
  const reserve = async (customer: Customer, order: Order): Promise<void> => {
    const reserved = newEvent(
      'inventory-service',
      'inventory.reserved',
      {
        orderId: order.id,
        reservationId: randomUUID(),
        storeId: order.storeId,
        items: [{ productId: product, quantity: 1 }],
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
      },
      { subject: order.id },
    );
    await producer.send({ topic: eventsTopic('inventory-service'), messages: [{ key: order.id, value: JSON.stringify(reserved) }] });
    await eventually(async () => {
      const res = await orders.api().get(`/api/v1/orders/${order.id}`).set('authorization', customer.bearer);
      return res.body.data?.status === 'AWAITING_PAYMENT';
    }, 30_000);
  };

  /** An order order-service shows AWAITING_PAYMENT and payment-service has never heard of. */
  const awaitingPaymentUnseen = async (customer: Customer): Promise<Order> => {
    const order = await place(customer);
    await reserve(customer, order);
    expect(await findOrder(payments.service.deps.dataSource, order.id)).toBeUndefined();
    return order;
  };

  const startPayment = (bearer: string, orderId: string) =>
    payments.api().post('/api/v1/payments').set('authorization', bearer).set('idempotency-key', randomUUID()).send({ orderId });

  /** order-service's events about the order (held in its outbox), oldest first. */
  const eventsOf = async (orderId: string, ...types: string[]): Promise<CatalogEvent[]> =>
    (await outboxEvents(orders.schema)).filter((e) => e.subject === orderId && types.includes(e.type));

  /** Delivers the events late, as the relay would have, and waits until payment-service's consumer has processed each one. */
  const deliverLate = async (events: CatalogEvent[]): Promise<void> => {
    await producer.send({
      topic: eventsTopic('order-service'),
      messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
    });
    await eventually(async () => {
      const rows: unknown[] = await payments.service.deps.dataSource.query(
        `SELECT event_id FROM processed_events WHERE event_id IN (${events.map(() => '?').join(', ')})`,
        events.map((e) => e.id),
      );
      return rows.length === events.length;
    }, 30_000);
  };

  const paymentsOf = (orderId: string): Promise<{ id: string }[]> =>
    payments.service.deps.dataSource.query('SELECT id FROM payments WHERE order_id = ?', [orderId]);

  it('when order-service shows the order AWAITING_PAYMENT and payment-service has not seen it, then the first call starts the payment and the late events change nothing', async () => {
    const customer = orders.newCustomer();
    const order = await awaitingPaymentUnseen(customer);

    const started = await startPayment(customer.bearer, order.id);
    expect(started.status).toBe(201);
    expect(started.body.data).toMatchObject({
      orderId: order.id,
      userId: customer.userId,
      status: 'PENDING',
      method: 'CARD',
      amount: { amount: order.pricing.total.amount, currency: 'INR' },
      nextAction: { type: 'confirm_with_provider' },
    });
    const recorded = await findOrder(payments.service.deps.dataSource, order.id);
    expect(recorded).toMatchObject({
      userId: customer.userId,
      amount: order.pricing.total.amount,
      method: 'CARD',
      status: 'AWAITING_PAYMENT',
    });

    await deliverLate(await eventsOf(order.id, 'order.created', 'order.updated'));
    expect(await findOrder(payments.service.deps.dataSource, order.id)).toEqual(recorded);
    expect(await paymentsOf(order.id)).toEqual([{ id: started.body.data.paymentId }]);
    expect(await outboxEventsOf(payments, 'payment.initiated', order.id)).toHaveLength(1);
    const again = await startPayment(customer.bearer, order.id);
    expect({ status: again.status, paymentId: again.body.data.paymentId }).toEqual({ status: 200, paymentId: started.body.data.paymentId });
  }, 90_000);

  it('when payment-service knows the order only as placed (order.updated not yet arrived), then it reads the current state and starts the payment', async () => {
    const customer = orders.newCustomer();
    const order = await place(customer, 'UPI');
    await deliverLate(await eventsOf(order.id, 'order.created'));
    expect(await findOrder(payments.service.deps.dataSource, order.id)).toMatchObject({ status: 'PENDING' });
    await reserve(customer, order);

    const started = await startPayment(customer.bearer, order.id);
    expect(started.status).toBe(201);
    expect(started.body.data).toMatchObject({ method: 'UPI', status: 'PENDING' });

    await deliverLate(await eventsOf(order.id, 'order.updated'));
    expect(await findOrder(payments.service.deps.dataSource, order.id)).toMatchObject({ status: 'AWAITING_PAYMENT' });
    expect(await paymentsOf(order.id)).toHaveLength(1);
  }, 90_000);

  it('when two starts and the late events race for an order not seen yet, then there is one order, one payment and one intent', async () => {
    const customer = orders.newCustomer();
    const order = await awaitingPaymentUnseen(customer);
    const late = await eventsOf(order.id, 'order.created', 'order.updated');

    const [first, second] = await Promise.all([
      startPayment(customer.bearer, order.id),
      startPayment(customer.bearer, order.id),
      deliverLate(late),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(first.body.data.paymentId).toBe(second.body.data.paymentId);
    expect(first.body.data.providerPaymentId).toBe(second.body.data.providerPaymentId);
    expect(await paymentsOf(order.id)).toHaveLength(1);
    expect(await outboxEventsOf(payments, 'payment.initiated', order.id)).toHaveLength(1);
    expect(await findOrder(payments.service.deps.dataSource, order.id)).toMatchObject({ status: 'AWAITING_PAYMENT' });
  }, 90_000);

  it('when another customer starts paying the order, then 404 and nothing is recorded; its owner then pays it', async () => {
    const owner = orders.newCustomer();
    const order = await awaitingPaymentUnseen(owner);

    const someoneElse = await startPayment(orders.newCustomer().bearer, order.id);
    expect({ status: someoneElse.status, errorCode: someoneElse.body.errorCode }).toEqual({ status: 404, errorCode: 'ORDER_NOT_FOUND' });
    const unknown = await startPayment(owner.bearer, randomUUID());
    expect({ status: unknown.status, errorCode: unknown.body.errorCode }).toEqual({ status: 404, errorCode: 'ORDER_NOT_FOUND' });
    expect(await findOrder(payments.service.deps.dataSource, order.id)).toBeUndefined();

    expect((await startPayment(owner.bearer, order.id)).status).toBe(201);
  }, 90_000);

  it('when order-service shows the order not yet awaiting payment, or paid another way, then 409 or 422 and nothing is recorded', async () => {
    const customer = orders.newCustomer();
    const placed = await place(customer);
    const early = await startPayment(customer.bearer, placed.id);
    expect({ status: early.status, errorCode: early.body.errorCode }).toEqual({ status: 409, errorCode: 'ORDER_NOT_AWAITING_PAYMENT' });
    expect(early.body.error).toContain('PENDING');

    const byWallet = await place(customer, 'WALLET');
    await reserve(customer, byWallet);
    const wallet = await startPayment(customer.bearer, byWallet.id);
    expect({ status: wallet.status, errorCode: wallet.body.errorCode }).toEqual({ status: 422, errorCode: 'PAYMENT_METHOD_NOT_ONLINE' });

    expect(await findOrder(payments.service.deps.dataSource, placed.id)).toBeUndefined();
    expect(await findOrder(payments.service.deps.dataSource, byWallet.id)).toBeUndefined();
  }, 90_000);
});

describe('paying an order when order-service cannot be reached', () => {
  let payments: PaymentServiceUnderTest;

  beforeAll(async () => {
    // A port nothing listens on: every call to order-service is refused at once.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    payments = await startPaymentService('payment_read_through_down', { env: { ORDER_SERVICE_URL: `http://127.0.0.1:${port}` } });
  }, 60_000);
  afterAll(() => payments?.stop(), 30_000);

  const startPayment = (userId: string, orderId: string) =>
    payments
      .api()
      .post('/api/v1/payments')
      .set('authorization', payments.issuer.bearer({ userId }))
      .set('idempotency-key', randomUUID())
      .send({ orderId });

  it('when the order is not known yet, then 503 with Retry-After (not 404), and once the breaker opens it answers at once, shown in /metrics', async () => {
    const userId = randomUUID();
    const first = await startPayment(userId, randomUUID());
    expect({ status: first.status, errorCode: first.body.errorCode }).toEqual({ status: 503, errorCode: 'DEPENDENCY_UNAVAILABLE' });
    expect(first.body.error).toContain('order-service');
    expect(first.headers['retry-after']).toBeDefined();

    for (let i = 0; i < 5; i++) expect((await startPayment(userId, randomUUID())).status).toBe(503);
    const open = await startPayment(userId, randomUUID());
    expect({ status: open.status, retryAfter: open.headers['retry-after'] }).toEqual({ status: 503, retryAfter: '10' });
    const metrics = await payments.api().get('/metrics');
    expect(metrics.text).toMatch(/circuit_breaker_state\{[^}]*upstream="order-service"[^}]*\} 2/);
  });

  it('when the order is already known as awaiting payment, then it is paid without asking order-service', async () => {
    const order = await awaitingPaymentOrder(payments, 'CARD', 8_800);
    const started = await startPayment(order.userId, order.orderId);
    expect(started.status).toBe(201);
  });
});
