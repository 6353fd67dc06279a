import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { newEvent, type CatalogEvent } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { eventually, testKafka } from '@qc/shared/testing';
import { findPaymentOfOrder } from '../../src/data/payments.repository';
import {
  fundWallet,
  orderCancelledEvent,
  orderCreatedEvent,
  orderUpdatedEvent,
  outboxEventsOf,
  startPaymentService,
  type PaymentServiceUnderTest,
} from '../fixtures';

/** The checkout saga's payment steps through the real broker: order events published to order.events, answers read from the outbox. */
describe('order events through Kafka', () => {
  let payments: PaymentServiceUnderTest;
  let producer: Producer;

  beforeAll(async () => {
    payments = await startPaymentService('payment_orders');
    producer = testKafka('payment-order-events-test').producer();
    await producer.connect();
  }, 60_000);
  afterAll(async () => {
    await producer?.disconnect();
    await payments?.stop();
  }, 30_000);

  const publish = (...events: CatalogEvent[]) =>
    producer.send({ topic: eventsTopic('order-service'), messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });

  it('when a WALLET order is created and then awaits payment, then the wallet pays it and payment.completed is in the outbox', async () => {
    const userId = randomUUID();
    await fundWallet(payments, userId, 20_000);
    const created = orderCreatedEvent('WALLET', 12_500, userId);
    const awaiting = orderUpdatedEvent(created, 'AWAITING_PAYMENT');
    await publish(created, awaiting);

    const [completed] = await outboxEventsOf(payments, 'payment.completed', created.data.orderId, 1, 30_000);
    expect(completed!.data).toMatchObject({
      orderId: created.data.orderId,
      amount: { amount: 12_500, currency: 'INR' },
      method: 'WALLET',
      userId,
    });
    expect(completed!.causationid).toBe(awaiting.id);
    expect(completed!.correlationid).toBe(created.correlationid);
    const wallet = await payments.api().get('/api/v1/wallet').set('authorization', payments.issuer.bearer({ userId }));
    expect(wallet.body.data.balance.amount).toBe(7_500);

    // Redelivered, the pair changes nothing.
    await publish(created, awaiting);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await outboxEventsOf(payments, 'payment.completed', created.data.orderId)).toHaveLength(1);
  });

  it('when a WALLET order awaits payment with too little in the wallet, then payment.failed says INSUFFICIENT_BALANCE', async () => {
    const created = orderCreatedEvent('WALLET', 9_900);
    await publish(created, orderUpdatedEvent(created, 'AWAITING_PAYMENT'));
    const [failed] = await outboxEventsOf(payments, 'payment.failed', created.data.orderId, 1, 30_000);
    expect(failed!.data).toMatchObject({ reason: 'INSUFFICIENT_BALANCE', method: 'WALLET' });
  });

  it('when a COD order is created, then its payment waits for collection, and a cancellation cancels it without a refund', async () => {
    const created = orderCreatedEvent('COD', 4_000);
    await publish(created);
    const payment = await eventually(() => findPaymentOfOrder(payments.service.deps.dataSource, created.data.orderId), 30_000);
    expect(payment).toMatchObject({ method: 'COD', status: 'PENDING_COLLECTION', amount: 4_000, capturedAmount: 0 });
    await publish(orderCancelledEvent(created, false));
    await eventually(
      async () => (await findPaymentOfOrder(payments.service.deps.dataSource, created.data.orderId))?.status === 'CANCELLED',
      30_000,
    );
  });

  const delivered = (created: CatalogEvent<'order.created'>, codCollected?: number) =>
    newEvent(
      'delivery-service',
      'delivery.completed',
      {
        deliveryId: randomUUID(),
        orderId: created.data.orderId,
        partnerId: randomUUID(),
        deliveredAt: new Date().toISOString(),
        userId: created.data.userId,
        ...(codCollected === undefined ? {} : { codCollected: { amount: codCollected, currency: 'INR' as const } }),
      },
      { subject: created.data.orderId },
    );
  const publishDelivery = (...events: CatalogEvent[]) =>
    producer.send({ topic: eventsTopic('delivery-service'), messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });

  it('when the rider collects a COD order’s cash, then its payment is captured and payment.completed says COD, once', async () => {
    const created = orderCreatedEvent('COD', 6_300);
    await publish(created);
    await eventually(() => findPaymentOfOrder(payments.service.deps.dataSource, created.data.orderId), 30_000);
    const handOver = delivered(created, 6_300);
    await publishDelivery(handOver, handOver, delivered(created, 6_300));

    const [completed] = await outboxEventsOf(payments, 'payment.completed', created.data.orderId, 1, 30_000);
    expect(completed!.data).toMatchObject({ orderId: created.data.orderId, amount: { amount: 6_300, currency: 'INR' }, method: 'COD' });
    expect(completed!.causationid).toBe(handOver.id);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await findPaymentOfOrder(payments.service.deps.dataSource, created.data.orderId)).toMatchObject({
      status: 'SUCCEEDED',
      capturedAmount: 6_300,
    });
    expect(await outboxEventsOf(payments, 'payment.completed', created.data.orderId)).toHaveLength(1);
  });

  it('when a cancelled COD order or a prepaid one is handed over, then no payment is collected', async () => {
    const cancelled = orderCreatedEvent('COD', 2_000);
    await publish(cancelled, orderCancelledEvent(cancelled, false));
    await eventually(
      async () => (await findPaymentOfOrder(payments.service.deps.dataSource, cancelled.data.orderId))?.status === 'CANCELLED',
      30_000,
    );
    const prepaid = orderCreatedEvent('UPI', 3_000);
    await publish(prepaid);
    await publishDelivery(delivered(cancelled, 2_000), delivered(prepaid));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await findPaymentOfOrder(payments.service.deps.dataSource, cancelled.data.orderId)).toMatchObject({
      status: 'CANCELLED',
      capturedAmount: 0,
    });
    expect(await outboxEventsOf(payments, 'payment.completed', cancelled.data.orderId, 0)).toHaveLength(0);
    expect(await outboxEventsOf(payments, 'payment.completed', prepaid.data.orderId, 0)).toHaveLength(0);
  });
});
