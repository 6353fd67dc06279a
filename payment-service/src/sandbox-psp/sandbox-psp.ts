/**
 * The sandbox payment service provider: a separate HTTP server that behaves like a real PSP's test
 * mode, so payment-service is built and tested against the wire protocol it would meet in
 * production rather than against a mock. `make run` starts it beside the fleet (main.ts); tests
 * start it in-process. State is in memory: a restart forgets every intent, as a test mode may.
 *
 * Merchant API (Bearer API key; every POST takes an Idempotency-Key, the first answer to a key
 * is replayed, the same key with another body is refused):
 *   POST /v1/payment_intents {amount, currency, method?, metadata}   → intent (requires_confirmation)
 *   GET  /v1/payment_intents/{id}
 *   POST /v1/refunds {paymentIntent, amount, metadata}               → refund (never above what is left)
 *   GET  /v1/events/{id}, POST /v1/events/{id}/resend                → an event and its deliveries; send it again
 * Customer's app (authorised by the intent's client secret):
 *   POST /v1/payment_intents/{id}/confirm {clientSecret, card: {number}} | {clientSecret, upi: {vpa}}
 *
 * Webhooks: every event is POSTed to the merchant's URL with `Psp-Signature: t=<unix s>,v1=<hex
 * HMAC-SHA256 of "<t>.<raw body>">`, signed anew on each attempt, and retried with exponential
 * backoff until the merchant answers 2xx or the attempts run out.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { outcomeOf, type Outcome, type PaymentDetails } from './test-values';

export interface SandboxPspOptions {
  apiKey: string;
  webhookSecret: string;
  /** Where events are delivered (payment-service's `/api/v1/webhooks/payments`). */
  webhookUrl: string;
  /** How long a `settles_later` test value stays `processing`. */
  asyncConfirmMs?: number;
  /** First retry of an undelivered webhook after this; each next one waits twice as long. */
  webhookRetryBaseMs?: number;
  webhookMaxAttempts?: number;
  /** How long the merchant has to answer a webhook. */
  webhookTimeoutMs?: number;
}

type IntentStatus = 'requires_confirmation' | 'processing' | 'succeeded' | 'failed';

interface Intent {
  id: string;
  object: 'payment_intent';
  amount: number;
  currency: string;
  method: 'card' | 'upi' | null;
  status: IntentStatus;
  clientSecret: string;
  metadata: Record<string, string>;
  amountRefunded: number;
  lastPaymentError: { code: string; message: string } | null;
  created: number;
}

interface RefundObject {
  id: string;
  object: 'refund';
  paymentIntent: string;
  amount: number;
  status: 'succeeded';
  metadata: Record<string, string>;
  created: number;
}

interface PspEvent {
  id: string;
  type: string;
  created: number;
  data: { object: Intent | RefundObject };
}

export interface Delivery {
  attempt: number;
  at: string;
  /** The merchant's HTTP status; 0 when it did not answer. */
  status: number;
}

class PspError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const CreateIntent = z.strictObject({
  amount: z.number().int().min(100).max(10_000_000),
  currency: z.literal('INR'),
  method: z.enum(['card', 'upi']).optional(),
  metadata: z.record(z.string(), z.string().max(200)).default({}),
});
const Confirm = z.union([
  z.strictObject({ clientSecret: z.string(), card: z.strictObject({ number: z.string().max(30) }) }),
  z.strictObject({ clientSecret: z.string(), upi: z.strictObject({ vpa: z.string().max(100) }) }),
]);
const CreateRefund = z.strictObject({
  paymentIntent: z.string(),
  amount: z.number().int().positive().optional(),
  metadata: z.record(z.string(), z.string().max(200)).default({}),
});

const newObjectId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const unixNow = () => Math.floor(Date.now() / 1000);

