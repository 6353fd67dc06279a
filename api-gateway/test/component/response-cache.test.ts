import { get as httpGet } from 'node:http';
import { opsHeaders, type RunningGateway, startGateway, startUpstream, type FakeUpstream } from '../fixtures';

describe('the gateway cache of public answers', () => {
  let products: FakeUpstream;
  let orders: FakeUpstream;
  let gateway: RunningGateway;
  const page = '/api/v1/products?category=dairy&limit=20';

  beforeAll(async () => {
    [products, orders] = await Promise.all([
      startUpstream('product-service', { cacheControl: 'public, max-age=30' }),
      startUpstream('order-service', { cacheControl: 'private, no-cache' }),
    ]);
    gateway = await startGateway(
      { 'product-service': [products.url], 'order-service': [orders.url] },
      { RESPONSE_CACHE_MAX_TTL_MS: '1000', RATE_LIMIT_MAX: '1000' },
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([products?.stop(), orders?.stop()]);
  });

  beforeEach(() => [products, orders].forEach((upstream) => upstream.received.splice(0)));

  /** Reads the whole answer, as a client does before asking again (the gateway keeps it once read whole). */
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${gateway.url}${path}`, { headers });
    return { status: res.status, headers: res.headers, text: Buffer.from(await res.arrayBuffer()).toString() };
  };

  function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      httpGet(`${gateway.url}${path}`, { headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      }).on('error', reject);
    });
  }

  it('when a public page is asked for again, then the gateway answers it without asking the service, with this request’s id', async () => {
    const first = await get(page, { 'x-request-id': 'first' });
    const again = await get(page, { 'x-request-id': 'again' });
    expect(products.received).toHaveLength(1);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.text).toBe(first.text);
    expect(JSON.parse(first.text)).toMatchObject({ success: true, data: { upstream: 'product-service' } });
    expect(again.headers.get('x-request-id')).toBe('again');
    expect(again.headers.get('cache-control')).toBe('public, max-age=30');
    expect(Number(again.headers.get('age'))).toBeGreaterThanOrEqual(0);
    expect(again.headers.get('ratelimit')).toMatch(/remaining=\d+/);
  });

  it('when the client already has the page (If-None-Match), then 304 without a body', async () => {
    const first = await get(`${page}&etag=1`);
    const etag = first.headers.get('etag')!;
    // Not fetch: with If-None-Match it also sends `Cache-Control: no-cache`, which rightly bypasses caches.
    const revalidated = await rawGet(`${page}&etag=1`, { 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
    expect(products.received).toHaveLength(1);
  });

  it('when the query differs, then it is another page', async () => {
    await get(`${page}&sort=price_asc`);
    await get(`${page}&sort=price_desc`);
    expect(products.received).toHaveLength(2);
  });

  it('when the kept answer is older than the gateway’s limit, then the service is asked again', async () => {
    await get(`${page}&ttl=1`);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await get(`${page}&ttl=1`);
    expect(products.received).toHaveLength(2);
  });

  it('when the request carries a token or the answer is private, then nothing is kept', async () => {
    const bearer = gateway.issuer.bearer();
    await get(`${page}&signed=1`, { authorization: bearer });
    await get(`${page}&signed=1`, { authorization: bearer });
    expect(products.received).toHaveLength(2);
    await gateway.fetch('/api/v1/orders/42');
    await gateway.fetch('/api/v1/orders/42');
    expect(orders.received).toHaveLength(2);
  });

  it('when the gateway answers from its cache, then the metrics count hits and misses', async () => {
    await get(`${page}&metrics=1`);
    await get(`${page}&metrics=1`);
    const metrics = await (await fetch(`${gateway.url}/metrics`, { headers: opsHeaders })).text();
    expect(metrics).toMatch(/gateway_response_cache_lookups_total\{result="hit",service="api-gateway"\} [1-9]/);
    expect(metrics).toMatch(/gateway_response_cache_lookups_total\{result="miss",service="api-gateway"\} [1-9]/);
  });
});
