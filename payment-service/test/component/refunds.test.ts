import { randomUUID } from 'node:crypto';
import { eventually } from '@qc/shared/testing';
import { findPaymentOfOrder } from '../../src/data/payments.repository';
import { followOrderCancelled } from '../../src/domain/payments';
import {
  awaitingPaymentOrder,
  confirmAtPsp,
  fundWallet,
  orderCancelledEvent,
  outboxEventsOf,
  startPaymentService,
  type PaymentServiceUnderTest,
  type TestOrder,
} from '../fixtures';

/** Refunds: partial or full, to the card or the wallet, never more than captured, automatic when a paid order is cancelled. */
describe('refunds', () => {
  let payments: PaymentServiceUnderTest;
  let admin: string;

  beforeAll(async () => {
    payments = await startPaymentService('payment_refunds');
    admin = payments.issuer.bearer({ role: 'admin' });
  }, 60_000);
  afterAll(() => payments?.stop(), 30_000);

  const customer = (userId: string) => payments.issuer.bearer({ userId });
  const paymentOf = async (paymentId: string) =>
    (await payments.api().get(`/api/v1/payments/${paymentId}`).set('authorization', admin)).body.data;
  const refund = (paymentId: string, body: object, key = randomUUID()) =>
    payments.api().post(`/api/v1/payments/${paymentId}/refunds`).set('authorization', admin).set('idempotency-key', key).send(body);
  const intentAtPsp = async (providerPaymentId: string) =>
    (await (
      await fetch(`${payments.pspUrl}/v1/payment_intents/${providerPaymentId}`, {
        headers: { authorization: `Bearer ${payments.service.deps.settings.PAYMENT_PROVIDER_API_KEY}` },
      })
    ).json()) as { amountRefunded: number };

  /** A card order paid at the PSP (the webhook applied). */
  async function paidByCard(amount: number): Promise<TestOrder & { paymentId: string; providerPaymentId: string }> {
    const order = await awaitingPaymentOrder(payments, 'CARD', amount);
    const started = await payments
      .api()
      .post('/api/v1/payments')
      .set('authorization', customer(order.userId))
      .set('idempotency-key', randomUUID())
      .send({ orderId: order.orderId });
    const { paymentId, providerPaymentId, nextAction, clientSecret } = started.body.data;
    await confirmAtPsp(nextAction, clientSecret, { card: { number: '4242424242424242' } });
    await outboxEventsOf(payments, 'payment.completed', order.orderId);
    return { ...order, paymentId, providerPaymentId };
  }

  it('when an admin refunds part of a card payment, then the PSP refunds it and payment.refunded says how much in all', async () => {
    const paid = await paidByCard(40_000);
    const res = await refund(paid.paymentId, { amount: { amount: 15_000, currency: 'INR' }, reason: 'two items missing' });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      paymentId: paid.paymentId,
      amount: { amount: 15_000 },
      destination: 'original',
      status: 'SUCCEEDED',
    });
    const [refunded] = await outboxEventsOf(payments, 'payment.refunded', paid.orderId);
    expect(refunded!.data).toMatchObject({
      paymentId: paid.paymentId,
      refundId: res.body.data.refundId,
      amount: { amount: 15_000 },
      refundedTotal: { amount: 15_000 },
      destination: 'original',
    });
    expect((await intentAtPsp(paid.providerPaymentId)).amountRefunded).toBe(15_000);

    const rest = await refund(paid.paymentId, { reason: 'order refunded in full' });
    expect(rest.body.data.amount.amount).toBe(25_000);
    const tooMuch = await refund(paid.paymentId, { amount: { amount: 1, currency: 'INR' }, reason: 'again' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.errorCode).toBe('REFUND_EXCEEDS_CAPTURED');
    expect(await paymentOf(paid.paymentId)).toMatchObject({
      refundedAmount: { amount: 40_000 },
      refunds: [expect.anything(), expect.anything()],
    });
  });

  it('when ten refunds of 30 % run at once, then at most what was captured is refunded (three), here and at the PSP', async () => {
    const paid = await paidByCard(10_000);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => refund(paid.paymentId, { amount: { amount: 3_000, currency: 'INR' }, reason: 'race' })),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
    expect(answers.filter((r) => r.status === 422).every((r) => r.body.errorCode === 'REFUND_EXCEEDS_CAPTURED')).toBe(true);
    expect(answers.filter((r) => r.status === 422)).toHaveLength(7);
    expect((await paymentOf(paid.paymentId)).refundedAmount.amount).toBe(9_000);
    expect((await intentAtPsp(paid.providerPaymentId)).amountRefunded).toBe(9_000);
  });

  it('when an admin refunds a card payment to the wallet, then the wallet is credited at once', async () => {
    const paid = await paidByCard(12_000);
    const res = await refund(paid.paymentId, { amount: { amount: 2_000, currency: 'INR' }, destination: 'wallet', reason: 'goodwill' });
    expect(res.body.data).toMatchObject({ status: 'SUCCEEDED', destination: 'wallet' });
    const wallet = await payments.api().get('/api/v1/wallet').set('authorization', customer(paid.userId));
    expect(wallet.body.data.balance.amount).toBe(2_000);
    expect((await intentAtPsp(paid.providerPaymentId)).amountRefunded).toBe(0);
  });

  it('when a refund is asked wrongly (not an admin, bad body, unknown payment, nothing captured), then it is refused and nothing is refunded', async () => {
    const paid = await paidByCard(5_000);
    expect(
      (
        await payments
          .api()
          .post(`/api/v1/payments/${paid.paymentId}/refunds`)
          .set('authorization', customer(paid.userId))
          .set('idempotency-key', randomUUID())
          .send({ reason: 'me' })
      ).status,
    ).toBe(403);
    expect((await refund(paid.paymentId, { amount: { amount: 0, currency: 'INR' }, reason: 'zero' })).status).toBe(400);
    expect((await refund(paid.paymentId, { reason: '' })).status).toBe(400);
    expect((await refund(paid.paymentId, { reason: 'x', destination: 'bank' })).status).toBe(400);
    expect((await refund(randomUUID(), { reason: 'x' })).status).toBe(404);
    const cod = await awaitingPaymentOrder(payments, 'COD', 5_000);
    const codPayment = (await findPaymentOfOrder(payments.service.deps.dataSource, cod.orderId))!;
    expect(codPayment.status).toBe('PENDING_COLLECTION');
    const nothing = await refund(codPayment.id, { reason: 'nothing was paid' });
    expect(nothing.status).toBe(422);
    expect(nothing.body.errorCode).toBe('PAYMENT_NOT_REFUNDABLE');
    expect((await paymentOf(paid.paymentId)).refundedAmount.amount).toBe(0);
  });

  it('when a paid WALLET order is cancelled, then the whole amount goes back to the wallet and payment.refunded is emitted', async () => {
    const userId = randomUUID();
    await fundWallet(payments, userId, 8_000);
    const order = await awaitingPaymentOrder(payments, 'WALLET', 8_000, userId);
    await outboxEventsOf(payments, 'payment.completed', order.orderId);
    const cancelled = orderCancelledEvent(order.created, true);
    await payments.service.deps.outbox.transaction((tx, emit) => followOrderCancelled(tx, emit, cancelled.data, cancelled));
    const [refunded] = await outboxEventsOf(payments, 'payment.refunded', order.orderId);
    expect(refunded!.data).toMatchObject({ amount: { amount: 8_000 }, refundedTotal: { amount: 8_000 }, destination: 'original' });
    expect(refunded!.correlationid).toBe(order.created.correlationid);
    const wallet = await payments.api().get('/api/v1/wallet').set('authorization', customer(userId));
    expect(wallet.body.data.balance.amount).toBe(8_000);
    expect(wallet.body.data.entries.map((e: { kind: string }) => e.kind)).toEqual(['REFUND', 'PAYMENT', 'TOPUP']);
  });

  it('when a paid card order is cancelled, then the refund worker refunds it at the PSP', async () => {
    const paid = await paidByCard(7_700);
    const cancelled = orderCancelledEvent(paid.created, true);
    await payments.service.deps.outbox.transaction((tx, emit) => followOrderCancelled(tx, emit, cancelled.data, cancelled));
    const [refunded] = await outboxEventsOf(payments, 'payment.refunded', paid.orderId);
    expect(refunded!.data).toMatchObject({ amount: { amount: 7_700 }, destination: 'original' });
    expect((await intentAtPsp(paid.providerPaymentId)).amountRefunded).toBe(7_700);
  });

  it('when the customer pays at the PSP after the order was cancelled, then the capture is recorded and refunded in full', async () => {
    const order = await awaitingPaymentOrder(payments, 'UPI', 6_600);
    const started = await payments
      .api()
      .post('/api/v1/payments')
      .set('authorization', customer(order.userId))
      .set('idempotency-key', randomUUID())
      .send({ orderId: order.orderId });
    const cancelled = orderCancelledEvent(order.created, false);
    await payments.service.deps.outbox.transaction((tx, emit) => followOrderCancelled(tx, emit, cancelled.data, cancelled));
    expect((await paymentOf(started.body.data.paymentId)).status).toBe('CANCELLED');

    await confirmAtPsp(started.body.data.nextAction, started.body.data.clientSecret, { upi: { vpa: 'success@upi' } });
    await outboxEventsOf(payments, 'payment.refunded', order.orderId);
    await eventually(async () => (await intentAtPsp(started.body.data.providerPaymentId)).amountRefunded === 6_600);
    expect(await paymentOf(started.body.data.paymentId)).toMatchObject({
      status: 'SUCCEEDED',
      capturedAmount: { amount: 6_600 },
      refundedAmount: { amount: 6_600 },
    });
  });
});
