import type { AppError } from '@qc/shared/http';
import { signatureOf, verifySignature } from '../../src/clients/webhook-signature';

describe('webhook signature', () => {
  const secret = 'whsec_unit_test_secret';
  const body = Buffer.from('{"id":"evt_1","type":"payment_intent.succeeded"}');
  const now = new Date('2025-06-01T10:00:00Z');
  const t = now.getTime() / 1000;
  const header = (timestamp = t, value = signatureOf(secret, timestamp, body)) => `t=${timestamp},v1=${value}`;
  const codeOf = (run: () => void) => {
    try {
      run();
    } catch (err) {
      return (err as AppError).code;
    }
    return 'accepted';
  };
  const check = (h: string | undefined, raw = body) => codeOf(() => verifySignature(raw, h, secret, now, 300));

  it('when signed with the shared secret over timestamp and raw body, then it is accepted', () => {
    expect(check(header())).toBe('accepted');
    expect(check(`t=${t},v1=${'0'.repeat(64)},v1=${signatureOf(secret, t, body)}`)).toBe('accepted');
  });

  it('when the body, the timestamp or the secret differ, then it is refused', () => {
    expect(check(header(), Buffer.from('{"id":"evt_1","type":"payment_intent.failed"}'))).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(check(`t=${t + 1},v1=${signatureOf(secret, t, body)}`)).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect(check(header(t, signatureOf('another secret', t, body)))).toBe('WEBHOOK_SIGNATURE_INVALID');
    for (const malformed of [undefined, '', 'v1=abc', `t=${t}`, `t=soon,v1=${signatureOf(secret, t, body)}`, `t=${t},v1=zz`]) {
      expect(check(malformed)).toBe('WEBHOOK_SIGNATURE_INVALID');
    }
  });

  it('when the signature is right but older or newer than the tolerance, then it is stale', () => {
    expect(check(header(t - 300))).toBe('accepted');
    expect(check(header(t - 301))).toBe('WEBHOOK_TIMESTAMP_STALE');
    expect(check(header(t + 301))).toBe('WEBHOOK_TIMESTAMP_STALE');
  });
});
