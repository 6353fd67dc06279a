import { randomUUID } from 'node:crypto';
import { withoutSecrets } from '@qc/shared/events';
import { newPhone, startUserService, type SignedIn, type UserServiceUnderTest } from '../fixtures';

let fixture: UserServiceUnderTest;
const api = () => fixture.api();

beforeAll(async () => {
  fixture = await startUserService({ OTP_RESEND_SECONDS: '1', OTP_MAX_ATTEMPTS: '3', OTP_MAX_FAILURES: '4' });
}, 60_000);
afterAll(() => fixture?.stop(), 30_000);

const pause = () => new Promise((r) => setTimeout(r, 1_100));
const newEmail = () => `moved-${randomUUID()}@example.com`;
const wrongFor = (code: string) => (code === '000000' ? '000001' : '000000');

const askForCode = (caller: SignedIn | string, body: Record<string, unknown>) =>
  api()
    .post('/api/v1/users/me/email')
    .set('authorization', typeof caller === 'string' ? caller : caller.bearer)
    .send(body);
const confirm = (caller: SignedIn | string, code: string) =>
  api()
    .post('/api/v1/users/me/email/verify')
    .set('authorization', typeof caller === 'string' ? caller : caller.bearer)
    .send({ code });
const profileOf = async (caller: SignedIn) => (await api().get('/api/v1/users/me').set('authorization', caller.bearer)).body.data;

const codesSent = async (userId: string, to: string) =>
  (await fixture.outboxEvents('user.email_verification_requested')).filter((e) => e.data.userId === userId && e.data.email === to);

async function sentCode(userId: string, to: string): Promise<string> {
  const event = (await codesSent(userId, to)).at(-1);
  if (!event) throw new Error(`no code was sent to ${to}`);
  return event.data.code;
}

describe('changing the sign-in email', () => {
  it('when a customer asks with their password and enters the code sent to the new address, then it becomes their sign-in email and the old one is told', async () => {
    const customer = await fixture.customer();
    const otherDevice = await fixture.login(customer.email, customer.password);
    const to = newEmail();

    // Spelled as people type it; kept as sign-up keeps it.
    const asked = await askForCode(customer, { email: `  ${to.toUpperCase()} `, currentPassword: customer.password });
    expect(asked.status).toBe(202);
    expect(asked.body.data).toEqual({ expiresAt: expect.any(String), resendAfterSeconds: 1 });
    const code = await sentCode(customer.userId, to);
    expect(code).toMatch(/^\d{6}$/);
    expect(asked.text).not.toContain(code);
    expect((await profileOf(customer)).email).toBe(customer.email);

    const confirmed = await confirm(customer, code);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.data).toMatchObject({ id: customer.userId, email: to });
    expect(confirmed.text).not.toContain(code);

    const updated = (await fixture.outboxEvents('user.updated')).filter((e) => e.data.userId === customer.userId);
    // The new address travels in user.updated: notification-service's contact book follows it.
    expect(updated.map((e) => e.data)).toEqual([{ userId: customer.userId, changed: ['email'], email: to }]);
    const changed = (await fixture.outboxEvents('user.email_changed')).filter((e) => e.data.userId === customer.userId);
    expect(changed.map((e) => e.data)).toEqual([{ userId: customer.userId, email: to, previousEmail: customer.email }]);

    expect((await api().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password })).status).toBe(401);
    expect((await api().post('/api/v1/auth/login').send({ email: to, password: customer.password })).status).toBe(200);
    // Every session goes on: this one, and the other device's access and refresh tokens.
    expect((await api().get('/api/v1/users/me').set('authorization', customer.bearer)).body.data.email).toBe(to);
    expect((await api().get('/api/v1/users/me').set('authorization', otherDevice.bearer)).status).toBe(200);
    expect((await api().post('/api/v1/auth/refresh').send({ refreshToken: otherDevice.refreshToken })).status).toBe(200);
    // The code is spent.
    expect((await confirm(customer, code)).status).toBe(401);
  });

  it.each([
    ['no current password', {}],
    ['a wrong current password', { currentPassword: 'not my password' }],
  ])('when a customer asks with %s, then 400 WRONG_PASSWORD and no code is sent', async (_case, extra) => {
    const customer = await fixture.customer();
    const to = newEmail();
    const res = await askForCode(customer, { email: to, ...extra });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('WRONG_PASSWORD');
    expect(await codesSent(customer.userId, to)).toHaveLength(0);
  });

  it('when wrong current passwords repeat, then they count like logins: the change and the login are refused with 429', async () => {
    const customer = await fixture.customer();
    for (let i = 0; i < 5; i++) expect((await askForCode(customer, { email: newEmail(), currentPassword: `wrong ${i}` })).status).toBe(400);
    const locked = await askForCode(customer, { email: newEmail(), currentPassword: customer.password });
    expect(locked.status).toBe(429);
    expect(locked.body.errorCode).toBe('TOO_MANY_FAILED_LOGINS');
    expect((await api().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password })).status).toBe(429);
  });

  it.each([
    ['the address already on the account', (c: SignedIn) => ({ email: c.email.toUpperCase(), currentPassword: c.password }), 422],
    ['no address', (c: SignedIn) => ({ email: 'not-an-email', currentPassword: c.password }), 400],
    ['an unknown field', (c: SignedIn) => ({ email: newEmail(), currentPassword: c.password, role: 'admin' }), 400],
  ])('when a customer asks for %s, then a clear 4xx and no code is sent', async (_case, body, status) => {
    const customer = await fixture.customer();
    const res = await askForCode(customer, body(customer));
    expect(res.status).toBe(status);
    expect((await fixture.outboxEvents('user.email_verification_requested')).filter((e) => e.data.userId === customer.userId)).toHaveLength(
      0,
    );
  });

  it('when an account without a password signed in by code moments ago, then it may add an email; nobody is told of a previous one', async () => {
    const phone = newPhone();
    await api().post('/api/v1/auth/otp/request').send({ phone });
    const otp = (await fixture.outboxEvents('user.otp_requested')).filter((e) => e.data.phone === phone).at(-1)!;
    const signedIn = await api().post('/api/v1/auth/otp/verify').send({ phone, code: otp.data.code });
    const bearer = `Bearer ${signedIn.body.data.accessToken}`;
    const userId = signedIn.body.data.user.id as string;
    const to = newEmail();
    expect((await askForCode(bearer, { email: to })).status).toBe(202);
    const confirmed = await confirm(bearer, await sentCode(userId, to));
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.data).toMatchObject({ phone, email: to, hasPassword: false });
    const changed = (await fixture.outboxEvents('user.email_changed')).filter((e) => e.data.userId === userId);
    expect(changed.map((e) => e.data.previousEmail)).toEqual([null]);
  });
});

