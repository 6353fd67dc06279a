import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { newEvent, type CatalogEvent, type EventType } from '@qc/shared/events';
import { eventually, outboxEvents, startServiceUnderTest, type ServiceUnderTest, type ServiceUnderTestOptions } from '@qc/shared/testing';
import type { PaymentSettings } from '../src/config';
import { ACCOUNTS } from '../src/data/wallet.repository';
import { followOrderUpdated, recordOrder } from '../src/domain/payments';
import { creditWallet } from '../src/domain/wallet';
import { SandboxPsp } from '../src/sandbox-psp/sandbox-psp';
import { definition } from '../src/service';

/** payment-service on its own schema, with the real sandbox PSP in-process and its webhooks pointed at the service. */
export interface PaymentServiceUnderTest extends ServiceUnderTest<PaymentSettings> {
  api: () => ReturnType<typeof request>;
  psp: SandboxPsp;
  pspUrl: string;
  webhookSecret: string;
  webhookUrl: string;
}

export interface StartPaymentOptions extends Omit<ServiceUnderTestOptions, 'label'> {
  /** How long the PSP keeps a `pending@upi` / 3220-card payment processing. */
  asyncConfirmMs?: number;
  webhookRetryBaseMs?: number;
}

/** Starts the sandbox PSP, then payment-service against it; `stop` stops both and drops the schema. */
export async function startPaymentService(label: string, options: StartPaymentOptions = {}): Promise<PaymentServiceUnderTest> {
  const apiKey = `sk_test_${randomBytes(16).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
  const psp = new SandboxPsp({
    apiKey,
    webhookSecret,
    webhookUrl: 'http://127.0.0.1:9/unset',
    asyncConfirmMs: options.asyncConfirmMs ?? 300,
    webhookRetryBaseMs: options.webhookRetryBaseMs ?? 100,
  });
  const pspUrl = await psp.listen(0);
  const underTest = await startServiceUnderTest(definition, {
    ...options,
    label,
    env: {
      PAYMENT_PROVIDER_URL: pspUrl,
      PAYMENT_PROVIDER_API_KEY: apiKey,
      PAYMENT_WEBHOOK_SECRET: webhookSecret,
      PAYMENT_WORKER_INTERVAL_MS: '200',
      ...options.env,
    },
  });
  const webhookUrl = `http://127.0.0.1:${underTest.service.port}/api/v1/webhooks/payments`;
  psp.deliverWebhooksTo(webhookUrl);
  return {
    ...underTest,
    api: () => request(underTest.service.server),
    psp,
    pspUrl,
    webhookSecret,
    webhookUrl,
    stop: async () => {
      await psp.close();
      await underTest.stop();
    },
  };
}

export const inr = (amount: number) => ({ amount, currency: 'INR' as const });

export interface TestOrder {
  orderId: string;
  userId: string;
  created: CatalogEvent<'order.created'>;
}

/** order-service's order.created for a one-line order of `amount` paise. */
export function orderCreatedEvent(
  method: 'WALLET' | 'CARD' | 'UPI' | 'COD',
  amount: number,
  userId: string = randomUUID(),
): CatalogEvent<'order.created'> {
  const orderId = randomUUID();
  return newEvent(
    'order-service',
    'order.created',
    {
      orderId,
      userId,
      storeId: randomUUID(),
      items: [{ productId: randomUUID(), quantity: 1, unitPrice: inr(amount) }],
      total: inr(amount),
      paymentMethod: method,
    },
    { subject: orderId },
  );
}

export function orderUpdatedEvent(created: CatalogEvent<'order.created'>, status: string): CatalogEvent<'order.updated'> {
  const { orderId, userId } = created.data;
  return newEvent(
    'order-service',
    'order.updated',
    { orderId, userId, status, previousStatus: 'PENDING' },
    { subject: orderId, causedBy: created },
  );
}

export function orderCancelledEvent(created: CatalogEvent<'order.created'>, paid: boolean): CatalogEvent<'order.cancelled'> {
  const { orderId, userId } = created.data;
  return newEvent(
    'order-service',
    'order.cancelled',
    { orderId, userId, reason: 'CUSTOMER_CANCELLED', paid },
    { subject: orderId, causedBy: created },
  );
}

/**
 * An order waiting for payment, as the consumer would leave it after order.created and
 * order.updated(AWAITING_PAYMENT), applied through the same domain functions in one transaction
 * (the Kafka path has its own test). A WALLET order is paid (or refused) by this.
 */
export async function awaitingPaymentOrder(
  underTest: PaymentServiceUnderTest,
  method: 'WALLET' | 'CARD' | 'UPI' | 'COD',
  amount: number,
  userId: string = randomUUID(),
): Promise<TestOrder> {
  const created = orderCreatedEvent(method, amount, userId);
  await underTest.service.deps.outbox.transaction(async (tx, emit) => {
    await recordOrder(tx, created.data, created);
    const updated = orderUpdatedEvent(created, 'AWAITING_PAYMENT');
    await followOrderUpdated(tx, emit, updated.data, updated);
  });
  return { orderId: created.data.orderId, userId, created };
}

/** Puts money into a wallet as a settled top-up would (the top-up flow through the PSP has its own test). */
export async function fundWallet(underTest: PaymentServiceUnderTest, userId: string, amount: number): Promise<void> {
  await underTest.service.deps.outbox.transaction((tx) =>
    creditWallet(tx, { userId, amount, kind: 'TOPUP', reference: randomUUID(), source: ACCOUNTS.provider('sandbox') }),
  );
}

export type ConfirmDetails = { card: { number: string } } | { upi: { vpa: string } };

/** What the customer's app does: confirm the intent at the PSP with a test value. */
export async function confirmAtPsp(nextAction: { url: string }, clientSecret: string, details: ConfirmDetails): Promise<Response> {
  return fetch(nextAction.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientSecret, ...details }),
  });
}

/** The events of `type` about one order in the service's outbox, once there are `count` of them. */
export function outboxEventsOf<T extends EventType>(
  underTest: PaymentServiceUnderTest,
  type: T,
  subject: string,
  count = 1,
  timeoutMs = 15_000,
): Promise<CatalogEvent<T>[]> {
  return eventually(async () => {
    const events = (await outboxEvents(underTest.schema, type)).filter((e) => e.subject === subject);
    return events.length >= count && events;
  }, timeoutMs);
}
