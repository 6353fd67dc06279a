import { randomUUID } from 'node:crypto';
import { rootQuery } from '@qc/shared/testing';
import { ensureAdmin } from '../../src/domain/administration';
import { startUserService, type UserServiceUnderTest } from '../fixtures';

let fixture: UserServiceUnderTest;
const api = () => fixture.api();

beforeAll(async () => {
  fixture = await startUserService();
}, 60_000);
afterAll(() => fixture?.stop(), 30_000);

const home = {
  label: 'Home',
  line1: '12, 5th Cross, Koramangala 4th Block',
  city: 'Bengaluru',
  pincode: '560034',
  lat: 12.9352,
  lng: 77.6245,
};

describe('profile', () => {
  it('when the user reads and changes their profile, then name and preferences change and user.updated says which', async () => {
    const customer = await fixture.customer();
    const res = await api()
      .patch('/api/v1/users/me')
      .set('authorization', customer.bearer)
      .send({ name: 'Asha R', preferences: { language: 'kn' } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: 'Asha R', preferences: { language: 'kn', marketing: false } });
    const me = await api().get('/api/v1/users/me').set('authorization', customer.bearer);
    expect(me.body.data.name).toBe('Asha R');
    const updates = await fixture.outboxEvents('user.updated');
    expect(updates.find((e) => e.data.userId === customer.userId)?.data).toMatchObject({
      changed: ['name', 'preferences'],
      name: 'Asha R',
    });
  });

  it.each([
    ['role', { role: 'admin' }],
    ['id', { id: randomUUID() }],
    ['passwordHash', { passwordHash: '$argon2id$v=19$forged' }],
    ['email', { email: 'someone.else@example.com' }],
    ['phone (attached only through a code sent to it)', { phone: '+919822222222' }],
  ])('when %s is sent (mass assignment), then 400 and nothing changes', async (_field, patch) => {
    const customer = await fixture.customer();
    const before = (await api().get('/api/v1/users/me').set('authorization', customer.bearer)).body.data;
    const res = await api()
      .patch('/api/v1/users/me')
      .set('authorization', customer.bearer)
      .send({ name: 'Changed', ...patch });
    expect(res.status).toBe(400);
    const after = (await api().get('/api/v1/users/me').set('authorization', customer.bearer)).body.data;
    expect(after).toEqual(before);
    expect((await api().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password })).status).toBe(200);
  });

  it('when channel choices are sent here, then 400 says they are set at notification-service and nothing changes', async () => {
    const customer = await fixture.customer();
    const before = (await api().get('/api/v1/users/me').set('authorization', customer.bearer)).body.data;
    const res = await api()
      .patch('/api/v1/users/me')
      .set('authorization', customer.bearer)
      .send({ preferences: { language: 'hi', notifications: { sms: false } } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('PUT /api/v1/notifications/preferences');
    expect((await api().get('/api/v1/users/me').set('authorization', customer.bearer)).body.data).toEqual(before);
  });

  it('when no token is sent, then 401', async () => {
    expect((await api().get('/api/v1/users/me')).status).toBe(401);
  });
});

