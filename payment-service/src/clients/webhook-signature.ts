import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidWebhookSignature, staleWebhook } from '../domain/payment.errors';

/** The header the provider signs its webhooks in: `t=<unix seconds>,v1=<hex HMAC-SHA256>` (Stripe's scheme). */
export const SIGNATURE_HEADER = 'psp-signature';

/** HMAC-SHA256 of `<timestamp>.<raw body>` with the shared secret, hex. */
export function signatureOf(secret: string, timestamp: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/**
 * Checks a webhook's signature header against the bytes received (never a re-serialised body:
 * JSON has many spellings of one value, the signature covers one). The header may carry several
 * `v1` values while the provider rolls its secret; one matching is enough. Compared in constant
 * time. The timestamp is checked after the signature, so a forger learns nothing from the answer,
 * and limits how late a captured webhook can be replayed (the event id stops replays inside it).
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, secret: string, now: Date, toleranceSeconds: number): void {
  if (!header) throw invalidWebhookSignature(`No ${SIGNATURE_HEADER} header`);
  let timestamp: string | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === 't') timestamp = value;
    else if (name === 'v1' && value) candidates.push(value);
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || candidates.length === 0) {
    throw invalidWebhookSignature(`The ${SIGNATURE_HEADER} header is not t=<timestamp>,v1=<signature>`);
  }
  const expected = Buffer.from(signatureOf(secret, Number(timestamp), rawBody), 'hex');
  const matches = candidates.some(
    (candidate) => /^[0-9a-f]{64}$/i.test(candidate) && timingSafeEqual(Buffer.from(candidate, 'hex'), expected),
  );
  if (!matches) throw invalidWebhookSignature('The webhook signature does not match its body');
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds) throw staleWebhook();
}