/** `t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the header a webhook carries. */
export function signWebhook(secret: string, body: string, timestamp = unixNow()): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class SandboxPsp {
  readonly app = express();
  private readonly intents = new Map<string, Intent>();
  private readonly refunds = new Map<string, RefundObject>();
  private readonly events = new Map<string, { event: PspEvent; deliveries: Delivery[] }>();
  private readonly idempotent = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;
  private webhookUrl: string;

  constructor(private readonly options: SandboxPspOptions) {
    this.webhookUrl = options.webhookUrl;
    this.app.disable('x-powered-by');
    this.app.use(express.json({ limit: '20kb' }));
    this.app.get(['/health/live', '/health/ready', '/health'], (_req, res) => void res.json({ status: 'pass', serviceId: 'sandbox-psp' }));

    this.app.post(
      '/v1/payment_intents',
      this.merchant,
      this.once((body) => this.createIntent(body)),
    );
    this.app.get('/v1/payment_intents/:id', this.merchant, (req, res) => void res.json(this.intent(String(req.params.id))));
    this.app.post('/v1/payment_intents/:id/confirm', (req, res) => void res.json(this.confirm(String(req.params.id), req.body)));
    this.app.post(
      '/v1/refunds',
      this.merchant,
      this.once((body) => this.refund(body)),
    );
    this.app.get('/v1/events/:id', this.merchant, (req, res) => void res.json(this.eventRecord(String(req.params.id))));
    this.app.post('/v1/events/:id/resend', this.merchant, (req, res) => {
      const record = this.eventRecord(String(req.params.id));
      void this.deliver(record.event, 1);
      res.status(202).json({ id: record.event.id, resent: true });
    });
    this.app.use(
      (_req: Request, res: Response) => void res.status(404).json({ error: { code: 'resource_missing', message: 'No such route' } }),
    );
    this.app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      if (err instanceof PspError) return void res.status(err.status).json({ error: { code: err.code, message: err.message } });
      if (err instanceof z.ZodError)
        return void res.status(400).json({ error: { code: 'parameter_invalid', message: z.prettifyError(err) } });
      const status = (err as { status?: number }).status;
      if (status && status < 500) return void res.status(status).json({ error: { code: 'invalid_request', message: 'Malformed request' } });
      res.status(500).json({ error: { code: 'api_error', message: 'Something went wrong at the provider' } });
    });
  }

  /** Listens; port 0 picks a free one. Resolves with the base URL. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    this.server = this.app.listen(port, host);
    await new Promise<void>((resolve, reject) => this.server!.once('listening', resolve).once('error', reject));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops retrying webhooks and stops listening. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (!this.server) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server.closeAllConnections();
  }

  /** Sends events to another URL from now on (a test that starts the merchant after the provider). */
  deliverWebhooksTo(url: string): void {
    this.webhookUrl = url;
  }

  /** Every event sent so far, oldest first, with its delivery attempts. */
  sentEvents(): { event: PspEvent; deliveries: Delivery[] }[] {
    return [...this.events.values()];
  }

  private readonly merchant = (req: Request, _res: Response, next: NextFunction) => {
    const given = Buffer.from(req.get('authorization') ?? '');
    const expected = Buffer.from(`Bearer ${this.options.apiKey}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return next(new PspError(401, 'invalid_api_key', 'Invalid API key'));
    }
    next();
  };

  /** A merchant POST under its Idempotency-Key: the first answer is stored and replayed. */
  private once(create: (body: unknown) => unknown) {
    return (req: Request, res: Response) => {
      const key = req.get('idempotency-key');
      if (!key) throw new PspError(400, 'idempotency_key_missing', 'Send an Idempotency-Key with every POST');
      const fingerprint = `${req.path}\n${JSON.stringify(req.body)}`;
      const seen = this.idempotent.get(key);
      if (seen) {
        if (seen.fingerprint !== fingerprint) {
          throw new PspError(400, 'idempotency_key_reused', 'This Idempotency-Key was used with other parameters');
        }
        return void res.status(seen.status).set('idempotent-replayed', 'true').json(seen.body);
      }
      let status = 200;
      let body: unknown;
      try {
        body = create(req.body);
      } catch (err) {
        if (!(err instanceof PspError) && !(err instanceof z.ZodError)) throw err;
        status = err instanceof PspError ? err.status : 400;
        body = {
          error:
            err instanceof PspError
              ? { code: err.code, message: err.message }
              : { code: 'parameter_invalid', message: z.prettifyError(err) },
        };
      }
      this.idempotent.set(key, { fingerprint, status, body });
      res.status(status).json(body);
    };
  }

  private createIntent(input: unknown): Intent {
    const body = CreateIntent.parse(input);
    const id = newObjectId('pi');
    const intent: Intent = {
      id,
      object: 'payment_intent',
      amount: body.amount,
      currency: body.currency,
      method: body.method ?? null,
      status: 'requires_confirmation',
      clientSecret: `${id}_secret_${randomBytes(16).toString('hex')}`,
      metadata: body.metadata,
      amountRefunded: 0,
      lastPaymentError: null,
      created: unixNow(),
    };
    this.intents.set(id, intent);
    return intent;
  }

  private intent(id: string): Intent {
    const intent = this.intents.get(id);
    if (!intent) throw new PspError(404, 'resource_missing', `No such payment intent ${id}`);
    return intent;
  }

  /**
   * The customer confirms with a test value. Confirming again once it is processing or succeeded
   * answers the intent as it is: it never charges twice.
   */
  private confirm(id: string, input: unknown): Intent {
    const intent = this.intent(id);
    const body = Confirm.parse(input);
    const given = Buffer.from(body.clientSecret);
    const expected = Buffer.from(intent.clientSecret);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new PspError(403, 'client_secret_mismatch', 'The client secret does not belong to this payment intent');
    }
    if (intent.status === 'processing' || intent.status === 'succeeded') return intent;
    if (intent.status === 'failed')
      throw new PspError(400, 'payment_intent_unexpected_state', 'This payment intent has failed; create a new one');
    const details: PaymentDetails = 'card' in body ? { card: body.card } : { upi: body.upi };
    const method = 'card' in details ? 'card' : 'upi';
    if (intent.method && intent.method !== method)
      throw new PspError(400, 'payment_method_mismatch', `This payment intent is paid by ${intent.method}`);
    const outcome = outcomeOf(details);
    if (!outcome) {
      throw new PspError(
        400,
        'test_value_unknown',
        'Use a test card (4242 4242 4242 4242, …) or UPI id (success@upi, …): see payment-service/README.md',
      );
    }
    this.settle(intent, outcome);
    return intent;
  }

  private settle(intent: Intent, outcome: Outcome): void {
    if (outcome.kind === 'succeeds') {
      intent.status = 'succeeded';
      this.emit('payment_intent.succeeded', intent);
    } else if (outcome.kind === 'declines') {
      intent.status = 'failed';
      intent.lastPaymentError = { code: outcome.code, message: outcome.message };
      this.emit('payment_intent.payment_failed', intent);
    } else {
      intent.status = 'processing';
      this.emit('payment_intent.processing', intent);
      this.later(this.options.asyncConfirmMs ?? 3_000, () =>
        this.settle(
          intent,
          outcome.then === 'succeeds'
            ? { kind: 'succeeds' }
            : { kind: 'declines', code: outcome.code ?? 'payment_failed', message: 'The payment was not approved' },
        ),
      );
    }
  }

  private refund(input: unknown): RefundObject {
    const body = CreateRefund.parse(input);
    const intent = this.intent(body.paymentIntent);
    if (intent.status !== 'succeeded') throw new PspError(400, 'charge_not_captured', 'Only a succeeded payment can be refunded');
    const left = intent.amount - intent.amountRefunded;
    const amount = body.amount ?? left;
    if (amount > left) throw new PspError(400, 'amount_too_large', `At most ${left} is left to refund`);
    intent.amountRefunded += amount;
    const refund: RefundObject = {
      id: newObjectId('re'),
      object: 'refund',
      paymentIntent: intent.id,
      amount,
      status: 'succeeded',
      metadata: body.metadata,
      created: unixNow(),
    };
    this.refunds.set(refund.id, refund);
    this.emit('refund.succeeded', refund);
    return refund;
  }

  private eventRecord(id: string) {
    const record = this.events.get(id);
    if (!record) throw new PspError(404, 'resource_missing', `No such event ${id}`);
    return record;
  }

  private emit(type: string, object: Intent | RefundObject): void {
    // A snapshot: the event says what the object was when it happened, whatever it becomes later.
    const event: PspEvent = { id: newObjectId('evt'), type, created: unixNow(), data: { object: structuredClone(object) } };
    this.events.set(event.id, { event, deliveries: [] });
    this.later(0, () => void this.deliver(event, 1));
  }

  private async deliver(event: PspEvent, attempt: number): Promise<void> {
    const body = JSON.stringify(event);
    // 0: the merchant did not answer (refused, timed out).
    const status = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'psp-signature': signWebhook(this.options.webhookSecret, body) },
      body,
      signal: AbortSignal.timeout(this.options.webhookTimeoutMs ?? 10_000),
    }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      () => 0,
    );
    this.events.get(event.id)?.deliveries.push({ attempt, at: new Date().toISOString(), status });
    if (status >= 200 && status < 300) return;
    if (attempt >= (this.options.webhookMaxAttempts ?? 8)) return;
    this.later((this.options.webhookRetryBaseMs ?? 1_000) * 2 ** (attempt - 1), () => void this.deliver(event, attempt + 1));
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }
}
