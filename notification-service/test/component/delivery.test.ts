import { randomUUID } from 'node:crypto';
import { newEvent, type CatalogEvent, type EventData } from '@qc/shared/events';
import { eventually, outboxEvents, rootQuery } from '@qc/shared/testing';
import { startNotificationService, type NotificationUnderTest } from '../fixtures';

/**
 * Events in through the real broker, messages out through real SMTP (MailDev, read through its
 * REST API) and the SMS/push sink: exactly once per fact, channel and recipient, whatever Kafka
 * redelivers and whichever channel is down.
 */
describe('notifications from events', () => {
  let service: NotificationUnderTest;

  beforeAll(async () => {
    service = await startNotificationService({ label: 'notification_delivery', env: { LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent' } });
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
  }, 30_000);

  let customers = 0;
  /** A registered customer the service has learned of (their welcome email is in the inbox). */
  async function aCustomer(): Promise<{ userId: string; email: string; phone: string }> {
    customers++;
    const customer = {
      userId: randomUUID(),
      email: `c${customers}.${randomUUID().slice(0, 8)}@example.test`,
      phone: `+9198${String(Date.now()).slice(-8)}`,
    };
    await service.publish(
      newEvent(
        'user-service',
        'user.registered',
        { ...customer, name: `Asha ${customers}`, role: 'customer' },
        { subject: customer.userId },
      ),
    );
    await eventually(async () => (await service.mail.inbox(customer.email)).length === 1, 30_000);
    return customer;
  }

  const orderConfirmed = (userId: string, orderId: string = randomUUID()): CatalogEvent<'order.confirmed'> => {
    const data: EventData<'order.confirmed'> = {
      orderId,
      userId,
      storeId: randomUUID(),
      items: [{ productId: randomUUID(), quantity: 3 }],
      total: { amount: 45_900, currency: 'INR' },
      paymentMethod: 'UPI',
    };
    return newEvent('order-service', 'order.confirmed', data, { subject: orderId });
  };
  const orderCancelled = (userId: string, orderId: string) =>
    newEvent('order-service', 'order.cancelled', { orderId, userId, reason: 'CUSTOMER_CANCELLED', paid: true }, { subject: orderId });
  /** What user-service says of a user's new email, for the contact book. */
  const emailUpdated = (userId: string, email: string) =>
    newEvent('user-service', 'user.updated', { userId, changed: ['email'], email }, { subject: userId });
  const history = async (userId: string) =>
    (await service.api().get('/api/v1/notifications').query({ limit: 100 }).set('authorization', service.bearer(userId))).body.data as {
      id: string;
      template: string;
      channel: string;
      status: string;
      attempts: number;
      body: string;
    }[];

  it('when order.confirmed arrives, and again (redelivered, and as a second event for the same order), then the customer gets one email, one SMS and one push', async () => {
    const customer = await aCustomer();
    const confirmed = orderConfirmed(customer.userId);
    const again = orderConfirmed(customer.userId, confirmed.data.orderId);
    // The same event twice (Kafka's at-least-once), then another event announcing the same confirmation,
    // then a cancellation on the same partition (keyed by the order): once it is in, the three before it were handled.
    await service.publish(confirmed, confirmed, again, orderCancelled(customer.userId, confirmed.data.orderId));

    const inbox = await eventually(async () => {
      const emails = await service.mail.inbox(customer.email);
      return emails.some((e) => e.subject.includes('cancelled')) && emails;
    }, 30_000);
    const confirmations = inbox.filter((e) => e.subject.includes('confirmed'));
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]!.subject).toMatch(/^Order ORD-[0-9A-F]{8} confirmed$/);
    expect(confirmations[0]!.text).toContain('Total: ₹459.00 (UPI)');
    expect(confirmations[0]!.text).toContain('Hi Asha');

    await eventually(async () => (await history(customer.userId)).filter((n) => n.status === 'SENT').length === 7, 30_000);
    const mine = await history(customer.userId);
    expect(mine.map((n) => `${n.template} ${n.channel}`).sort()).toEqual([
      'order-cancelled.v1 email',
      'order-cancelled.v1 push',
      'order-cancelled.v1 sms',
      'order-confirmed.v1 email',
      'order-confirmed.v1 push',
      'order-confirmed.v1 sms',
      'welcome.v1 email',
    ]);
    const sms = service.sink.received('sms').filter((m) => m.payload.to === customer.phone);
    // One of each, in whichever order the worker sent them (messages go out independently).
    expect(sms).toHaveLength(2);
    expect(sms.map((m) => m.payload.body)).toEqual(
      expect.arrayContaining([expect.stringContaining('is confirmed (₹459.00)'), expect.stringContaining('was cancelled')]),
    );
    const push = service.sink.received('push').filter((m) => m.payload.userId === customer.userId);
    expect(push.map((m) => m.payload.title).sort()).toEqual(['Order cancelled', 'Order confirmed']);
    // Still one confirmation in the inbox now that every message has gone out.
    expect((await service.mail.inbox(customer.email)).filter((e) => e.subject.includes('confirmed'))).toHaveLength(1);

    const sent = (await outboxEvents(service.schema, 'notification.sent')).filter((e) => e.data.userId === customer.userId);
    expect(sent).toHaveLength(7);
    expect(
      sent
        .filter((e) => e.data.template === 'order-confirmed.v1')
        .map((e) => e.data.channel)
        .sort(),
    ).toEqual(['email', 'push', 'sms']);
  }, 90_000);

  it('when the SMTP server is down mid-run, then SMS still goes out, and every email is delivered once it is back, none twice', async () => {
    const customer = await aCustomer();
    await service.mail.pause();
    const orders = [orderConfirmed(customer.userId), orderConfirmed(customer.userId), orderConfirmed(customer.userId)];
    try {
      await service.publish(...orders);
      // SMS is not held up by email: all three go out while SMTP refuses connections.
      await eventually(async () => service.sink.received('sms').filter((m) => m.payload.to === customer.phone).length === 3, 30_000);
      // The emails are being retried (transient failures), not dropped.
      const retrying = await eventually(async () => {
        const emails = (await history(customer.userId)).filter((n) => n.template === 'order-confirmed.v1' && n.channel === 'email');
        return emails.length === 3 && emails.every((n) => n.status === 'PENDING' && n.attempts >= 2) && emails;
      }, 30_000);
      expect(retrying).toHaveLength(3);
    } finally {
      await service.mail.resume();
    }

    await eventually(
      async () => (await service.mail.inbox(customer.email)).filter((e) => e.subject.includes('confirmed')).length >= 3,
      30_000,
    );
    await eventually(async () => (await history(customer.userId)).every((n) => n.status === 'SENT'), 30_000);
    const confirmations = (await service.mail.inbox(customer.email)).filter((e) => e.subject.includes('confirmed'));
    expect(confirmations.map((e) => e.subject).sort()).toEqual(
      orders.map((o) => `Order ORD-${o.data.orderId.replace(/-/g, '').slice(-8).toUpperCase()} confirmed`).sort(),
    );
    expect(service.sink.received('sms').filter((m) => m.payload.to === customer.phone)).toHaveLength(3);
  }, 120_000);

  it('when a phone code is requested, then the SMS carries it and nothing the service keeps does', async () => {
    const customer = await aCustomer();
    const code = String(100_000 + Math.floor(Math.random() * 900_000));
    const requested = newEvent(
      'user-service',
      'user.otp_requested',
      { phone: customer.phone, code, expiresAt: new Date(Date.now() + 5 * 60_000).toISOString() },
      { subject: customer.phone },
    );
    await service.publish(requested, requested);

    const [sms] = await eventually(async () => {
      const found = service.sink.received('sms').filter((m) => m.payload.to === customer.phone && String(m.payload.body).includes('code'));
      return found.length > 0 && found;
    }, 30_000);
    expect(sms!.payload.body).toContain(`${code} is your QuickCommerce code. It expires in 5 minutes.`);

    const [otp] = await eventually(async () => {
      const found = (await history(customer.userId)).filter((n) => n.template === 'otp-code.v1');
      return found.length === 1 && found[0]!.status === 'SENT' && found;
    }, 30_000);
    expect(otp!.body).toContain('•••••• is your QuickCommerce code');
    const rows = (await rootQuery(`SELECT * FROM \`${service.schema.name}\`.notifications WHERE template = 'otp-code.v1'`)) as Record<
      string,
      unknown
    >[];
    expect(JSON.stringify(rows)).not.toContain(code);
    // One code, sent once, though the event came twice.
    expect(service.sink.received('sms').filter((m) => String(m.payload.body).includes(code))).toHaveLength(1);

    const resend = await service.api().post(`/api/v1/notifications/${otp!.id}/resend`).set('authorization', service.admin);
    expect(resend.status).toBe(422);
    expect(resend.body.errorCode).toBe('NOTIFICATION_NOT_RESENDABLE');
  }, 60_000);

  it('when an email change is asked for and confirmed, then the code reaches the new address, which no contact holds, and the old address is told', async () => {
    const customer = await aCustomer();
    const newEmail = `new.${randomUUID().slice(0, 8)}@example.test`;
    const code = String(100_000 + Math.floor(Math.random() * 900_000));
    const requested = newEvent(
      'user-service',
      'user.email_verification_requested',
      { userId: customer.userId, email: newEmail, code, expiresAt: new Date(Date.now() + 5 * 60_000).toISOString() },
      { subject: customer.userId },
    );
    await service.publish(requested, requested);

    const [verification] = await eventually(async () => {
      const found = await service.mail.inbox(newEmail);
      return found.length > 0 && found;
    }, 30_000);
    expect(verification!.subject).toBe('Confirm your new QuickCommerce email');
    expect(verification!.text).toContain(`${code} is your code to make this address the sign-in email`);
    const [stored] = await eventually(async () => {
      const found = (await history(customer.userId)).filter((n) => n.template === 'email-verification.v1');
      return found.length === 1 && found[0]!.status === 'SENT' && found;
    }, 30_000);
    expect(stored!.body).toContain('•••••• is your code');
    const rows = await rootQuery(`SELECT * FROM \`${service.schema.name}\`.notifications WHERE event_id = ?`, [requested.id]);
    expect(JSON.stringify(rows)).not.toContain(code);

    await service.publish(
      emailUpdated(customer.userId, newEmail),
      newEvent(
        'user-service',
        'user.email_changed',
        { userId: customer.userId, email: newEmail, previousEmail: customer.email },
        { subject: customer.userId },
      ),
    );
    const [notice] = await eventually(async () => {
      const found = (await service.mail.inbox(customer.email)).filter((e) => e.subject === 'Your QuickCommerce sign-in email was changed');
      return found.length > 0 && found;
    }, 30_000);
    expect(notice!.text).toContain(`changed from this address to ${newEmail}`);
    // One code, sent once though the event came twice; the notice went to the old address only.
    expect(await service.mail.inbox(newEmail)).toHaveLength(1);
  }, 60_000);

  it('when an order goes out for delivery, announced by order-service and by delivery-service, then the customer hears it once per channel', async () => {
    const customer = await aCustomer();
    const confirmed = orderConfirmed(customer.userId);
    const { orderId } = confirmed.data;
    await service.publish(
      confirmed,
      newEvent('order-service', 'order.updated', { orderId, status: 'PACKED', previousStatus: 'CONFIRMED' }, { subject: orderId }),
      newEvent(
        'delivery-service',
        'delivery.started',
        { deliveryId: randomUUID(), orderId, partnerId: randomUUID() },
        { subject: orderId },
      ),
      newEvent('order-service', 'order.updated', { orderId, status: 'OUT_FOR_DELIVERY', previousStatus: 'PACKED' }, { subject: orderId }),
      newEvent(
        'order-service',
        'order.completed',
        { orderId, userId: customer.userId, deliveredAt: new Date().toISOString() },
        { subject: orderId },
      ),
    );
    await eventually(
      async () => (await history(customer.userId)).filter((n) => n.template === 'order-delivered.v1' && n.status === 'SENT').length === 3,
      30_000,
    );
    const mine = await history(customer.userId);
    expect(
      mine
        .filter((n) => n.template === 'order-out-for-delivery.v1')
        .map((n) => n.channel)
        .sort(),
    ).toEqual(['email', 'push', 'sms']);
    expect(mine.filter((n) => n.template === 'order-out-for-delivery.v1' || n.template === 'order-delivered.v1')).toHaveLength(6);
  }, 60_000);

  it('when a customer changes their email, then the next email goes to the new address; low stock goes to the admins', async () => {
    const customer = await aCustomer();
    const newEmail = `moved.${randomUUID().slice(0, 8)}@example.test`;
    await service.publish(emailUpdated(customer.userId, newEmail));
    // user.updated and order.confirmed travel on different topics: wait for the change before the order.
    await eventually(async () => {
      const [row] = (await rootQuery(`SELECT email FROM \`${service.schema.name}\`.contacts WHERE user_id = ?`, [customer.userId])) as {
        email: string;
      }[];
      return row?.email === newEmail;
    }, 30_000);
    await service.publish(orderConfirmed(customer.userId));
    await eventually(async () => (await service.mail.inbox(newEmail)).length === 1, 30_000);
    expect(await service.mail.inbox(customer.email)).toHaveLength(1); // the welcome only

    const storeId = randomUUID();
    await service.publish(
      newEvent(
        'inventory-service',
        'inventory.low_stock',
        { storeId, productId: randomUUID(), available: 2, threshold: 5 },
        { subject: storeId },
      ),
    );
    const [alert] = await eventually(async () => {
      const found = (await service.mail.inbox('ops@quickcommerce.test')).filter((e) => e.text.includes(storeId));
      return found.length > 0 && found;
    }, 30_000);
    expect(alert!.text).toContain('Available: 2 (alert threshold 5)');
  }, 60_000);
});
