import { randomUUID } from 'node:crypto';
import { createLogger } from '@qc/shared/logging';
import { createRedis } from '@qc/shared/redis';
import { TEST_REDIS_URL } from '@qc/shared/testing';
import { jsonOf, opsHeaders, type RunningGateway, startGateway, startUpstream, type FakeUpstream } from '../fixtures';

describe('rate limit shared by gateway replicas', () => {
  let products: FakeUpstream;
  let replicas: RunningGateway[];

  beforeAll(async () => {
    products = await startUpstream('product-service');
    // Two replicas on the same Redis with the same key prefix (this test's own), as in production;
    // they sync only when the test says so.
    const shared = {
      RATE_LIMIT_PREFIX: `test:rate-limit:${randomUUID()}:`,
      RATE_LIMIT_MAX: '4',
      RATE_LIMIT_WINDOW_MS: '30000',
      RATE_LIMIT_SYNC_MS: '600000',
    };
    replicas = await Promise.all([
      startGateway({ 'product-service': [products.url] }, shared),
      startGateway({ 'product-service': [products.url] }, shared),
    ]);
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await products?.stop();
  });

  it('when a client spreads its requests over two replicas, then each refuses it once it has synced, past the limit by at most one interval on one replica', async () => {
    const [first, second] = replicas as [RunningGateway, RunningGateway];
    const send = async (replica: RunningGateway, requestId?: string) =>
      fetch(`${replica.url}/api/v1/products`, { headers: requestId ? { 'x-request-id': requestId } : {} });

    for (const remaining of [3, 2]) {
      const res = await send(first);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^limit=4, remaining=${remaining}, reset=\\d+$`));
      expect(res.headers.get('ratelimit-policy')).toBe('4;w=30');
    }
    await first.gateway.syncRateLimits();
    // The second replica has not seen this client yet: it counts from its own first hit until its sync.
    for (const remaining of [3, 2]) expect((await send(second)).headers.get('ratelimit')).toContain(`remaining=${remaining},`);
    await second.gateway.syncRateLimits();

    const limited = await send(second, 'over-the-limit');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(limited.headers.get('ratelimit')).toMatch(/^limit=4, remaining=0, reset=\d+$/);
    expect(await jsonOf(limited)).toEqual({
      success: false,
      error: 'Too many requests',
      code: 429,
      errorCode: 'RATE_LIMITED',
      details: [{ message: 'at most 4 requests per 30 s', retryAfterSeconds: retryAfter }],
      requestId: 'over-the-limit',
    });

    // The first replica last synced at 2: one more passes before its next sync tells it the total.
    expect((await send(first)).status).toBe(200);
    await first.gateway.syncRateLimits();
    expect((await send(first)).status).toBe(429);
    expect(products.received).toHaveLength(5);

    const metrics = await (await fetch(`${second.url}/metrics`, { headers: opsHeaders })).text();
    expect(metrics).toContain('rate_limit_rejections_total{policy="general",service="api-gateway"} 1');
  });

  it('when the gateway answers its own endpoints, then they are never rate limited', async () => {
    for (let i = 0; i < 6; i++) expect((await fetch(`${replicas[0]!.url}/health/live`)).status).toBe(200);
  });
});

describe('rate limit syncing on its own', () => {
  it('when replicas sync every RATE_LIMIT_SYNC_MS, then a replica refuses a client the other one used up, without being asked to sync', async () => {
    const products = await startUpstream('product-service');
    const shared = { RATE_LIMIT_PREFIX: `test:rate-limit:${randomUUID()}:`, RATE_LIMIT_MAX: '2', RATE_LIMIT_SYNC_MS: '50' };
    const [first, second] = await Promise.all([
      startGateway({ 'product-service': [products.url] }, shared),
      startGateway({ 'product-service': [products.url] }, shared),
    ]);
    try {
      for (let i = 0; i < 2; i++) expect((await fetch(`${first.url}/api/v1/products`)).status).toBe(200);
      const statuses: number[] = [];
      const deadline = Date.now() + 3_000;
      while (statuses.at(-1) !== 429 && Date.now() < deadline) {
        statuses.push((await fetch(`${second.url}/api/v1/products`)).status);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(statuses.at(-1)).toBe(429);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
      await products.stop();
    }
    // Stopping sent what was still unsent: Redis holds every request either replica counted.
    const redis = createRedis(TEST_REDIS_URL, createLogger('rate-limit-test', 'silent'));
    await redis.connect();
    try {
      expect(Number(await redis.get(`${shared.RATE_LIMIT_PREFIX}ip:127.0.0.1`))).toBe(products.received.length + 1);
    } finally {
      await redis.quit();
    }
  });
});

describe('rate limit when Redis is gone', () => {
  it('when the gateway loses Redis, then the general limit goes on counting on this replica alone, and health warns', async () => {
    const products = await startUpstream('product-service');
    const gateway = await startGateway({ 'product-service': [products.url] }, { RATE_LIMIT_MAX: '2' });
    try {
      gateway.redis.disconnect();
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await fetch(`${gateway.url}/api/v1/products`));
      expect(answers.map((res) => res.status)).toEqual([200, 200, 429]);
      expect(answers[0]!.headers.get('ratelimit')).toContain('remaining=1,');
      const ready = await fetch(`${gateway.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect((await jsonOf(ready)).checks['redis:connection'][0].status).toBe('warn');
    } finally {
      await gateway.stop();
      await products.stop();
    }
  });
});
