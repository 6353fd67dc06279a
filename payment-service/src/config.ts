import { z } from 'zod';

const baseUrl = z.url({ protocol: /^https?$/ });
const secret = (what: string) => z.string({ error: `required: ${what} (openssl rand -hex 32)` }).min(16, `at least 16 characters: ${what}`);

/** payment-service's own settings, beside the shared ones every service reads (its definition's `settings`). */
export const paymentSettings = z.object({
  /** Where the payment provider's API answers (the sandbox PSP, `make run` starts it on 8099). */
  PAYMENT_PROVIDER_URL: z.url().default('http://127.0.0.1:8099'),
  /**
   * Where the customer's app confirms a payment with the provider (the `nextAction.url` of a
   * payment); the provider's own address unless it is reached under another name from outside.
   */
  PAYMENT_PROVIDER_PUBLIC_URL: z.url().optional(),
  /** The merchant's secret key at the provider: our calls carry it. No default: a missing one stops the start. */
  PAYMENT_PROVIDER_API_KEY: secret('the API key shared with the payment provider'),
  /** Signs the provider's webhooks (HMAC-SHA256); no default, like every secret. */
  PAYMENT_WEBHOOK_SECRET: secret('the webhook signing secret shared with the payment provider'),
  /** Webhooks signed longer ago than this (or this far in the future) are refused: a captured one cannot be replayed later. */
  PAYMENT_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(30).max(3_600).default(300),
  /** How long a call to the provider may take. */
  PAYMENT_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5_000),
  /** order-service, read (with the customer's own token) for an order whose events have not arrived yet. */
  ORDER_SERVICE_URL: baseUrl.default('http://127.0.0.1:8084'),
  /** How long that read may take before the payment is answered with 503. */
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(2_000),
  /** How often stored webhook events and refunds waiting for the provider are looked for when nothing wakes the workers. */
  PAYMENT_WORKER_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(2_000),
});
export type PaymentSettings = z.output<typeof paymentSettings>;
