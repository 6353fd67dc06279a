import { randomUUID } from 'node:crypto';
import { startUserService, type UserServiceUnderTest } from '../fixtures';

let fixture: UserServiceUnderTest;
const api = () => fixture.api();

// Requests come through loopback, as from a proxy; X-Forwarded-For names the client.
beforeAll(async () => {
  fixture = await startUserService({ AUTH_RATE_LIMIT_MAX: '3', TRUSTED_PROXIES: 'loopback' });
}, 60_000);
afterAll(() => fixture?.stop(), 30_000);

// A new unknown email each time: the account lockout must not be what answers.
const login = (from: string) =>
  api()
    .post('/api/v1/auth/login')
    .set('x-forwarded-for', from)
    .send({ email: `nobody-${randomUUID()}@example.com`, password: 'whatever it is' });

describe('the per-address limit on the routes that check a secret', () => {
  it('when one address passes AUTH_RATE_LIMIT_MAX, then it gets 429 with Retry-After; another address does not', async () => {
    for (let i = 0; i < 3; i++) expect((await login('203.0.113.10')).status).toBe(401);
    const limited = await login('203.0.113.10');
    expect(limited.status).toBe(429);
    expect(limited.body.errorCode).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-policy']).toBe('3;w=60');
    expect((await login('203.0.113.11')).status).toBe(401);
  });

  it('when the address is limited, then every secret-checking route refuses it, and the others still answer', async () => {
    const from = '203.0.113.20';
    const customer = await fixture.customer();
    for (let i = 0; i < 3; i++) await login(from);
    for (const [path, body] of [
      ['/api/v1/auth/register', { email: `new-${randomUUID()}@example.com`, password: 'a long passphrase', name: 'N' }],
      ['/api/v1/auth/refresh', { refreshToken: customer.refreshToken }],
      ['/api/v1/auth/otp/request', { phone: '+919700000001' }],
      ['/api/v1/auth/otp/verify', { phone: '+919700000001', code: '123456' }],
    ] as const) {
      expect((await api().post(path).set('x-forwarded-for', from).send(body)).status).toBe(429);
    }
    for (const path of [
      '/api/v1/auth/password',
      '/api/v1/users/me/phone',
      '/api/v1/users/me/phone/verify',
      '/api/v1/users/me/email',
      '/api/v1/users/me/email/verify',
    ]) {
      const res = await api().post(path).set('x-forwarded-for', from).set('authorization', customer.bearer).send({});
      expect(res.status).toBe(429);
    }
    expect((await api().get('/api/v1/users/me').set('x-forwarded-for', from).set('authorization', customer.bearer)).status).toBe(200);
  });
});
