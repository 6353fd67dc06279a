import { rootQuery } from '@qc/shared/testing';
import { newPhone, startUserService, type SignedIn, type UserServiceUnderTest } from '../fixtures';

let fixture: UserServiceUnderTest;
const api = () => fixture.api();

beforeAll(async () => {
  fixture = await startUserService({ OTP_RESEND_SECONDS: '1' });
}, 60_000);
afterAll(() => fixture?.stop(), 30_000);

async function sentCode(to: string): Promise<string> {
  const event = (await fixture.outboxEvents('user.otp_requested')).filter((e) => e.data.phone === to).at(-1);
  if (!event) throw new Error(`no code was sent to ${to}`);
  return String(event.data.code);
}

const codesSentTo = async (to: string) => (await fixture.outboxEvents('user.otp_requested')).filter((e) => e.data.phone === to).length;

async function signInByPhone(phone: string) {
  await api().post('/api/v1/auth/otp/request').send({ phone });
  return api()
    .post('/api/v1/auth/otp/verify')
    .send({ phone, code: await sentCode(phone) });
}

const askForCode = (caller: SignedIn | string, body: Record<string, unknown>) =>
  api()
    .post('/api/v1/users/me/phone')
    .set('authorization', typeof caller === 'string' ? caller : caller.bearer)
    .send(body);

describe('a phone becomes a login identity only through a code sent to it', () => {
  it('when someone signs up with another person’s phone, then 400, and that person’s first phone login opens their own account', async () => {
    const victimsPhone = newPhone();
    const squat = await api()
      .post('/api/v1/auth/register')
      .send({ email: `squatter-${Date.now()}@example.com`, password: 'squatter passphrase', name: 'S', phone: victimsPhone });
    expect(squat.status).toBe(400);
    const victim = await signInByPhone(victimsPhone);
    expect(victim.status).toBe(201);
    expect(victim.body.data.user).toMatchObject({ phone: victimsPhone, email: null, hasPassword: false });
  });

  it('when a signed-in user sets another person’s phone on their profile, then 400, and that person’s phone login does not reach the account', async () => {
    const squatter = await fixture.customer();
    const victimsPhone = newPhone();
    const patch = await api().patch('/api/v1/users/me').set('authorization', squatter.bearer).send({ phone: victimsPhone });
    expect(patch.status).toBe(400);
    const victim = await signInByPhone(victimsPhone);
    expect(victim.status).toBe(201);
    expect(victim.body.data.user.id).not.toBe(squatter.userId);
  });

  it('when a customer asks with their password and enters the code sent to the phone, then it is attached and signs in to their account', async () => {
    const customer = await fixture.customer();
    const phone = newPhone();
    const asked = await askForCode(customer, { phone, currentPassword: customer.password });
    expect(asked.status).toBe(202);
    expect(asked.body.data).toEqual({ expiresAt: expect.any(String), resendAfterSeconds: 1 });
    const confirmed = await api()
      .post('/api/v1/users/me/phone/verify')
      .set('authorization', customer.bearer)
      .send({ phone, code: await sentCode(phone) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.data).toMatchObject({ id: customer.userId, phone });
    const updates = await fixture.outboxEvents('user.updated');
    // The new number travels in the event: notification-service keeps its contact book from it.
    expect(updates.find((e) => e.data.userId === customer.userId && e.data.changed.includes('phone'))?.data).toMatchObject({
      changed: ['phone'],
      phone,
    });

    await new Promise((r) => setTimeout(r, 1_100));
    const byPhone = await signInByPhone(phone);
    expect(byPhone.status).toBe(200);
    expect(byPhone.body.data.user.id).toBe(customer.userId);
  });

  it.each([
    ['no current password', {}],
    ['a wrong current password', { currentPassword: 'not my password' }],
  ])('when a customer asks with %s, then 400 WRONG_PASSWORD and no code is sent', async (_case, extra) => {
    const customer = await fixture.customer();
    const phone = newPhone();
    const res = await askForCode(customer, { phone, ...extra });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('WRONG_PASSWORD');
    expect(await codesSentTo(phone)).toBe(0);
  });

  it('when another account enters the code sent for someone’s phone change, then 401 and the phone is attached to nobody', async () => {
    const owner = await fixture.customer();
    const intruder = await fixture.customer();
    const phone = newPhone();
    await askForCode(owner, { phone, currentPassword: owner.password });
    const res = await api()
      .post('/api/v1/users/me/phone/verify')
      .set('authorization', intruder.bearer)
      .send({ phone, code: await sentCode(phone) });
    expect(res.status).toBe(401);
    expect((await api().get('/api/v1/users/me').set('authorization', intruder.bearer)).body.data.phone).toBeNull();
  });

  it('when an account without a password signed in by code moments ago, then it may change its phone; an older sign-in gets 403', async () => {
    const first = newPhone();
    const signedIn = await signInByPhone(first);
    const bearer = `Bearer ${signedIn.body.data.accessToken}`;
    const second = newPhone();
    expect((await askForCode(bearer, { phone: second })).status).toBe(202);

    // The same session, as if its sign-in were an hour old.
    await rootQuery(`UPDATE \`${fixture.schema.name}\`.sessions SET created_at = created_at - INTERVAL 1 HOUR WHERE user_id = ?`, [
      signedIn.body.data.user.id,
    ]);
    const stale = await askForCode(bearer, { phone: newPhone() });
    expect(stale.status).toBe(403);
    expect(stale.body.errorCode).toBe('RECENT_SIGN_IN_REQUIRED');
  });
});

describe('whether a phone is taken', () => {
  it('when the phone belongs to another account, then asking answers exactly as for a free one; only the code’s holder learns it (409)', async () => {
    const holder = await signInByPhone(newPhone());
    const takenPhone = holder.body.data.user.phone as string;
    const customer = await fixture.customer();
    await new Promise((r) => setTimeout(r, 1_100));
    const taken = await askForCode(customer, { phone: takenPhone, currentPassword: customer.password });
    const free = await askForCode(customer, { phone: newPhone(), currentPassword: customer.password });
    expect([taken.status, free.status]).toEqual([202, 202]);
    expect(Object.keys(taken.body.data).sort()).toEqual(Object.keys(free.body.data).sort());

    const confirmed = await api()
      .post('/api/v1/users/me/phone/verify')
      .set('authorization', customer.bearer)
      .send({ phone: takenPhone, code: await sentCode(takenPhone) });
    expect(confirmed.status).toBe(409);
    expect(confirmed.body.errorCode).toBe('PHONE_TAKEN');
    expect((await api().get('/api/v1/users/me').set('authorization', customer.bearer)).body.data.phone).toBeNull();
  });
});
