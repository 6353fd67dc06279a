import { randomUUID } from 'node:crypto';
import { jsonOf, type RunningGateway, startGateway } from '../fixtures/gateway';
import { startUpstream, type FakeUpstream } from '../fixtures/upstream';

describe('rate limit shared by gateway replicas', () => {
  let products: FakeUpstream;
  let replicas: RunningGateway[];

  beforeAll(async () => {
    products = await startUpstream('product-service');
    // Two replicas on the same Redis with the same key prefix (this test's own), as in production.
    const shared = { RATE_LIMIT_PREFIX: `test:rate-limit:${randomUUID()}:`, RATE_LIMIT_MAX: '4', RATE_LIMIT_WINDOW_MS: '30000' };
    replicas = await Promise.all([
      startGateway({ 'product-service': [products.url] }, shared),
      startGateway({ 'product-service': [products.url] }, shared),
    ]);
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await products?.stop();
  });

  it('when a client spreads its requests over two replicas, then the limit counts them together', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${replicas[i % 2]!.url}/api/v1/products`);
      statuses.push(res.status);
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^"4-in-30s"; r=${3 - i}; t=\\d+$`));
      expect(res.headers.get('ratelimit-policy')).toMatch(/^"4-in-30s"; q=4; w=30; pk=:[\w+/=]+:$/);
    }
    expect(statuses).toEqual([200, 200, 200, 200]);

    const limited = await fetch(`${replicas[0]!.url}/api/v1/products`, { headers: { 'x-request-id': 'over-the-limit' } });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(limited.headers.get('ratelimit')).toMatch(/^"4-in-30s"; r=0; t=\d+$/);
    expect(await jsonOf(limited)).toEqual({
      success: false,
      error: 'Too many requests',
      code: 429,
      errorCode: 'RATE_LIMITED',
      details: [{ message: 'at most 4 requests per 30 s', retryAfterSeconds: retryAfter }],
      requestId: 'over-the-limit',
    });
    expect((await fetch(`${replicas[1]!.url}/api/v1/products`)).status).toBe(429);
    expect(products.received).toHaveLength(4);

    const metrics = await (await fetch(`${replicas[1]!.url}/metrics`)).text();
    expect(metrics).toContain('rate_limit_rejections_total{policy="general",service="api-gateway"} 1');
  });

  it('when the gateway answers its own endpoints, then they are never rate limited', async () => {
    for (let i = 0; i < 6; i++) expect((await fetch(`${replicas[0]!.url}/health/live`)).status).toBe(200);
  });
});

describe('rate limit when Redis is gone', () => {
  it('when the gateway loses Redis, then requests still pass, uncounted (fail open), and health warns', async () => {
    const products = await startUpstream('product-service');
    const gateway = await startGateway({ 'product-service': [products.url] }, { RATE_LIMIT_MAX: '1' });
    try {
      gateway.redis.disconnect();
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${gateway.url}/api/v1/products`);
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit')).toBeNull();
      }
      const ready = await fetch(`${gateway.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect((await jsonOf(ready)).checks['redis:connection'][0].status).toBe('warn');
    } finally {
      await gateway.stop();
      await products.stop();
    }
  });
});
