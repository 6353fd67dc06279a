/**
 * What payment-service needs from a payment service provider (PSP), whoever it is: create a
 * payment intent the customer confirms with the provider, refund what was captured, and read the
 * provider's signed webhooks. The sandbox PSP's adapter (clients/sandbox-provider.ts) is the one
 * implementation today; a real provider's would sit beside it.
 *
 * Every call that moves money carries an idempotency key derived from our own record (a payment,
 * top-up or refund id), so a retried call never charges or refunds twice.
 */

/** What a provider's payment belongs to on our side; it comes back on the provider's events. */
export interface ProviderReference {
  kind: 'payment' | 'topup';
  id: string;
}

export interface CreateIntent {
  /** Paise. */
  amount: number;
  currency: 'INR';
  /** The method the customer chose, when there is one (a top-up takes either). */
  method?: 'CARD' | 'UPI' | undefined;
  reference: ProviderReference;
  idempotencyKey: string;
}

export interface ProviderIntent {
  providerPaymentId: string;
  /** What the customer's app confirms the payment with. */
  clientSecret: string;
}

export interface CreateRefund {
  providerPaymentId: string;
  amount: number;
  /** Our refund id: also the idempotency key. */
  refundId: string;
}

/** A provider event, read from a verified webhook and put in our words. */
export type ProviderEvent =
  | { eventId: string; type: 'payment.succeeded'; providerPaymentId: string; reference: ProviderReference; amount: number }
  | { eventId: string; type: 'payment.failed'; providerPaymentId: string; reference: ProviderReference; reason: string }
  | { eventId: string; type: 'refund.succeeded'; providerRefundId: string; refundId: string }
  /** Anything else the provider tells us (a payment now processing): stored, acknowledged, acted on by nobody. */
  | { eventId: string; type: 'ignored'; providerType: string };

export interface PaymentProvider {
  readonly name: string;
  createIntent(intent: CreateIntent): Promise<ProviderIntent>;
  /** Where the customer's app confirms a payment intent with the provider. */
  confirmUrl(providerPaymentId: string): string;
  /** Resolves with the provider's refund id once the provider accepted the refund. */
  refund(refund: CreateRefund): Promise<{ providerRefundId: string }>;
  /**
   * Checks a webhook's signature against its raw bytes and reads its event; throws the domain's
   * `unauthenticated` error for a missing, wrong or stale signature.
   */
  readWebhook(rawBody: Buffer, signature: string | undefined, now: Date): ProviderEvent;
}

/** The provider answered that it will not do this, however often it is asked (a refund above what it captured). */
export class ProviderRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderRefusal';
  }
}
