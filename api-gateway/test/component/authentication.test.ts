import { randomUUID } from 'node:crypto';
import { RevocationList } from '@qc/shared/auth';
import { eventually, memoryLogger } from '@qc/shared/testing';
import { jsonOf, type RunningGateway, startGateway, startUpstream, type FakeUpstream } from '../fixtures';

describe('authentication and role rules at the gateway', () => {
  let users: FakeUpstream;
  let orders: FakeUpstream;
  let products: FakeUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    [users, orders, products] = await Promise.all([
      startUpstream('user-service'),
      startUpstream('order-service'),
      startUpstream('product-service'),
    ]);
    gateway = await startGateway(
      { 'user-service': [users.url], 'order-service': [orders.url], 'product-service': [products.url] },
      { RATE_LIMIT_MAX: '1000', AUTH_RATE_LIMIT_MAX: '3' },
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([users?.stop(), orders?.stop(), products?.stop()]);
  });

  beforeEach(() => [users, orders, products].forEach((upstream) => upstream.received.splice(0)));

  it('when a public route is called without a token, then it is forwarded', async () => {
    expect((await fetch(`${gateway.url}/api/v1/products?q=milk`)).status).toBe(200);
    expect(products.received).toHaveLength(1);
  });

  it('when a route that needs a token is called without one, then 401 and no service is reached', async () => {
    const res = await fetch(`${gateway.url}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect((await jsonOf(res)).errorCode).toBe('AUTHENTICATION_REQUIRED');
    expect(orders.received).toHaveLength(0);
  });

  it('when a signed-in customer calls, then the request and its token reach the service', async () => {
    const bearer = gateway.issuer.bearer();
    const res = await fetch(`${gateway.url}/api/v1/orders`, { headers: { authorization: bearer } });
    expect(res.status).toBe(200);
    expect(orders.received[0]!.headers.authorization).toBe(bearer);
  });

  it.each([
    'algNone',
    'expired',
    'wrongIssuer',
    'wrongAudience',
    'hs256SignedWithPublicKey',
    'tamperedRole',
    'unknownKid',
    'livesTooLong',
    'notAJwt',
  ])('when the token is %s, then 401 and no service is reached', async (name) => {
    const token = gateway.issuer.forgedTokens()[name]!;
    const res = await fetch(`${gateway.url}/api/v1/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(orders.received).toHaveLength(0);
  });

  it('when a customer calls an admin route, then 403; an admin gets through', async () => {
    for (const path of ['/api/v1/users', `/api/v1/users/${randomUUID()}/disable`]) {
      const res = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { authorization: gateway.issuer.bearer() } });
      expect(res.status).toBe(403);
    }
    expect(users.received).toHaveLength(0);
    const admin = await fetch(`${gateway.url}/api/v1/users`, { headers: { authorization: gateway.issuer.bearer({ role: 'admin' }) } });
    expect(admin.status).toBe(200);
  });

  it('when a customer reaches their own account, then the admin rule for the rest of /users does not apply', async () => {
    const res = await fetch(`${gateway.url}/api/v1/users/me/addresses`, { headers: { authorization: gateway.issuer.bearer() } });
    expect(res.status).toBe(200);
  });

  it('when user-service ends a session, then the gateway refuses its tokens within moments', async () => {
    const sessionId = randomUUID();
    const bearer = gateway.issuer.bearer({ sessionId });
    expect((await fetch(`${gateway.url}/api/v1/orders`, { headers: { authorization: bearer } })).status).toBe(200);
    const userService = new RevocationList(gateway.redis, memoryLogger('user-service').logger);
    await userService.revokeSessions([sessionId]);
    const code = await eventually(
      async () => {
        const res = await fetch(`${gateway.url}/api/v1/orders`, { headers: { authorization: bearer } });
        return res.status === 401 && (await jsonOf(res)).errorCode;
      },
      2_000,
      20,
    );
    expect(code).toBe('TOKEN_REVOKED');
  });

  it('when the login endpoint is hammered from one address, then the strict limit answers 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${gateway.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'victim@example.com', password: `guess-${i}` }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(users.received).toHaveLength(3);
  });
});

describe('rate limits per signed-in user', () => {
  let carts: FakeUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    carts = await startUpstream('cart-service');
    gateway = await startGateway({ 'cart-service': [carts.url] }, { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '30000' });
  });

  afterAll(async () => {
    await gateway?.stop();
    await carts?.stop();
  });

  it('when two users share one address, then each has their own limit', async () => {
    const asha = gateway.issuer.bearer();
    const ravi = gateway.issuer.bearer();
    const call = async (authorization: string) => (await fetch(`${gateway.url}/api/v1/carts/mine`, { headers: { authorization } })).status;
    expect([await call(asha), await call(asha), await call(asha)]).toEqual([200, 200, 429]);
    expect([await call(ravi), await call(ravi)]).toEqual([200, 200]);
  });
});
