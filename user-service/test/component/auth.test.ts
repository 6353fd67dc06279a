import { randomUUID } from 'node:crypto';
import { SigningKeyRing } from '../../src/data/signing-keys';
import { newPhone, startUserService, type UserServiceUnderTest } from '../fixtures';

let fixture: UserServiceUnderTest;
const api = () => fixture.api();

beforeAll(async () => {
  fixture = await startUserService({ LOGIN_MAX_FAILURES: '3', OTP_MAX_ATTEMPTS: '3' });
}, 60_000);
afterAll(() => fixture?.stop(), 30_000);

describe('registration', () => {
  it('when a customer signs up, then it gets the user and a token pair, and user.registered is in the outbox', async () => {
    const email = `New-${randomUUID()}@Example.com`;
    const res = await api().post('/api/v1/auth/register').send({ email, password: 'a long passphrase', name: 'Ravi' });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      user: expect.objectContaining({ email: email.toLowerCase(), name: 'Ravi', role: 'customer', status: 'active', hasPassword: true }),
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/argon2|passwordHash/);
    const events = await fixture.outboxEvents('user.registered');
    expect(events.map((e) => e.data.userId)).toContain(res.body.data.user.id);
  });

  it('when the email is taken, then 409 EMAIL_TAKEN', async () => {
    const { email } = await fixture.customer();
    const res = await api().post('/api/v1/auth/register').send({ email, password: 'another passphrase', name: 'Copy' });
    expect(res.status).toBe(409);
    expect(res.body.errorCode).toBe('EMAIL_TAKEN');
  });

  it.each([
    ['too short', { password: 'short1' }, 'body.password'],
    ['one repeated character', { password: 'aaaaaaaaaaaa' }, 'body.password'],
    ['a role given', { role: 'admin' }, 'body'],
    ['a bad email', { email: 'not-an-email' }, 'body.email'],
    ['a phone (attached only through a code sent to it)', { phone: '+919800000001' }, 'body'],
  ])('when the body has %s, then 400 and no account', async (_case, override, path) => {
    const email = `bad-${randomUUID()}@example.com`;
    const res = await api()
      .post('/api/v1/auth/register')
      .send({ email, password: 'a long passphrase', name: 'X', ...override });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await api().post('/api/v1/auth/login').send({ email, password: 'a long passphrase' })).status).toBe(401);
  });
});

describe('password login', () => {
  it('when the password is right, then 200 with a token pair and user.login in the outbox', async () => {
    const customer = await fixture.customer();
    const res = await api().post('/api/v1/auth/login').send({ email: customer.email.toUpperCase(), password: customer.password });
    expect(res.status).toBe(200);
    expect(res.body.data.user.id).toBe(customer.userId);
    const logins = await fixture.outboxEvents('user.login');
    expect(logins.some((e) => e.data.userId === customer.userId && e.data.method === 'password')).toBe(true);
  });

  it('when the email is unknown or the password wrong, then the same 401', async () => {
    const customer = await fixture.customer();
    const wrong = await api().post('/api/v1/auth/login').send({ email: customer.email, password: 'not the password' });
    const unknown = await api()
      .post('/api/v1/auth/login')
      .send({ email: `nobody-${randomUUID()}@example.com`, password: 'whatever it is' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.error).toBe(unknown.body.error);
    expect(wrong.body.errorCode).toBe('INVALID_CREDENTIALS');
  });

  it('when wrong passwords repeat, then the account is locked out with 429, even for the right password', async () => {
    const customer = await fixture.customer();
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await api()
            .post('/api/v1/auth/login')
            .send({ email: customer.email, password: `guess number ${i}` })
        ).status,
      ).toBe(401);
    }
    const locked = await api().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password });
    expect(locked.status).toBe(429);
    expect(locked.body.errorCode).toBe('TOO_MANY_FAILED_LOGINS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('when many wrong passwords arrive at once, then at most LOGIN_MAX_FAILURES of them are checked and the rest get 429', async () => {
    const customer = await fixture.customer();
    const guesses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api()
          .post('/api/v1/auth/login')
          .send({ email: customer.email, password: `parallel guess ${i}` }),
      ),
    );
    const statuses = guesses.map((res) => res.status);
    // A 401 is a password that was checked; the cap is 3 however the requests interleave.
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(12 - statuses.filter((status) => status === 401).length);
    expect((await api().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password })).status).toBe(429);
  });

  it('when the right password follows a wrong one, then it signs in and only the wrong one stays counted', async () => {
    const customer = await fixture.customer();
    expect((await api().post('/api/v1/auth/login').send({ email: customer.email, password: 'one wrong guess' })).status).toBe(401);
    for (let i = 0; i < 3; i++) await fixture.login(customer.email, customer.password);
    expect((await api().post('/api/v1/auth/login').send({ email: customer.email, password: 'two wrong guess' })).status).toBe(401);
    expect((await api().post('/api/v1/auth/login').send({ email: customer.email, password: 'three wrong guess' })).status).toBe(401);
    expect((await api().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password })).status).toBe(429);
  });
});

