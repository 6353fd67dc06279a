import { type RunningGateway, startGateway, startUpstream, type FakeUpstream } from '../fixtures';

/**
 * The strict per-address limit on the endpoints that check a secret, tried the way an attacker
 * would: other spellings of the path, and made-up `X-Forwarded-For` addresses. The stand-in
 * user-service answers every path, as a lenient router would, so only the gateway stands between
 * the attacker and the limit.
 */
const STRICT_ACTIONS = ['login', 'register', 'refresh', 'otp/request', 'otp/verify', 'password'];
const LIMIT = 3;

describe('the strict limit, whatever the spelling of the path', () => {
  let users: FakeUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    users = await startUpstream('user-service');
  });

  afterAll(async () => {
    await users?.stop();
  });

  beforeEach(async () => {
    users.received.splice(0);
    // A gateway of its own per test: the strict limit counts one address over every secret-checking path.
    gateway = await startGateway({ 'user-service': [users.url] }, { RATE_LIMIT_MAX: '1000', AUTH_RATE_LIMIT_MAX: String(LIMIT) });
  });

  afterEach(async () => {
    await gateway?.stop();
  });

  const post = (path: string) =>
    gateway.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ guess: path }) });

  it.each(STRICT_ACTIONS)(
    'when POST /api/v1/auth/%s is sent with a trailing slash, in upper case and with //, then no spelling reaches the service past the limit',
    async (action) => {
      const spellings = [
        `/api/v1/auth/${action}/`,
        `/api/v1/auth/${action.toUpperCase()}`,
        `/api/v1/auth//${action}`,
        `//api/v1/auth/${action}`,
        `/API/V1/AUTH/${action.toUpperCase()}`,
        `/api/v1/Auth/${action[0]!.toUpperCase()}${action.slice(1)}/`,
      ];
      const statuses: Record<string, number[]> = {};
      for (let round = 0; round < 2; round++) {
        for (const path of spellings) (statuses[path] ??= []).push((await post(path)).status);
      }
      for (const path of spellings) expect(statuses[path]!.every((status) => [200, 404, 429].includes(status))).toBe(true);
      expect(statuses[`/api/v1/auth/${action}/`]).toEqual([404, 404]);
      expect(statuses[`/api/v1/auth//${action}`]).toEqual([404, 404]);
      // Each spelling was either refused as unknown or counted like the path itself: the limit holds
      // over all of them together.
      const canonical = [];
      for (let i = 0; i <= LIMIT; i++) canonical.push(await post(`/api/v1/auth/${action}`));
      expect(canonical.at(-1)!.status).toBe(429);
      expect(canonical.at(-1)!.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(users.received).toHaveLength(LIMIT);
    },
  );

  it('when a routed path ends in a slash or holds //, then 404 and no service is asked', async () => {
    for (const path of ['/api/v1/users/me/', '/api/v1//users/me', '/api/v1/users//me']) {
      const res = await gateway.fetch(path);
      expect(res.status).toBe(404);
    }
    expect(users.received).toEqual([]);
  });

  it('when a role rule is spelt in another case, then the stricter rule applies, never a more lenient one', async () => {
    // `/api/v1/users/me` is any signed-in user's; `/api/v1/users/ME` is not that path, so it falls to the admin rule for the rest of /users.
    expect((await gateway.fetch('/api/v1/users/me')).status).toBe(200);
    expect((await gateway.fetch('/api/v1/users/ME')).status).toBe(403);
    expect((await gateway.fetch('/API/v1/users/me')).status).toBe(404);
    expect(users.received.map((r) => r.url)).toEqual(['/api/v1/users/me']);
  });
});

describe('the strict limit and X-Forwarded-For', () => {
  let users: FakeUpstream;

  beforeAll(async () => {
    users = await startUpstream('user-service');
  });

  afterAll(async () => {
    await users?.stop();
  });

  const refreshes = async (gateway: RunningGateway, count: number, forwardedFor: (i: number) => string) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const res = await fetch(`${gateway.url}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor(i) },
        body: JSON.stringify({ refreshToken: `guess-${i}` }),
      });
      statuses.push(res.status);
    }
    return statuses;
  };

  it('when no proxy is trusted (the default) and each refresh claims another address, then they all count against the real one', async () => {
    const gateway = await startGateway({ 'user-service': [users.url] }, { AUTH_RATE_LIMIT_MAX: String(LIMIT) });
    try {
      const statuses = await refreshes(gateway, 8, (i) => `203.0.113.${i + 1}`);
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    } finally {
      await gateway.stop();
    }
  });

  it('when the load balancer in front is listed in TRUSTED_PROXIES, then each client it forwards has a limit of its own', async () => {
    const gateway = await startGateway(
      { 'user-service': [users.url] },
      { AUTH_RATE_LIMIT_MAX: String(LIMIT), TRUSTED_PROXIES: '127.0.0.1' },
    );
    try {
      expect(await refreshes(gateway, 4, (i) => `203.0.113.${i + 1}`)).toEqual([200, 200, 200, 200]);
      expect(await refreshes(gateway, 4, () => '198.51.100.7')).toEqual([200, 200, 200, 429]);
    } finally {
      await gateway.stop();
    }
  });
});