describe('addresses', () => {
  it('when addresses are added, then the first is the default until another is made default', async () => {
    const customer = await fixture.customer();
    const first = await api().post('/api/v1/users/me/addresses').set('authorization', customer.bearer).send(home);
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({ ...home, line2: null, isDefault: true });
    const second = await api()
      .post('/api/v1/users/me/addresses')
      .set('authorization', customer.bearer)
      .send({ ...home, label: 'Work', isDefault: true });
    const list = await api().get('/api/v1/users/me/addresses').set('authorization', customer.bearer);
    expect(list.body.data.map((a: { id: string; isDefault: boolean }) => [a.id, a.isDefault])).toEqual([
      [first.body.data.id, false],
      [second.body.data.id, true],
    ]);
    const added = await fixture.outboxEvents('user.address.added');
    expect(added.filter((e) => e.data.userId === customer.userId)).toHaveLength(2);
  });

  it('when an address is changed and the default deleted, then another one becomes the default', async () => {
    const customer = await fixture.customer();
    const first = await api().post('/api/v1/users/me/addresses').set('authorization', customer.bearer).send(home);
    const second = await api()
      .post('/api/v1/users/me/addresses')
      .set('authorization', customer.bearer)
      .send({ ...home, label: 'Gym' });
    const patched = await api()
      .patch(`/api/v1/users/me/addresses/${second.body.data.id}`)
      .set('authorization', customer.bearer)
      .send({ line2: 'Near the park' });
    expect(patched.body.data).toMatchObject({ line2: 'Near the park', isDefault: false });
    expect((await api().delete(`/api/v1/users/me/addresses/${first.body.data.id}`).set('authorization', customer.bearer)).status).toBe(204);
    const list = await api().get('/api/v1/users/me/addresses').set('authorization', customer.bearer);
    expect(list.body.data).toEqual([expect.objectContaining({ id: second.body.data.id, isDefault: true })]);
  });

  it("when a customer asks for, changes or deletes another customer's address, then 404 and it is untouched", async () => {
    const owner = await fixture.customer();
    const other = await fixture.customer();
    const address = (await api().post('/api/v1/users/me/addresses').set('authorization', owner.bearer).send(home)).body.data;
    const path = `/api/v1/users/me/addresses/${address.id}`;
    expect((await api().get(path).set('authorization', other.bearer)).status).toBe(404);
    expect((await api().patch(path).set('authorization', other.bearer).send({ label: 'Mine now' })).status).toBe(404);
    expect((await api().delete(path).set('authorization', other.bearer)).status).toBe(404);
    expect((await api().get(path).set('authorization', owner.bearer)).body.data).toEqual(address);
  });

  it.each([
    ['a bad PIN code', { pincode: '012345' }],
    ['a latitude out of range', { lat: 91 }],
    ['an unknown field', { userId: randomUUID() }],
  ])('when the address has %s, then 400', async (_case, override) => {
    const customer = await fixture.customer();
    const res = await api()
      .post('/api/v1/users/me/addresses')
      .set('authorization', customer.bearer)
      .send({ ...home, ...override });
    expect(res.status).toBe(400);
    expect((await api().get('/api/v1/users/me/addresses').set('authorization', customer.bearer)).body.data).toEqual([]);
  });
});