describe('refresh tokens', () => {
  it('when a refresh token is used, then a new pair comes back and the old refresh token is spent', async () => {
    const customer = await fixture.customer();
    const res = await api().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken });
    expect(res.status).toBe(200);
    expect(res.body.data.refreshToken).not.toBe(customer.refreshToken);
    expect((await api().get('/api/v1/users/me').set('authorization', `Bearer ${res.body.data.accessToken}`)).status).toBe(200);
  });

  it('when a spent refresh token is used again, then the whole family ends: its successor and access tokens too', async () => {
    const customer = await fixture.customer();
    const rotated = await api().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken });
    const reuse = await api().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.errorCode).toBe('REFRESH_TOKEN_REUSED');
    expect((await api().post('/api/v1/auth/refresh').send({ refreshToken: rotated.body.data.refreshToken })).status).toBe(401);
    const me = await api().get('/api/v1/users/me').set('authorization', `Bearer ${rotated.body.data.accessToken}`);
    expect(me.status).toBe(401);
    expect(me.body.errorCode).toBe('TOKEN_REVOKED');
  });

  it('when two refreshes race with the same token, then one wins and the family ends', async () => {
    const customer = await fixture.customer();
    const results = await Promise.all([1, 2].map(() => api().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = results.find((r) => r.status === 200)!;
    expect((await api().post('/api/v1/auth/refresh').send({ refreshToken: winner.body.data.refreshToken })).status).toBe(401);
  });

  it('when a refresh is sent with an expired access token still in the header, then it works all the same', async () => {
    const customer = await fixture.customer();
    const res = await api().post('/api/v1/auth/refresh').set('authorization', 'Bearer a.b.c').send({ refreshToken: customer.refreshToken });
    expect(res.status).toBe(200);
  });

  it('when logged out, then the refresh token and the access token stop working', async () => {
    const customer = await fixture.customer();
    expect((await api().post('/api/v1/auth/logout').send({ refreshToken: customer.refreshToken })).status).toBe(204);
    expect((await api().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken })).status).toBe(401);
    expect((await api().get('/api/v1/users/me').set('authorization', customer.bearer)).status).toBe(401);
  });
});

