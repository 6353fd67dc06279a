import { SERVICES } from '@qc/shared/fleet';
import { DOWN, jsonOf, opsHeaders, type RunningGateway, startGateway, startUpstream, type FakeUpstream } from '../fixtures';

async function health(gateway: RunningGateway, path = '/health') {
  const res = await fetch(`${gateway.url}${path}`, { headers: opsHeaders });
  return { status: res.status, type: res.headers.get('content-type'), body: await jsonOf(res) };
}

describe('gateway health', () => {
  let upstreams: FakeUpstream[];

  beforeAll(async () => {
    upstreams = await Promise.all(SERVICES.map((s) => startUpstream(s.name)));
  });

  afterAll(async () => {
    await Promise.all(upstreams.map((u) => u.stop()));
  });

  const everyServiceUp = () => Object.fromEntries(upstreams.map((u) => [u.name, [u.url]]));

  it('when every service is ready, then /health passes and lists every service and every breaker', async () => {
    const gateway = await startGateway(everyServiceUp());
    try {
      const { status, type, body } = await health(gateway);
      expect(status).toBe(200);
      expect(type).toMatch(/^application\/health\+json/);
      expect(body).toMatchObject({ status: 'pass', serviceId: 'api-gateway' });
      expect(body.checks['redis:connection'][0].status).toBe('pass');
      for (const upstream of upstreams) {
        expect(body.checks[`${upstream.name}:ready`]).toEqual([{ componentId: upstream.url, status: 'pass', time: expect.any(String) }]);
        expect(body.checks[`${upstream.name}:circuit`]).toEqual([
          { componentId: upstream.url, status: 'pass', observedValue: 'closed', time: expect.any(String) },
        ]);
      }
    } finally {
      await gateway.stop();
    }
  });

  it('when some services are down or not ready, then /health is 503 and says which', async () => {
    const notReady = upstreams.find((u) => u.name === 'inventory-service')!;
    notReady.behaviour.ready = false;
    const gateway = await startGateway({ ...everyServiceUp(), 'order-service': [DOWN] });
    try {
      const { status, body } = await health(gateway);
      expect(status).toBe(503);
      expect(body.status).toBe('fail');
      expect(body.output).toBe('not available: inventory-service, order-service');
      expect(body.checks['order-service:ready']).toEqual([
        { componentId: DOWN, status: 'fail', time: expect.any(String), output: 'unreachable (ECONNREFUSED)' },
      ]);
      expect(body.checks['inventory-service:ready'][0]).toMatchObject({ status: 'fail', output: 'answered 503' });
      expect(body.checks['user-service:ready'][0].status).toBe('pass');
    } finally {
      notReady.behaviour.ready = true;
      await gateway.stop();
    }
  });

  it('when one of two instances is down, then the service only warns', async () => {
    const cart = upstreams.find((u) => u.name === 'cart-service')!;
    const gateway = await startGateway({ ...everyServiceUp(), 'cart-service': [cart.url, DOWN] });
    try {
      const { status, body } = await health(gateway);
      expect(status).toBe(200);
      expect(body.status).toBe('warn');
      expect(body.checks['cart-service:ready'].map((c: { status: string }) => c.status)).toEqual(['pass', 'warn']);
    } finally {
      await gateway.stop();
    }
  });

  it('when services are down, then the gateway itself is still live and ready (it answers for them fast)', async () => {
    const gateway = await startGateway({});
    try {
      expect(await health(gateway, '/health/live')).toMatchObject({ status: 200, body: { status: 'pass' } });
      const ready = await health(gateway, '/health/ready');
      expect(ready).toMatchObject({ status: 200, body: { status: 'pass', checks: { 'redis:connection': [{ status: 'pass' }] } } });
    } finally {
      await gateway.stop();
    }
  });
});

describe('what the gateway shows without the operations token', () => {
  let orders: FakeUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    orders = await startUpstream('order-service');
    gateway = await startGateway({ 'order-service': [orders.url] });
  });

  afterAll(async () => {
    await gateway?.stop();
    await orders?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gateway.url}${path}`, { headers });

  it('when /health is asked without the token, then it answers the fleet status alone, with the same HTTP status', async () => {
    const res = await get('/health');
    expect(res.status).toBe(503); // every service but orders is down
    expect(await jsonOf(res)).toEqual({ status: 'fail', serviceId: 'api-gateway' });
    const detailed = await jsonOf(await get('/health', opsHeaders));
    expect(detailed.checks['order-service:ready'][0].status).toBe('pass');
    expect(detailed.output).toMatch(/^not available: /);
  });

  it.each([
    ['no token', {}],
    ['a customer access token', null],
    ['a wrong operations token', { authorization: 'Bearer not-the-ops-token-0123456789abcdef0123' }],
  ])('when /metrics is asked with %s, then 401 and no metrics', async (_case, headers) => {
    const res = await get('/metrics', headers ?? { authorization: gateway.issuer.bearer({ role: 'admin' }) });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(JSON.parse(text).errorCode).toBe('OPS_TOKEN_REQUIRED');
    expect(text).not.toContain('circuit_breaker_state');
  });

  it('when /metrics is asked with the operations token, then it answers Prometheus text', async () => {
    const res = await get('/metrics', opsHeaders);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('circuit_breaker_state');
  });

  it('when probes and API docs are asked without any token, then they answer', async () => {
    for (const path of ['/health/live', '/health/ready', '/openapi.json', '/docs/']) expect((await get(path)).status).toBe(200);
  });

  it('when no OPS_TOKEN is configured, then nothing unlocks the metrics or the fleet detail', async () => {
    const closed = await startGateway({ 'order-service': [orders.url] }, { OPS_TOKEN: '' });
    try {
      for (const headers of [{}, { authorization: 'Bearer ' }, opsHeaders]) {
        expect((await fetch(`${closed.url}/metrics`, { headers })).status).toBe(401);
        expect(await jsonOf(await fetch(`${closed.url}/health`, { headers }))).toEqual({ status: 'fail', serviceId: 'api-gateway' });
      }
    } finally {
      await closed.stop();
    }
  });
});
