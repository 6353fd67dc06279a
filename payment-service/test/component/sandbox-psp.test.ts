import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@qc/shared/testing';
import { signatureOf } from '../../src/clients/webhook-signature';
import { SandboxPsp } from '../../src/sandbox-psp/sandbox-psp';

/** The sandbox PSP on its own, as a merchant and a customer's app meet it over HTTP. */
describe('sandbox PSP', () => {
  const apiKey = 'sk_test_sandbox_psp_component';
  const webhookSecret = 'whsec_sandbox_psp_component';
  let psp: SandboxPsp;
  let pspUrl: string;
  let merchant: Server;
  const received: { at: number; body: string; signature: string }[] = [];
  /** How many of the next webhooks the merchant answers 500. */
  let failNext = 0;

  beforeAll(async () => {
    merchant = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ at: Date.now(), body, signature: String(req.headers['psp-signature']) });
        res.statusCode = failNext-- > 0 ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
    psp = new SandboxPsp({
      apiKey,
      webhookSecret,
      webhookUrl: `http://127.0.0.1:${(merchant.address() as AddressInfo).port}/`,
      webhookRetryBaseMs: 200,
    });
    pspUrl = await psp.listen(0);
  });
  afterAll(async () => {
    await psp.close();
    await new Promise((resolve) => merchant.close(resolve));
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${pspUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const asMerchant = (key: string) => ({ authorization: `Bearer ${apiKey}`, 'idempotency-key': key });
  const intentBody = { amount: 5_000, currency: 'INR', method: 'card', metadata: { kind: 'payment', reference: 'r1' } };

  it('when an intent is created twice with one Idempotency-Key, then it is one intent; another body under that key is refused', async () => {
    const first = (await (await post('/v1/payment_intents', intentBody, asMerchant('key-1'))).json()) as { id: string };
    const again = await post('/v1/payment_intents', intentBody, asMerchant('key-1'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
    const other = await post('/v1/payment_intents', { ...intentBody, amount: 6_000 }, asMerchant('key-1'));
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    expect((await post('/v1/payment_intents', intentBody, { authorization: 'Bearer wrong', 'idempotency-key': 'k' })).status).toBe(401);
  });

  it('when the merchant answers a webhook with 500, then the PSP retries it with growing waits, signed anew each time, until a 2xx', async () => {
    const intent = (await (await post('/v1/payment_intents', intentBody, asMerchant('key-2'))).json()) as {
      id: string;
      clientSecret: string;
    };
    const since = received.length;
    failNext = 2;
    const confirmed = await post(`/v1/payment_intents/${intent.id}/confirm`, {
      clientSecret: intent.clientSecret,
      card: { number: '4242424242424242' },
    });
    expect(await confirmed.json()).toMatchObject({ status: 'succeeded' });
    await eventually(async () => received.length >= since + 3, 10_000);
    const attempts = received.slice(since, since + 3);
    expect(new Set(attempts.map((a) => JSON.parse(a.body).id)).size).toBe(1);
    const gaps = [attempts[1]!.at - attempts[0]!.at, attempts[2]!.at - attempts[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(180);
    expect(gaps[1]).toBeGreaterThanOrEqual(380);
    for (const attempt of attempts) {
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(attempt.signature)!;
      expect(v1).toBe(signatureOf(webhookSecret, Number(t), attempt.body));
    }
    const record = psp.sentEvents().find((e) => e.event.id === JSON.parse(attempts[0]!.body).id)!;
    expect(record.deliveries.map((d) => d.status)).toEqual([500, 500, 200]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(received.length).toBe(since + 3);
  });

  it('when a customer confirms with a wrong client secret or a value that is not a test value, then nothing is charged', async () => {
    const intent = (await (await post('/v1/payment_intents', intentBody, asMerchant('key-3'))).json()) as {
      id: string;
      clientSecret: string;
    };
    expect(
      (await post(`/v1/payment_intents/${intent.id}/confirm`, { clientSecret: 'pi_x_secret_y', card: { number: '4242424242424242' } }))
        .status,
    ).toBe(403);
    expect(
      (await post(`/v1/payment_intents/${intent.id}/confirm`, { clientSecret: intent.clientSecret, card: { number: '4111111111111111' } }))
        .status,
    ).toBe(400);
    expect(
      (await post(`/v1/payment_intents/${intent.id}/confirm`, { clientSecret: intent.clientSecret, upi: { vpa: 'success@upi' } })).status,
    ).toBe(400);
    const refund = await post('/v1/refunds', { paymentIntent: intent.id, amount: 100 }, asMerchant('key-4'));
    expect(await refund.json()).toMatchObject({ error: { code: 'charge_not_captured' } });
  });
});
