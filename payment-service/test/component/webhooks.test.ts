import { randomUUID } from 'node:crypto';
import { eventually, outboxEvents, rootQuery } from '@qc/shared/testing';
import { signWebhook } from '../../src/sandbox-psp/sandbox-psp';
import { awaitingPaymentOrder, confirmAtPsp, outboxEventsOf, startPaymentService, type PaymentServiceUnderTest } from '../fixtures';

/**
 * The provider's webhooks, end to end with the real sandbox PSP: a customer pays at the PSP, the
 * PSP calls the signed webhook, the service stores, acknowledges and applies it. Forged, stale and
 * replayed webhooks, and events out of order, change nothing they should not.
 */
describe('payment webhooks', () => {
  let payments: PaymentServiceUnderTest;

  beforeAll(async () => {
    payments = await startPaymentService('payment_webhooks');
  }, 60_000);
  afterAll(() => payments?.stop(), 30_000);

  const customer = (userId: string) => payments.issuer.bearer({ userId });

  /** A CARD/UPI order waiting for payment, and its payment started by the customer. */
  async function startedPayment(method: 'CARD' | 'UPI' = 'CARD', amount = 25_000) {
    const order = await awaitingPaymentOrder(payments, method, amount);
    const res = await payments
      .api()
      .post('/api/v1/payments')
      .set('authorization', customer(order.userId))
      .set('idempotency-key', randomUUID())
      .send({ orderId: order.orderId });
    expect(res.status).toBe(201);
    return { order, payment: res.body.data };
  }

  const paymentOf = async (paymentId: string, userId: string) =>
    (await payments.api().get(`/api/v1/payments/${paymentId}`).set('authorization', customer(userId))).body.data;

  const providerEventCount = async () =>
    Number(((await rootQuery(`SELECT COUNT(*) AS n FROM \`${payments.schema.name}\`.provider_events`)) as { n: number }[])[0]!.n);

  /** A provider event about a payment intent, as the PSP would send it. */
  const intentEvent = (
    type: string,
    payment: { paymentId: string; providerPaymentId: string; amount: { amount: number } },
    lastPaymentError: unknown = null,
  ) =>
    JSON.stringify({
      id: `evt_test_${randomUUID()}`,
      type,
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: payment.providerPaymentId,
          object: 'payment_intent',
          amount: payment.amount.amount,
          currency: 'INR',
          status: type.endsWith('succeeded') ? 'succeeded' : 'failed',
          metadata: { kind: 'payment', reference: payment.paymentId },
          lastPaymentError,
        },
      },
    });

  const postWebhook = (body: string, signature?: string) => {
    const req = payments.api().post('/api/v1/webhooks/payments').set('content-type', 'application/json');
    return (signature === undefined ? req : req.set('psp-signature', signature)).send(body);
  };

  it('when a card payment is confirmed at the PSP, then its webhook completes the payment and payment.completed is in the outbox', async () => {
    const { order, payment } = await startedPayment('CARD', 34_900);
    expect(payment).toMatchObject({
      orderId: order.orderId,
      status: 'PENDING',
      method: 'CARD',
      provider: 'sandbox',
      amount: { amount: 34_900, currency: 'INR' },
      providerPaymentId: expect.stringMatching(/^pi_/),
      clientSecret: expect.stringMatching(/_secret_/),
      nextAction: { type: 'confirm_with_provider', url: `${payments.pspUrl}/v1/payment_intents/${payment.providerPaymentId}/confirm` },
    });
    expect(await outboxEventsOf(payments, 'payment.initiated', order.orderId)).toHaveLength(1);

    const confirmed = await confirmAtPsp(payment.nextAction, payment.clientSecret, { card: { number: '4242 4242 4242 4242' } });
    expect(confirmed.status).toBe(200);

    const [completed] = await outboxEventsOf(payments, 'payment.completed', order.orderId);
    expect(completed!.data).toEqual({
      paymentId: payment.paymentId,
      orderId: order.orderId,
      amount: { amount: 34_900, currency: 'INR' },
      method: 'CARD',
      userId: order.userId,
    });
    expect(completed!.correlationid).toBe(order.created.correlationid);
    expect(await paymentOf(payment.paymentId, order.userId)).toMatchObject({
      status: 'SUCCEEDED',
      capturedAmount: { amount: 34_900 },
      clientSecret: null,
      nextAction: null,
    });
  });

  it('when the customer starts paying twice (another key, or the same one), then there is one payment and one provider intent', async () => {
    const { order, payment } = await startedPayment();
    const again = await payments
      .api()
      .post('/api/v1/payments')
      .set('authorization', customer(order.userId))
      .set('idempotency-key', randomUUID())
      .send({ orderId: order.orderId });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ paymentId: payment.paymentId, providerPaymentId: payment.providerPaymentId });
    const someoneElse = await payments
      .api()
      .post('/api/v1/payments')
      .set('authorization', customer(randomUUID()))
      .set('idempotency-key', randomUUID())
      .send({ orderId: order.orderId });
    expect(someoneElse.status).toBe(404);
  });

  it('when a card is declined at the PSP, then payment.failed carries the decline reason', async () => {
    const { order, payment } = await startedPayment();
    const declined = await confirmAtPsp(payment.nextAction, payment.clientSecret, { card: { number: '4000000000000002' } });
    expect((await declined.json()) as object).toMatchObject({ status: 'failed', lastPaymentError: { code: 'card_declined' } });
    const [failed] = await outboxEventsOf(payments, 'payment.failed', order.orderId);
    expect(failed!.data).toMatchObject({ paymentId: payment.paymentId, reason: 'CARD_DECLINED', method: 'CARD' });
    expect(await outboxEvents(payments.schema, 'payment.completed').then((all) => all.filter((e) => e.subject === order.orderId))).toEqual(
      [],
    );
  });

  it('when a UPI payment needs the customer’s approval, then it is processing first and completes when the PSP confirms it later', async () => {
    const { order, payment } = await startedPayment('UPI');
    const res = await confirmAtPsp(payment.nextAction, payment.clientSecret, { upi: { vpa: 'pending@upi' } });
    expect((await res.json()) as object).toMatchObject({ status: 'processing' });
    expect((await paymentOf(payment.paymentId, order.userId)).status).toBe('PENDING');
    await outboxEventsOf(payments, 'payment.completed', order.orderId);
    expect((await paymentOf(payment.paymentId, order.userId)).status).toBe('SUCCEEDED');
  });

  it('when a webhook is unsigned, signed with another secret, or its body was changed after signing, then it is refused with 401 and nothing is stored', async () => {
    const { payment } = await startedPayment();
    const body = intentEvent('payment_intent.succeeded', payment);
    const before = await providerEventCount();

    const unsigned = await postWebhook(body);
    expect(unsigned.status).toBe(401);
    expect(unsigned.body).toMatchObject({ success: false, errorCode: 'WEBHOOK_SIGNATURE_INVALID' });
    expect((await postWebhook(body, signWebhook('whsec_not_the_shared_secret_at_all', body))).status).toBe(401);
    expect((await postWebhook(body.replace('"amount":25000', '"amount":1'), signWebhook(payments.webhookSecret, body))).status).toBe(401);
    expect((await postWebhook(body, 't=abc,v1=00')).status).toBe(401);

    expect(await providerEventCount()).toBe(before);
    expect((await paymentOf(payment.paymentId, payment.userId)).status).toBe('PENDING');
  });

  it('when a correctly signed webhook is older than five minutes, then it is refused as stale', async () => {
    const { payment } = await startedPayment();
    const body = intentEvent('payment_intent.succeeded', payment);
    const stale = await postWebhook(body, signWebhook(payments.webhookSecret, body, Math.floor(Date.now() / 1000) - 301));
    expect(stale.status).toBe(401);
    expect(stale.body.errorCode).toBe('WEBHOOK_TIMESTAMP_STALE');
    const fresh = await postWebhook(body, signWebhook(payments.webhookSecret, body, Math.floor(Date.now() / 1000) - 240));
    expect(fresh.status).toBe(200);
  });

  it('when the same event is delivered again (a replay, or the PSP resending it), then it is acknowledged and changes nothing', async () => {
    const { order, payment } = await startedPayment();
    const body = intentEvent('payment_intent.succeeded', payment);
    const signature = signWebhook(payments.webhookSecret, body);
    const first = await postWebhook(body, signature);
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ received: true, duplicate: false });
    const replayed = await postWebhook(body, signature);
    expect(replayed.status).toBe(200);
    expect(replayed.body.data).toMatchObject({ received: true, duplicate: true, eventId: first.body.data.eventId });

    await outboxEventsOf(payments, 'payment.completed', order.orderId);

    // The PSP's own resend of an event it already delivered, for a payment confirmed at the PSP.
    const paid = await startedPayment();
    await confirmAtPsp(paid.payment.nextAction, paid.payment.clientSecret, { card: { number: '4242424242424242' } });
    await outboxEventsOf(payments, 'payment.completed', paid.order.orderId);
    const delivered = payments.psp
      .sentEvents()
      .find(({ event }) => event.type === 'payment_intent.succeeded' && event.data.object.id === paid.payment.providerPaymentId)!;
    const resend = await fetch(`${payments.pspUrl}/v1/events/${delivered.event.id}/resend`, {
      method: 'POST',
      headers: { authorization: `Bearer ${payments.service.deps.settings.PAYMENT_PROVIDER_API_KEY}` },
    });
    expect(resend.status).toBe(202);
    await eventually(async () => delivered.deliveries.length === 2 && delivered.deliveries[1]!.status === 200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const { orderId } of [order, paid.order]) expect(await outboxEventsOf(payments, 'payment.completed', orderId)).toHaveLength(1);
  });

  it('when a late failure arrives after the success, then the payment stays paid and no payment.failed is emitted', async () => {
    const { order, payment } = await startedPayment();
    const succeeded = intentEvent('payment_intent.succeeded', payment);
    expect((await postWebhook(succeeded, signWebhook(payments.webhookSecret, succeeded))).status).toBe(200);
    await outboxEventsOf(payments, 'payment.completed', order.orderId);

    const failed = intentEvent('payment_intent.payment_failed', payment, { code: 'card_declined', message: 'late' });
    expect((await postWebhook(failed, signWebhook(payments.webhookSecret, failed))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const stored = (await rootQuery(
      `SELECT COUNT(*) AS n FROM \`${payments.schema.name}\`.provider_events WHERE processed_at IS NULL`,
    )) as { n: number }[];
    expect(Number(stored[0]!.n)).toBe(0);
    expect((await outboxEvents(payments.schema, 'payment.failed')).filter((e) => e.subject === order.orderId)).toEqual([]);
    expect((await paymentOf(payment.paymentId, order.userId)).status).toBe('SUCCEEDED');
  });
});
