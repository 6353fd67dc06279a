import { get } from 'node:http';
import { jsonOf, type RunningGateway, startGateway, startUpstream, type FakeUpstream } from '../fixtures';

/** fetch would resolve dot segments itself; a raw request sends the path as written. */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(base, { path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('proxying through the gateway', () => {
  let orders: FakeUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    orders = await startUpstream('order-service');
    gateway = await startGateway({ 'order-service': [orders.url] }, { BODY_LIMIT: '1kb', CORS_ORIGINS: 'https://shop.example' });
  });

  afterAll(async () => {
    await gateway?.stop();
    await orders?.stop();
  });

  beforeEach(() => void orders.received.splice(0));

  it('when a request is forwarded, then path and query arrive unchanged and the request id is forwarded and echoed', async () => {
    const res = await gateway.fetch(`/api/v1/orders/42/items?limit=5&cursor=abc`, { headers: { 'x-request-id': 'proxy-test-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('proxy-test-1');
    expect(await jsonOf(res)).toEqual({
      success: true,
      data: { upstream: 'order-service', method: 'GET', url: '/api/v1/orders/42/items?limit=5&cursor=abc', body: null },
    });
    expect(orders.received[0]?.headers['x-request-id']).toBe('proxy-test-1');
  });

  it('when no request id is sent, then the gateway creates one, forwards it and echoes it', async () => {
    const res = await gateway.fetch(`/api/v1/coupons`);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(UUID);
    expect(orders.received[0]?.headers['x-request-id']).toBe(requestId);
  });

  it('when a client sends x-forwarded-for, then the gateway appends the address it saw rather than trusting it', async () => {
    await gateway.fetch(`/api/v1/orders`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(orders.received[0]?.headers).toMatchObject({ 'x-forwarded-for': '203.0.113.9, 127.0.0.1', 'x-forwarded-proto': 'http' });
  });

  it('when a client asks to close its connection, then the upstream connection is not closed with it', async () => {
    await gateway.fetch(`/api/v1/orders`, { headers: { connection: 'close' } });
    expect(orders.received[0]?.headers.connection).not.toBe('close');
  });

  it('when a JSON body is posted, then it is streamed to the service as sent and the answer comes back', async () => {
    const res = await gateway.fetch(`/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storeId: 's-1', items: [{ productId: 'p-1', quantity: 2 }] }),
    });
    expect(res.status).toBe(200);
    expect((await jsonOf(res)).data.body).toEqual({ storeId: 's-1', items: [{ productId: 'p-1', quantity: 2 }] });
  });

  it('when the body is malformed JSON, then the service answers 400 in the error envelope (the gateway does not parse bodies)', async () => {
    const res = await gateway.fetch(`/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad-json' },
      body: '{"storeId": ',
    });
    expect(res.status).toBe(400);
    expect(await jsonOf(res)).toEqual({
      success: false,
      error: expect.any(String),
      code: 400,
      errorCode: 'MALFORMED_JSON',
      details: [],
      requestId: 'bad-json',
    });
  });

  it('when no service serves the path, then the answer is 404 in the error envelope', async () => {
    const res = await gateway.fetch(`/api/v1/nothing-here`, { headers: { 'x-request-id': 'no-route' } });
    expect(res.status).toBe(404);
    expect(await jsonOf(res)).toEqual({
      success: false,
      error: expect.any(String),
      code: 404,
      errorCode: 'ROUTE_NOT_FOUND',
      details: [],
      requestId: 'no-route',
    });
  });

  it('when a path only starts like a prefix, then it is not routed there', async () => {
    const res = await gateway.fetch(`/api/v1/ordersx`);
    expect(res.status).toBe(404);
    expect(orders.received).toHaveLength(0);
  });

  it.each(['/api/v1/orders/../users', '/api/v1/orders/%2e%2e/users', '/api/v1/orders/./42'])(
    'when the path %s has dot segments, then it is rejected before any service sees it',
    async (path) => {
      const { status, body } = await rawGet(gateway.url, path);
      expect(status).toBe(400);
      expect(JSON.parse(body).errorCode).toBe('INVALID_PATH');
      expect(orders.received).toHaveLength(0);
    },
  );

  it('when Content-Length is above BODY_LIMIT, then the answer is 413 in the envelope and the service never sees the request', async () => {
    const res = await gateway.fetch(`/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'x'.repeat(2048) }),
    });
    expect(res.status).toBe(413);
    expect(await jsonOf(res)).toMatchObject({ success: false, code: 413, errorCode: 'PAYLOAD_TOO_LARGE' });
    expect(orders.received).toHaveLength(0);
  });

  it('when a body streamed without Content-Length grows past BODY_LIMIT, then the answer is 413 in the envelope', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(512));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await gateway.fetch(`/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await jsonOf(res)).toMatchObject({ code: 413, errorCode: 'PAYLOAD_TOO_LARGE' });
  });

  it('when a response passes through, then it carries the security headers the service set, and CORS for an allowed origin', async () => {
    const res = await gateway.fetch(`/api/v1/orders`, { headers: { origin: 'https://shop.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('when the gateway answers itself (a refused token, an unknown path, its health), then the answer carries the security headers', async () => {
    const answers = await Promise.all([
      gateway.fetch(`/api/v1/orders/42`, { headers: { authorization: 'Bearer not-a-token' } }),
      gateway.fetch(`/api/v9/nothing-here`),
      gateway.fetch(`/health/live`),
    ]);
    expect(answers.map((res) => res.status)).toEqual([401, 404, 200]);
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
  });

  it('when a browser from another origin asks, then CORS does not allow it', async () => {
    const res = await gateway.fetch(`/api/v1/orders`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