describe('password change', () => {
  it('when the password changes, then every other session ends and this one goes on', async () => {
    const first = await fixture.customer();
    const second = await fixture.login(first.email, first.password);
    const res = await api()
      .post('/api/v1/auth/password')
      .set('authorization', first.bearer)
      .send({ currentPassword: first.password, newPassword: 'a brand new passphrase' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ sessionsEnded: 1 });
    expect((await api().get('/api/v1/users/me').set('authorization', second.bearer)).status).toBe(401);
    expect((await api().post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken })).status).toBe(401);
    expect((await api().get('/api/v1/users/me').set('authorization', first.bearer)).status).toBe(200);
    expect((await api().post('/api/v1/auth/login').send({ email: first.email, password: 'a brand new passphrase' })).status).toBe(200);
  });

  it('when the current password is wrong, then 400 and the password stays', async () => {
    const customer = await fixture.customer();
    const res = await api()
      .post('/api/v1/auth/password')
      .set('authorization', customer.bearer)
      .send({ currentPassword: 'not my password', newPassword: 'a brand new passphrase' });
    expect(res.status).toBe(400);
    expect((await api().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password })).status).toBe(200);
  });

  it('when wrong current passwords repeat, then they count like logins: the change and the login are refused with 429', async () => {
    const customer = await fixture.customer();
    const change = (currentPassword: string) =>
      api()
        .post('/api/v1/auth/password')
        .set('authorization', customer.bearer)
        .send({ currentPassword, newPassword: 'a brand new passphrase' });
    for (let i = 0; i < 3; i++) expect((await change(`not my password ${i}`)).status).toBe(400);
    const locked = await change(customer.password);
    expect(locked.status).toBe(429);
    expect(locked.body.errorCode).toBe('TOO_MANY_FAILED_LOGINS');
    expect((await api().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password })).status).toBe(429);
  });

  it('when no token is sent, then 401', async () => {
    const res = await api().post('/api/v1/auth/password').send({ currentPassword: 'x', newPassword: 'a brand new passphrase' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('phone OTP login', () => {
  const phone = newPhone;

  async function sentCode(to: string): Promise<string> {
    const events = await fixture.outboxEvents('user.otp_requested');
    const event = events.filter((e) => e.data.phone === to).at(-1);
    if (!event) throw new Error(`no code was sent to ${to}`);
    return String(event.data.code);
  }

  it('when a code is asked for, then 202 without the code, and the code travels only in user.otp_requested', async () => {
    const to = phone();
    const res = await api().post('/api/v1/auth/otp/request').send({ phone: to });
    expect(res.status).toBe(202);
    const code = await sentCode(to);
    expect(code).toMatch(/^\d{6}$/);
    expect(res.text).not.toContain(code);
    expect(res.body.data).toEqual({ expiresAt: expect.any(String), resendAfterSeconds: 2 });
  });

  it('when a code is asked for again at once, then 429 with Retry-After', async () => {
    const to = phone();
    await api().post('/api/v1/auth/otp/request').send({ phone: to });
    const again = await api().post('/api/v1/auth/otp/request').send({ phone: to });
    expect(again.status).toBe(429);
    expect(again.body.errorCode).toBe('OTP_COOLDOWN');
    expect(again.headers['retry-after']).toBeDefined();
  });

  it('when the right code is given for a new phone, then the account is created and signed in; the code works once', async () => {
    const to = phone();
    await api().post('/api/v1/auth/otp/request').send({ phone: to });
    const code = await sentCode(to);
    const res = await api().post('/api/v1/auth/otp/verify').send({ phone: to, code });
    expect(res.status).toBe(201);
    expect(res.body.data.user).toMatchObject({ phone: to, email: null, role: 'customer', hasPassword: false });
    expect((await api().post('/api/v1/auth/otp/verify').send({ phone: to, code })).status).toBe(401);
  });

  it('when a known phone logs in again, then 200 with the same account', async () => {
    const to = phone();
    await api().post('/api/v1/auth/otp/request').send({ phone: to });
    const first = await api()
      .post('/api/v1/auth/otp/verify')
      .send({ phone: to, code: await sentCode(to) });
    await new Promise((r) => setTimeout(r, 2_100));
    await api().post('/api/v1/auth/otp/request').send({ phone: to });
    const second = await api()
      .post('/api/v1/auth/otp/verify')
      .send({ phone: to, code: await sentCode(to) });
    expect(second.status).toBe(200);
    expect(second.body.data.user.id).toBe(first.body.data.user.id);
  });

  it('when wrong codes are guessed, then 401 each time, then 429 and the code is void even when right', async () => {
    const to = phone();
    await api().post('/api/v1/auth/otp/request').send({ phone: to });
    const code = await sentCode(to);
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 3; i++) expect((await api().post('/api/v1/auth/otp/verify').send({ phone: to, code: wrong })).status).toBe(401);
    const blocked = await api().post('/api/v1/auth/otp/verify').send({ phone: to, code: wrong });
    expect(blocked.status).toBe(429);
    expect(blocked.body.errorCode).toBe('OTP_TOO_MANY_ATTEMPTS');
    expect((await api().post('/api/v1/auth/otp/verify').send({ phone: to, code })).status).toBe(401);
  });

  it('when the phone is not E.164, then 400', async () => {
    expect((await api().post('/api/v1/auth/otp/request').send({ phone: '98123' })).status).toBe(400);
  });
});

describe('secrets never leave', () => {
  it('when all of the above ran, then no log line holds a password, a hash, a refresh token or an OTP', async () => {
    const customer = await fixture.customer();
    await api().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken });
    await api().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken });
    const to = newPhone();
    await api().post('/api/v1/auth/otp/request').send({ phone: to });
    const codes = (await fixture.outboxEvents('user.otp_requested')).map((e) => String(e.data.code));
    const logs = fixture.logs.raw();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(customer.password);
    expect(logs).not.toContain(customer.refreshToken);
    expect(logs).not.toContain('$argon2id$');
    expect(logs).not.toContain(customer.accessToken);
    for (const code of codes) expect(logs).not.toMatch(new RegExp(`"${code}"`));
  });
});

describe('signing keys', () => {
  const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;

  it('when the keys are rotated by the command, then the JWKS lists old and new at once, and tokens are still signed with the old key (the new one signs later)', async () => {
    const before = await fixture.customer();
    const oldKid = kidOf(before.accessToken);
    // What `npm run user:rotate-keys` does, from another process's key ring.
    const newKid = await new SigningKeyRing(fixture.service.deps.dataSource).rotate();
    await new Promise((r) => setTimeout(r, 5_100));

    const jwks = await api().get('/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    expect(jwks.body.keys.every((k: { alg: string; kty: string; d?: string }) => k.alg === 'ES256' && k.kty === 'EC' && !k.d)).toBe(true);
    expect((await api().get('/api/v1/users/me').set('authorization', before.bearer)).status).toBe(200);

    // Published now, the new key signs once verifiers have fetched it (signing-keys.test.ts).
    const after = await fixture.customer();
    expect(kidOf(after.accessToken)).toBe(oldKid);
    expect((await api().get('/api/v1/users/me').set('authorization', after.bearer)).status).toBe(200);
  }, 20_000);
});

describe('when Redis is away', () => {
  it('then password and phone sign-in answer 503 with Retry-After, not a 500, and work again once it is back', async () => {
    const customer = await fixture.customer();
    const redis = fixture.service.deps.redis;
    redis.disconnect();
    try {
      const login = await api().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password });
      expect(login.status).toBe(503);
      expect(login.body.errorCode).toBe('DEPENDENCY_UNAVAILABLE');
      expect(login.headers['retry-after']).toBe('2');
      expect((await api().post('/api/v1/auth/otp/request').send({ phone: newPhone() })).status).toBe(503);
    } finally {
      await redis.connect();
    }
    expect((await api().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password })).status).toBe(200);
  });
});