describe('codes', () => {
  it('when the code is wrong, then 401 and the email is unchanged; the right one still works', async () => {
    const customer = await fixture.customer();
    const to = newEmail();
    await askForCode(customer, { email: to, currentPassword: customer.password });
    const code = await sentCode(customer.userId, to);
    const wrong = await confirm(customer, wrongFor(code));
    expect(wrong.status).toBe(401);
    expect(wrong.body.errorCode).toBe('OTP_INVALID');
    expect((await profileOf(customer)).email).toBe(customer.email);
    expect((await confirm(customer, code)).status).toBe(200);
  });

  it('when the code has expired, then 401 and the email is unchanged', async () => {
    const customer = await fixture.customer();
    const to = newEmail();
    await askForCode(customer, { email: to, currentPassword: customer.password });
    const code = await sentCode(customer.userId, to);
    // The code's lifetime runs out: what OTP_TTL_SECONDS does to every key of the pending change.
    const redis = fixture.service.deps.redis;
    const keys = await redis.keys(`*${customer.userId}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) await redis.pexpire(key, 1);
    await new Promise((r) => setTimeout(r, 20));
    const res = await confirm(customer, code);
    expect(res.status).toBe(401);
    expect(res.body.errorCode).toBe('OTP_INVALID');
    expect((await profileOf(customer)).email).toBe(customer.email);
  });

  it('when nothing was asked, then a code gets 401', async () => {
    const customer = await fixture.customer();
    expect((await confirm(customer, '123456')).status).toBe(401);
    expect((await confirm(customer, '12345')).status).toBe(400);
  });

  it('when a second address is asked for, then only its code confirms; the first address’s code is wrong', async () => {
    const customer = await fixture.customer();
    const [first, second] = [newEmail(), newEmail()];
    await askForCode(customer, { email: first, currentPassword: customer.password });
    await askForCode(customer, { email: second, currentPassword: customer.password });
    const firstCode = await sentCode(customer.userId, first);
    const secondCode = await sentCode(customer.userId, second);
    if (firstCode !== secondCode) expect((await confirm(customer, firstCode)).status).toBe(401);
    expect((await confirm(customer, secondCode)).body.data.email).toBe(second);
  });

  it('when wrong codes pass OTP_MAX_ATTEMPTS, then the code is void, and at OTP_MAX_FAILURES the address is locked: no guesses, no new codes', async () => {
    const customer = await fixture.customer();
    const to = newEmail();
    await askForCode(customer, { email: to, currentPassword: customer.password });
    const first = await sentCode(customer.userId, to);
    for (let i = 0; i < 3; i++) expect((await confirm(customer, wrongFor(first))).status).toBe(401);
    const voided = await confirm(customer, first);
    expect(voided.status).toBe(429);
    expect(voided.body.errorCode).toBe('OTP_TOO_MANY_ATTEMPTS');

    // Four guesses without a right answer are OTP_MAX_FAILURES for the address: it is locked for
    // guesses and new codes alike, whichever account asks.
    const locked = await confirm(customer, first);
    expect(locked.status).toBe(429);
    expect(locked.body.errorCode).toBe('OTP_LOCKED');
    expect(locked.body.error).toContain('email address');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(3_600);
    await pause();
    const again = await askForCode(customer, { email: to, currentPassword: customer.password });
    expect(again.status).toBe(429);
    expect(again.body.errorCode).toBe('OTP_LOCKED');
    const other = await fixture.customer();
    expect((await askForCode(other, { email: to, currentPassword: other.password })).body.errorCode).toBe('OTP_LOCKED');
    expect(await codesSent(customer.userId, to)).toHaveLength(1);
    expect((await profileOf(customer)).email).toBe(customer.email);
  }, 15_000);

  it('when a code is asked for the same address again at once, then 429 OTP_COOLDOWN with Retry-After', async () => {
    const customer = await fixture.customer();
    const to = newEmail();
    expect((await askForCode(customer, { email: to, currentPassword: customer.password })).status).toBe(202);
    const again = await askForCode(customer, { email: to, currentPassword: customer.password });
    expect(again.status).toBe(429);
    expect(again.body.errorCode).toBe('OTP_COOLDOWN');
    expect(again.headers['retry-after']).toBeDefined();
  });
});

describe('whether an email is taken', () => {
  it('when the address belongs to another account, then asking answers exactly as for a free one; only the code’s reader learns it (409)', async () => {
    const holder = await fixture.customer();
    const customer = await fixture.customer();
    const free = await askForCode(customer, { email: newEmail(), currentPassword: customer.password });
    const taken = await askForCode(customer, { email: holder.email.toUpperCase(), currentPassword: customer.password });
    expect([taken.status, free.status]).toEqual([202, 202]);
    expect(Object.keys(taken.body.data).sort()).toEqual(Object.keys(free.body.data).sort());
    expect(taken.body.data.resendAfterSeconds).toBe(free.body.data.resendAfterSeconds);

    const confirmed = await confirm(customer, await sentCode(customer.userId, holder.email));
    expect(confirmed.status).toBe(409);
    expect(confirmed.body.errorCode).toBe('EMAIL_TAKEN');
    expect((await profileOf(customer)).email).toBe(customer.email);
    expect((await profileOf(holder)).email).toBe(holder.email);
    expect((await fixture.outboxEvents('user.email_changed')).filter((e) => e.data.userId === customer.userId)).toHaveLength(0);
  });

  it('when the address is free when asked but someone signs up with it before the code is entered, then 409 and nothing changes', async () => {
    const customer = await fixture.customer();
    const to = newEmail();
    await askForCode(customer, { email: to, currentPassword: customer.password });
    expect((await api().post('/api/v1/auth/register').send({ email: to, password: 'someone else entirely', name: 'B' })).status).toBe(201);
    const confirmed = await confirm(customer, await sentCode(customer.userId, to));
    expect(confirmed.status).toBe(409);
    expect(confirmed.body.errorCode).toBe('EMAIL_TAKEN');
    expect((await profileOf(customer)).email).toBe(customer.email);
  });

  it('when two accounts enter their codes for the same new address at once, then exactly one gets it and the other 409', async () => {
    const [first, second] = [await fixture.customer(), await fixture.customer()];
    const to = newEmail();
    expect((await askForCode(first, { email: to, currentPassword: first.password })).status).toBe(202);
    await pause();
    expect((await askForCode(second, { email: to, currentPassword: second.password })).status).toBe(202);
    const [firstCode, secondCode] = [await sentCode(first.userId, to), await sentCode(second.userId, to)];

    const answers = await Promise.all([confirm(first, firstCode), confirm(second, secondCode)]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
    expect(answers.find((res) => res.status === 409)!.body.errorCode).toBe('EMAIL_TAKEN');
    const emails = [(await profileOf(first)).email, (await profileOf(second)).email];
    expect(emails.filter((email) => email === to)).toHaveLength(1);
    const changed = (await fixture.outboxEvents('user.email_changed')).filter((e) => e.data.email === to);
    expect(changed).toHaveLength(1);
  });
});

describe('the code stays secret', () => {
  it('when codes were sent, then no answer, log line or Redis key holds a code or the address, and analytics’ copy of the event drops the code', async () => {
    const customer = await fixture.customer();
    const to = newEmail();
    const asked = await askForCode(customer, { email: to, currentPassword: customer.password });
    const [event] = await codesSent(customer.userId, to);
    const code = event!.data.code;
    expect(asked.text).not.toContain(code);
    expect(withoutSecrets(event!.type, event!.data)).toEqual({ userId: customer.userId, email: to, expiresAt: event!.data.expiresAt });
    expect(await fixture.service.deps.redis.keys(`*${to}*`)).toEqual([]);

    await confirm(customer, wrongFor(code));
    await confirm(customer, code);
    const logs = fixture.logs.raw();
    expect(logs.length).toBeGreaterThan(0);
    for (const sent of await fixture.outboxEvents('user.email_verification_requested'))
      expect(logs).not.toMatch(new RegExp(`"${sent.data.code}"`));
  });
});
