import { ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import { AppError } from '@qc/shared/http';
import { runWithContext } from '@qc/shared/logging';
import { Metrics } from '@qc/shared/metrics';
import { closedPort, eventually } from '@qc/shared/testing';
import { caught, startCallee, type Callee } from '../callee';

describe('ServiceClient', () => {
  let callee: Callee;
  const clients: ServiceClient[] = [];
  const clientFor = (baseUrl: string, options: { timeoutMs?: number; resetTimeoutMs?: number } = {}) => {
    const client = new ServiceClient({ service: 'product-service', baseUrl, ...options });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    callee = await startCallee();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.shutdown();
    await callee.close();
  });

  it('when a call fails after good ones, then the breaker decides without sorting the latencies of its window', async () => {
    const client = clientFor(callee.baseUrl);
    await client.call('/api/v1/products');
    callee.respond = () => ({ status: 503 });
    await expect(client.call('/api/v1/products')).rejects.toBeInstanceOf(AppError);
    const { stats } = client.breaker;
    expect(stats).toMatchObject({ successes: 1, failures: 1 });
    // -1 is opossum's answer when percentiles are off; on, every failure sorted the window's latencies.
    expect(stats.latencyMean).toBe(-1);
    expect(new Set(Object.values(stats.percentiles))).toEqual(new Set([-1]));
  });

  it('when called inside a request, then the callee receives its x-request-id and the JSON body', async () => {
    const client = clientFor(callee.baseUrl);
    callee.respond = () => ({ status: 201, body: { id: 'p-1' } });
    const result = await runWithContext({ requestId: 'req-client-1' }, () =>
      client.call<{ id: string }>('/api/v1/products', { method: 'POST', body: { sku: 'MILK-1L' } }),
    );
    expect(result).toEqual({ id: 'p-1' });
    expect(callee.received).toHaveLength(1);
    expect(callee.received[0]).toMatchObject({ method: 'POST', url: '/api/v1/products', body: JSON.stringify({ sku: 'MILK-1L' }) });
    expect(callee.received[0]!.headers['x-request-id']).toBe('req-client-1');
    expect(callee.received[0]!.headers['content-type']).toBe('application/json');
  });

  it('when called outside any request, then no x-request-id is invented', async () => {
    const client = clientFor(callee.baseUrl);
    await client.call('/api/v1/products/1');
    expect(callee.received[0]!.headers['x-request-id']).toBeUndefined();
  });

  it('when the callee answers 4xx, then it is an UpstreamRejection with its status and body, and the breaker stays closed', async () => {
    const client = clientFor(callee.baseUrl);
    callee.respond = () => ({ status: 404, body: { success: false, errorCode: 'PRODUCT_NOT_FOUND' } });
    for (let i = 0; i < 12; i++) {
      const err = await caught(client.call('/api/v1/products/missing'));
      expect(err).toBeInstanceOf(UpstreamRejection);
      expect(err).toMatchObject({ status: 404, body: { errorCode: 'PRODUCT_NOT_FOUND' } });
    }
    expect(client.breaker.opened).toBe(false);
    callee.respond = () => ({ status: 200, body: { ok: true } });
    await expect(client.call('/api/v1/products/1')).resolves.toEqual({ ok: true });
    expect(callee.received).toHaveLength(13);
  });

  it('when the callee answers 5xx, then the caller gets an unavailable AppError, never the callee’s body', async () => {
    const client = clientFor(callee.baseUrl);
    callee.respond = () => ({ status: 500, body: { stack: 'secret internals' } });
    const err = await caught(client.call('/api/v1/products/1'));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'DEPENDENCY_UNAVAILABLE', retryAfterSeconds: 1 });
    expect((err as AppError).message).not.toContain('secret internals');
  });

  it('when the connection is refused, then the caller gets an unavailable AppError', async () => {
    const client = clientFor(`http://127.0.0.1:${await closedPort()}`);
    const err = await caught(client.call('/api/v1/products/1'));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'DEPENDENCY_UNAVAILABLE', message: 'product-service is unavailable' });
    expect(client.breaker.opened).toBe(false);
  });

  it('when the callee is slower than the timeout, then the call gives up in time as unavailable', async () => {
    const client = clientFor(callee.baseUrl, { timeoutMs: 150 });
    callee.respond = () => ({ status: 200, body: { late: true }, delayMs: 2_000 });
    const started = Date.now();
    const err = await caught(client.call('/api/v1/products/1'));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(err).toMatchObject({ kind: 'unavailable' });
  });

  it('when failures pile up, then the breaker opens and calls fail fast without reaching the callee', async () => {
    const resetTimeoutMs = 30_000;
    const client = clientFor(callee.baseUrl, { resetTimeoutMs });
    callee.respond = () => ({ status: 503 });
    for (let i = 0; i < 5; i++) await caught(client.call('/api/v1/products/1'));
    expect(client.breaker.opened).toBe(true);
    const reached = callee.received.length;

    callee.respond = () => ({ status: 200, body: { ok: true }, delayMs: 500 });
    const started = process.hrtime.bigint();
    const err = await caught(client.call('/api/v1/products/1'));
    const tookMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(tookMs).toBeLessThan(50);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'unavailable', retryAfterSeconds: resetTimeoutMs / 1000 });
    expect(callee.received).toHaveLength(reached);
  });

  it('when an open breaker’s reset time has passed and the callee recovered, then a trial call closes it again', async () => {
    const recovered = clientFor(callee.baseUrl, { resetTimeoutMs: 200 });
    callee.respond = () => ({ status: 503 });
    for (let i = 0; i < 5; i++) await caught(recovered.call('/x'));
    expect(recovered.breaker.opened).toBe(true);
    callee.respond = () => ({ status: 200, body: { ok: true } });
    await new Promise((r) => setTimeout(r, 300));
    await expect(recovered.call('/x')).resolves.toEqual({ ok: true });
    expect(recovered.breaker.closed).toBe(true);
  });
});

