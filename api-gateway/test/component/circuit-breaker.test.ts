import { eventually } from '@qc/shared/testing';
import { jsonOf, opsHeaders, type RunningGateway, startGateway, startUpstream, type FakeUpstream } from '../fixtures';

const RESET_MS = 1_000;

async function timed(gateway: RunningGateway, path: string): Promise<{ res: Response; ms: number }> {
  const started = performance.now();
  const res = await gateway.fetch(path);
  await res.arrayBuffer();
  return { res, ms: performance.now() - started };
}

describe('circuit breaker per upstream instance', () => {
  let payments: FakeUpstream;
  let gateway: RunningGateway;

  beforeEach(async () => {
    payments = await startUpstream('payment-service');
    gateway = await startGateway(
      { 'payment-service': [payments.url] },
      { BREAKER_VOLUME: '3', BREAKER_ERROR_PERCENT: '50', BREAKER_RESET_MS: String(RESET_MS), UPSTREAM_TIMEOUT_MS: '300' },
    );
  });

  afterEach(async () => {
    await gateway?.stop();
    await payments?.stop();
  });

  const circuit = () => gateway.gateway.upstreams.pools.get('payment-service')!.instances[0]!.state;

  it('when the service is stopped, then the gateway answers 503 with Retry-After at once, and after a few failures without trying', async () => {
    await payments.stop();

    const refused = await timed(gateway, `/api/v1/payments/p-1`);
    expect(refused.res.status).toBe(503);
    expect(refused.res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.ms).toBeLessThan(200);

    await timed(gateway, `/api/v1/payments/p-1`);
    await timed(gateway, `/api/v1/payments/p-1`);
    expect(circuit()).toBe('open');

    const open = await timed(gateway, `/api/v1/wallet`);
    expect(open.res.status).toBe(503);
    expect(open.ms).toBeLessThan(200);
    expect(Number(open.res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = await jsonOf(await gateway.fetch(`/api/v1/wallet`, { headers: { 'x-request-id': 'open-circuit' } }));
    expect(body).toEqual({
      success: false,
      error: 'payment-service is unavailable',
      code: 503,
      errorCode: 'SERVICE_CIRCUIT_OPEN',
      details: [],
      requestId: 'open-circuit',
    });
  });

  it('when the service comes back, then after the reset timeout one trial request goes through and the breaker closes', async () => {
    await payments.stop();
    for (let i = 0; i < 3; i++) await timed(gateway, `/api/v1/payments/p-1`);
    expect(circuit()).toBe('open');

    await payments.start();
    // Still open: the gateway does not try until the reset timeout has passed.
    expect((await timed(gateway, `/api/v1/payments/p-1`)).res.status).toBe(503);

    await eventually(async () => circuit() === 'half-open', 3 * RESET_MS, 50);
    const trial = await timed(gateway, `/api/v1/payments/p-1`);
    expect(trial.res.status).toBe(200);
    expect(circuit()).toBe('closed');
    expect((await timed(gateway, `/api/v1/payments/p-2`)).res.status).toBe(200);

    const metrics = await (await fetch(`${gateway.url}/metrics`, { headers: opsHeaders })).text();
    expect(metrics).toMatch(
      new RegExp(`circuit_breaker_state\\{upstream="payment-service",instance="${payments.url}",service="api-gateway"\\} 0`),
    );
  });

  it('when the service does not answer within UPSTREAM_TIMEOUT_MS, then the gateway answers 503 right after the deadline', async () => {
    payments.behaviour.delayMs = 2_000;
    const slow = await timed(gateway, `/api/v1/payments/p-1`);
    expect(slow.res.status).toBe(503);
    expect(slow.res.headers.get('retry-after')).toBe('1');
    expect(slow.ms).toBeGreaterThanOrEqual(290);
    expect(slow.ms).toBeLessThan(1_000);
  });

  it('when the service answers 5xx, then its answer passes through unchanged and counts against the instance', async () => {
    payments.behaviour.failWith = 503;
    for (let i = 0; i < 3; i++) {
      const res = await gateway.fetch(`/api/v1/payments/p-1`, { headers: { 'x-request-id': `upstream-5xx-${i}` } });
      expect(res.status).toBe(503);
      expect(await jsonOf(res)).toMatchObject({ errorCode: 'DEPENDENCY_UNAVAILABLE', requestId: `upstream-5xx-${i}` });
    }
    expect(circuit()).toBe('open');
  });
});

describe('what does not count against an instance', () => {
  it('when clients give up before the service answers, then the breaker stays closed', async () => {
    const deliveries = await startUpstream('delivery-service', { delayMs: 300 });
    // With a volume of 1, a single counted failure would open the breaker.
    const gateway = await startGateway({ 'delivery-service': [deliveries.url] }, { BREAKER_VOLUME: '1', UPSTREAM_TIMEOUT_MS: '2000' });
    try {
      for (let i = 0; i < 3; i++) {
        // The client gives up once the service has the request, before its answer (300 ms later).
        const giveUp = new AbortController();
        const call = gateway.fetch(`/api/v1/deliveries/d-1`, { signal: giveUp.signal });
        await eventually(async () => deliveries.received.length === i + 1, 5_000, 10);
        giveUp.abort();
        await expect(call).rejects.toThrow();
      }
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(gateway.gateway.upstreams.pools.get('delivery-service')!.instances[0]!.state).toBe('closed');
    } finally {
      await gateway.stop();
      await deliveries.stop();
    }
  });
});