describe('administration', () => {
  it('when a customer calls an admin route, then 403; without a token 401', async () => {
    const customer = await fixture.customer();
    expect((await api().get('/api/v1/users').set('authorization', customer.bearer)).status).toBe(403);
    expect((await api().get('/api/v1/users')).status).toBe(401);
    expect((await api().post(`/api/v1/users/${customer.userId}/disable`).set('authorization', customer.bearer)).status).toBe(403);
  });

  it('when an admin searches, then matching users come back newest first in cursor pages', async () => {
    const admin = await fixture.admin();
    const marker = `page-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 3; i++) {
      await api()
        .post('/api/v1/auth/register')
        .send({ email: `${marker}-${i}@example.com`, password: 'a long passphrase', name: `P${i}` });
    }
    const first = await api().get('/api/v1/users').query({ q: marker, limit: 2 }).set('authorization', admin.bearer);
    expect(first.status).toBe(200);
    expect(first.body.data.map((u: { email: string }) => u.email)).toEqual([`${marker}-2@example.com`, `${marker}-1@example.com`]);
    const second = await api()
      .get('/api/v1/users')
      .query({ q: marker, limit: 2, cursor: first.body.meta.nextCursor })
      .set('authorization', admin.bearer);
    expect(second.body.data.map((u: { email: string }) => u.email)).toEqual([`${marker}-0@example.com`]);
    expect(second.body.meta.nextCursor).toBeNull();
    expect(JSON.stringify(first.body)).not.toContain('argon2');
  });

  it('when an admin disables a user, then their tokens stop at once, login is refused and refresh fails', async () => {
    const admin = await fixture.admin();
    const customer = await fixture.customer();
    const res = await api().post(`/api/v1/users/${customer.userId}/disable`).set('authorization', admin.bearer);
    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe('disabled');
    const me = await api().get('/api/v1/users/me').set('authorization', customer.bearer);
    expect(me.status).toBe(401);
    expect(me.body.errorCode).toBe('TOKEN_REVOKED');
    expect((await api().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken })).status).toBe(401);
    const login = await api().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password });
    expect(login.status).toBe(403);
    expect(login.body.errorCode).toBe('ACCOUNT_DISABLED');
    const updates = await fixture.outboxEvents('user.updated');
    expect(updates.find((e) => e.data.userId === customer.userId)?.data).toMatchObject({ changed: ['status'], status: 'disabled' });
  });

  it('when an admin changes a role, then the old sessions end and a fresh login carries the new role', async () => {
    const admin = await fixture.admin();
    const customer = await fixture.customer();
    const res = await api()
      .patch(`/api/v1/users/${customer.userId}/role`)
      .set('authorization', admin.bearer)
      .send({ role: 'delivery_partner' });
    expect(res.body.data.role).toBe('delivery_partner');
    expect((await api().get('/api/v1/users/me').set('authorization', customer.bearer)).status).toBe(401);
    expect((await api().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken })).status).toBe(401);
    const again = await fixture.login(customer.email, customer.password);
    expect((await api().get('/api/v1/users/me').set('authorization', again.bearer)).body.data.role).toBe('delivery_partner');
    const updates = await fixture.outboxEvents('user.updated');
    expect(updates.find((e) => e.data.userId === customer.userId)?.data).toMatchObject({ changed: ['role'], role: 'delivery_partner' });
  });

  it('when an admin disables themselves, then 422 and nothing changes', async () => {
    const admin = await fixture.admin();
    const res = await api().post(`/api/v1/users/${admin.userId}/disable`).set('authorization', admin.bearer);
    expect(res.status).toBe(422);
    expect((await api().get('/api/v1/users/me').set('authorization', admin.bearer)).status).toBe(200);
  });

  it('when the create-admin use case runs twice for one email, then one admin account exists', async () => {
    const email = `twice-${randomUUID()}@example.com`;
    expect(await ensureAdmin(fixture.service.deps, email, 'admin passphrase 42')).toEqual({ outcome: 'created' });
    expect(await ensureAdmin(fixture.service.deps, email, 'admin passphrase 42')).toEqual({ outcome: 'unchanged' });
    const rows = (await rootQuery(`SELECT role FROM \`${fixture.schema.name}\`.users WHERE email = ?`, [email])) as { role: string }[];
    expect(rows).toEqual([{ role: 'admin' }]);
  });

  it('when create-admin meets an account that already has the email, then it refuses and the account stays a customer', async () => {
    // Someone signed up first with the address the operator is about to make an admin.
    const squatter = await fixture.customer();
    await expect(ensureAdmin(fixture.service.deps, squatter.email, 'operator passphrase 7')).rejects.toMatchObject({
      code: 'ACCOUNT_EXISTS',
    });
    const me = await api().get('/api/v1/users/me').set('authorization', squatter.bearer);
    expect(me.body.data.role).toBe('customer');
    expect((await api().post('/api/v1/auth/login').send({ email: squatter.email, password: 'operator passphrase 7' })).status).toBe(401);
  });

  it('when create-admin promotes an existing account (--promote-existing), then its sessions end and only the given password signs in', async () => {
    const squatter = await fixture.customer();
    const other = await fixture.login(squatter.email, squatter.password);
    const outcome = await ensureAdmin(fixture.service.deps, squatter.email, 'operator passphrase 7', { promoteExisting: true });
    expect(outcome).toEqual({ outcome: 'promoted', sessionsEnded: 2 });
    for (const session of [squatter, other]) {
      const me = await api().get('/api/v1/users/me').set('authorization', session.bearer);
      expect(me.status).toBe(401);
      expect(me.body.errorCode).toBe('TOKEN_REVOKED');
      expect((await api().post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken })).status).toBe(401);
    }
    expect((await api().post('/api/v1/auth/login').send({ email: squatter.email, password: squatter.password })).status).toBe(401);
    const admin = await fixture.login(squatter.email, 'operator passphrase 7');
    expect((await api().get('/api/v1/users/me').set('authorization', admin.bearer)).body.data.role).toBe('admin');
  });
});