describe('ServiceClient breaker in /metrics', () => {
  let callee: Callee;

  beforeEach(async () => {
    callee = await startCallee();
  });

  afterEach(() => callee.close());

  /** circuit_breaker_state lines of a scrape of a fresh service registry. */
  const scrapedBreakers = async (service: string) =>
    (await new Metrics(service).registry.metrics()).split('\n').filter((line) => line.startsWith('circuit_breaker_state{'));

  it('when a client is built, then its breaker is exported closed, under the callee’s name and origin, by the registry of its process', async () => {
    const client = new ServiceClient({ service: 'inventory-service', baseUrl: `${callee.baseUrl}/ignored/path` });
    try {
      expect(await scrapedBreakers('cart-service')).toEqual([
        `circuit_breaker_state{upstream="inventory-service",instance="${callee.baseUrl}",service="cart-service"} 0`,
      ]);
    } finally {
      client.shutdown();
    }
  });

  it('when the breaker opens, half-opens and closes, then each scrape shows the state it is in, and none after shutdown', async () => {
    const client = new ServiceClient({ service: 'location-service', baseUrl: callee.baseUrl, resetTimeoutMs: 200 });
    const series = `circuit_breaker_state{upstream="location-service",instance="${callee.baseUrl}",service="order-service"}`;
    try {
      callee.respond = () => ({ status: 503 });
      for (let i = 0; i < 5; i++) await caught(client.call('/x'));
      expect(await scrapedBreakers('order-service')).toEqual([`${series} 2`]);

      callee.respond = () => ({ status: 200, body: { ok: true } });
      await eventually(async () => client.breaker.halfOpen, 2_000, 20);
      expect(await scrapedBreakers('order-service')).toEqual([`${series} 1`]);

      await client.call('/x');
      expect(await scrapedBreakers('order-service')).toEqual([`${series} 0`]);
    } finally {
      client.shutdown();
    }
    expect(await scrapedBreakers('order-service')).toEqual([]);
  });
});
