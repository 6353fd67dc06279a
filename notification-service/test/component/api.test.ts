import { randomUUID } from 'node:crypto';
import { newEvent } from '@qc/shared/events';
import { eventually, rootQuery } from '@qc/shared/testing';
import { startNotificationService, type NotificationUnderTest } from '../fixtures';

/** Preferences, quiet hours, the history and the admins' dead letters and resend, through the HTTP API. */
describe('notifications API', () => {
  let service: NotificationUnderTest;

  beforeAll(async () => {
    service = await startNotificationService({ label: 'notification_api' });
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
  }, 30_000);

  const preferences = (userId: string) =>
    service.api().get('/api/v1/notifications/preferences').set('authorization', service.bearer(userId));
  const putPreferences = (userId: string, body: unknown) =>
    service
      .api()
      .put('/api/v1/notifications/preferences')
      .set('authorization', service.bearer(userId))
      .send(body as object);
  const history = (userId: string, query: Record<string, string | number> = {}) =>
    service.api().get('/api/v1/notifications').query(query).set('authorization', service.bearer(userId));
  const register = (userId: string, email: string, phone?: string) =>
    service.publish(
      newEvent('user-service', 'user.registered', { userId, email, phone, name: 'Ravi', role: 'customer' }, { subject: userId }),
    );
  const confirmOrder = (userId: string, orderId = randomUUID()) =>
    service.publish(
      newEvent(
        'order-service',
        'order.confirmed',
        { orderId, userId, storeId: randomUUID(), items: [{ productId: randomUUID(), quantity: 1 }] },
        { subject: orderId },
      ),
    );
  const contactKnown = async (userId: string) =>
    ((await rootQuery(`SELECT 1 FROM \`${service.schema.name}\`.contacts WHERE user_id = ?`, [userId])) as unknown[]).length === 1;
  /** The local time in Kolkata `minutes` from now, HH:MM. */
  const kolkataClock = (minutes: number) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
      new Date(Date.now() + minutes * 60_000),
    );

  it('when a user has chosen nothing, then every channel is on; a change keeps what it leaves out', async () => {
    const userId = randomUUID();
    expect((await preferences(userId)).body.data).toMatchObject({
      channels: { email: true, sms: true, push: true },
      quietHours: null,
      timeZone: 'Asia/Kolkata',
    });
    const changed = await putPreferences(userId, { channels: { sms: false } });
    expect(changed.status).toBe(200);
    expect(changed.body.data.channels).toEqual({ email: true, sms: false, push: true });
    await putPreferences(userId, { quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Europe/London' });
    expect((await preferences(userId)).body.data).toMatchObject({
      channels: { email: true, sms: false, push: true },
      quietHours: { start: '22:00', end: '07:00' },
      timeZone: 'Europe/London',
    });
    expect((await putPreferences(userId, { quietHours: null })).body.data.quietHours).toBeNull();
  });

  it.each([
    [{ channels: { fax: true } }],
    [{ channels: { sms: 'no' } }],
    [{ quietHours: { start: '22:00', end: '22:00' } }],
    [{ quietHours: { start: '25:00', end: '07:00' } }],
    [{ quietHours: { start: '22:00' } }],
    [{ timeZone: 'Mars/Olympus' }],
    [{ marketing: true }],
  ])('when preferences are sent as %j, then 400 and nothing changes', async (body) => {
    const userId = randomUUID();
    await putPreferences(userId, { channels: { push: false } });
    const res = await putPreferences(userId, body);
    expect(res.status).toBe(400);
    expect((await preferences(userId)).body.data).toMatchObject({ channels: { email: true, sms: true, push: false }, quietHours: null });
  });

  it('when no token is sent, then 401', async () => {
    expect((await service.api().get('/api/v1/notifications/preferences')).status).toBe(401);
    expect((await service.api().get('/api/v1/notifications')).status).toBe(401);
  });

  it('when a user switched SMS and email off, then an order confirmation reaches them by push alone', async () => {
    const userId = randomUUID();
    await putPreferences(userId, { channels: { sms: false, email: false } });
    await register(userId, `quiet.${randomUUID().slice(0, 8)}@example.test`, '+919811111111');
    await eventually(async () => (await history(userId)).body.data.length === 0 && (await contactKnown(userId)), 30_000);
    await confirmOrder(userId);
    const items = await eventually(async () => {
      const res = await history(userId);
      return res.body.data.length > 0 && res.body.data;
    }, 30_000);
    expect(items.map((n: { channel: string }) => n.channel)).toEqual(['push']);
  }, 60_000);

  it('when a welcome falls in the user’s quiet hours, then it waits, while an order confirmation goes out at once', async () => {
    const userId = randomUUID();
    const email = `night.${randomUUID().slice(0, 8)}@example.test`;
    await putPreferences(userId, { quietHours: { start: kolkataClock(-30), end: kolkataClock(90) } });
    await register(userId, email);
    // Registration and orders travel on different topics: the contact first, then the order.
    await eventually(async () => (await history(userId)).body.data.length === 1, 30_000);
    await confirmOrder(userId);
    await eventually(async () => (await service.mail.inbox(email)).some((e) => e.subject.includes('confirmed')), 30_000);
    const welcome = (await history(userId)).body.data.find((n: { template: string }) => n.template === 'welcome.v1');
    expect(welcome).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect((await service.mail.inbox(email)).map((e) => e.subject)).not.toContainEqual(expect.stringContaining('Welcome'));
  }, 60_000);

  it('when a user pages through their history, then they see their own notifications only, newest first', async () => {
    const [mine, theirs] = [randomUUID(), randomUUID()];
    await register(mine, `mine.${randomUUID().slice(0, 8)}@example.test`, '+919822222222');
    await register(theirs, `theirs.${randomUUID().slice(0, 8)}@example.test`);
    await eventually(async () => (await history(mine)).body.data.length === 1 && (await history(theirs)).body.data.length === 1, 30_000);
    await confirmOrder(mine);
    await eventually(async () => (await history(mine)).body.data.length === 4, 30_000); // welcome + email, SMS, push

    const first = await history(mine, { limit: 3 });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(3);
    expect(first.body.meta.nextCursor).toEqual(expect.any(String));
    const second = await history(mine, { limit: 3, cursor: first.body.meta.nextCursor });
    expect(second.body.data.map((n: { template: string }) => n.template)).toEqual(['welcome.v1']);
    expect(second.body.meta.nextCursor).toBeNull();
    const ids = [...first.body.data, ...second.body.data].map((n: { id: string }) => n.id);
    expect(ids).toEqual([...ids].sort().reverse());
    expect((await history(theirs)).body.data.map((n: { template: string }) => n.template)).toEqual(['welcome.v1']);
    expect((await history(mine, { cursor: 'not-a-cursor' })).status).toBe(400);
    expect((await history(mine, { limit: 101 })).status).toBe(400);
  }, 60_000);

  it('when a provider refuses a message for good, then it is listed for admins as failed, and an admin resend delivers it', async () => {
    const userId = randomUUID();
    await putPreferences(userId, { channels: { sms: false, email: false } });
    service.sink.failWith('push', 400);
    try {
      await confirmOrder(userId);
      await eventually(async () => (await history(userId)).body.data[0]?.status === 'FAILED', 30_000);
    } finally {
      service.sink.failWith('push', null);
    }
    const [failed] = (await history(userId)).body.data;
    expect(failed).toMatchObject({ channel: 'push', status: 'FAILED', attempts: 1 });
    expect(service.sink.received('push').filter((m) => m.payload.userId === userId)).toHaveLength(0);

    const deadLetters = await service.api().get('/api/v1/notifications/failed').query({ limit: 100 }).set('authorization', service.admin);
    expect(deadLetters.status).toBe(200);
    expect(deadLetters.body.data.find((n: { id: string }) => n.id === failed.id)).toMatchObject({
      userId,
      eventType: 'order.confirmed',
      lastError: 'push provider answered 400',
    });
    expect((await service.api().get('/api/v1/notifications/failed').set('authorization', service.bearer(userId))).status).toBe(403);
    expect(
      (await service.api().post(`/api/v1/notifications/${failed.id}/resend`).set('authorization', service.bearer(userId))).status,
    ).toBe(403);

    const resend = await service.api().post(`/api/v1/notifications/${failed.id}/resend`).set('authorization', service.admin);
    expect(resend.status).toBe(202);
    expect(resend.body.data).toMatchObject({ id: failed.id, status: 'PENDING' });
    await eventually(async () => (await history(userId)).body.data[0]?.status === 'SENT', 30_000);
    expect(service.sink.received('push').filter((m) => m.payload.userId === userId)).toHaveLength(1);

    expect((await service.api().post(`/api/v1/notifications/${randomUUID()}/resend`).set('authorization', service.admin)).status).toBe(404);
    expect((await service.api().post('/api/v1/notifications/nope/resend').set('authorization', service.admin)).status).toBe(400);
  }, 60_000);
});
