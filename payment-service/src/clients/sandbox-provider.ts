import { z } from 'zod';
import { ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import { AppError } from '@qc/shared/http';
import {
  ProviderRefusal,
  type CreateIntent,
  type CreateRefund,
  type PaymentProvider,
  type ProviderEvent,
  type ProviderIntent,
} from '../domain/provider';
import { verifySignature } from './webhook-signature';

export interface SandboxProviderOptions {
  baseUrl: string;
  /** Where customers' apps reach the provider, when not at `baseUrl`. */
  publicUrl?: string | undefined;
  apiKey: string;
  webhookSecret: string;
  webhookToleranceSeconds: number;
  timeoutMs: number;
}

const Intent = z.object({ id: z.string().min(1), clientSecret: z.string().min(1) });
const Refund = z.object({ id: z.string().min(1) });

const Metadata = z.object({ kind: z.enum(['payment', 'topup']), reference: z.uuid() });
const IntentObject = z.object({
  id: z.string().min(1),
  amount: z.number().int().positive(),
  metadata: Metadata,
  lastPaymentError: z.object({ code: z.string().min(1) }).nullish(),
});
const RefundObject = z.object({ id: z.string().min(1), metadata: z.object({ refundId: z.uuid() }) });
/** The provider's event envelope (Stripe's shape). Fields it adds later are ignored, never refused. */
const WebhookEvent = z.object({
  id: z.string().min(1).max(100),
  type: z.string().min(1).max(100),
  created: z.number().int(),
  data: z.object({ object: z.unknown() }),
});

/**
 * The adapter for the sandbox PSP (src/sandbox-psp): its REST API with our secret key, an
 * idempotency key on every call that moves money, and its signed webhooks read into ProviderEvents.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  private readonly client: ServiceClient;

  constructor(private readonly options: SandboxProviderOptions) {
    this.client = new ServiceClient({ service: 'payment-provider', baseUrl: options.baseUrl, timeoutMs: options.timeoutMs });
  }

  async createIntent(intent: CreateIntent): Promise<ProviderIntent> {
    const body = {
      amount: intent.amount,
      currency: intent.currency,
      ...(intent.method ? { method: intent.method.toLowerCase() } : {}),
      metadata: { kind: intent.reference.kind, reference: intent.reference.id },
    };
    const answer = Intent.parse(await this.send('/v1/payment_intents', body, intent.idempotencyKey));
    return { providerPaymentId: answer.id, clientSecret: answer.clientSecret };
  }

  confirmUrl(providerPaymentId: string): string {
    return new URL(
      `/v1/payment_intents/${encodeURIComponent(providerPaymentId)}/confirm`,
      this.options.publicUrl ?? this.options.baseUrl,
    ).toString();
  }

  async refund(refund: CreateRefund): Promise<{ providerRefundId: string }> {
    const body = { paymentIntent: refund.providerPaymentId, amount: refund.amount, metadata: { refundId: refund.refundId } };
    const answer = Refund.parse(await this.send('/v1/refunds', body, `refund:${refund.refundId}`));
    return { providerRefundId: answer.id };
  }

  readWebhook(rawBody: Buffer, signature: string | undefined, now: Date): ProviderEvent {
    verifySignature(rawBody, signature, this.options.webhookSecret, now, this.options.webhookToleranceSeconds);
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new AppError('invalid_input', 'WEBHOOK_BODY_INVALID', 'The webhook body is not JSON');
    }
    const event = parse(WebhookEvent, json);
    switch (event.type) {
      case 'payment_intent.succeeded': {
        const intent = parse(IntentObject, event.data.object);
        return {
          eventId: event.id,
          type: 'payment.succeeded',
          providerPaymentId: intent.id,
          reference: referenceOf(intent),
          amount: intent.amount,
        };
      }
      case 'payment_intent.payment_failed': {
        const intent = parse(IntentObject, event.data.object);
        const reason = (intent.lastPaymentError?.code ?? 'payment_failed').toUpperCase();
        return { eventId: event.id, type: 'payment.failed', providerPaymentId: intent.id, reference: referenceOf(intent), reason };
      }
      case 'refund.succeeded': {
        const refund = parse(RefundObject, event.data.object);
        return { eventId: event.id, type: 'refund.succeeded', providerRefundId: refund.id, refundId: refund.metadata.refundId };
      }
      default:
        return { eventId: event.id, type: 'ignored', providerType: event.type };
    }
  }

  private async send(path: string, body: unknown, idempotencyKey: string): Promise<unknown> {
    try {
      return await this.client.call(path, {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${this.options.apiKey}`, 'idempotency-key': idempotencyKey },
      });
    } catch (err) {
      if (!(err instanceof UpstreamRejection)) throw err;
      const error = (err.body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ProviderRefusal(error?.code ?? `http_${err.status}`, error?.message ?? `the provider answered ${err.status}`);
    }
  }
}

const referenceOf = (intent: z.output<typeof IntentObject>) => ({ kind: intent.metadata.kind, id: intent.metadata.reference });

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('invalid_input', 'WEBHOOK_BODY_INVALID', 'The webhook event is not one this service can read');
  return result.data;
}
