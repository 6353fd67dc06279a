import { randomUUID } from 'node:crypto';
import { newEvent } from '@qc/shared/events';
import { minutesUntil, rulesFor } from '../../src/domain/rules';

describe('rule table', () => {
  it('when order-service and delivery-service both announce an order leaving the store, then both name the same occurrence', () => {
    const orderId = randomUUID();
    const updated = newEvent('order-service', 'order.updated', { orderId, status: 'OUT_FOR_DELIVERY' }, { subject: orderId });
    const started = newEvent(
      'delivery-service',
      'delivery.started',
      { deliveryId: randomUUID(), orderId, partnerId: randomUUID() },
      { subject: orderId },
    );
    const [fromOrder] = rulesFor('order.updated');
    const [fromDelivery] = rulesFor('delivery.started');
    expect(fromOrder!.template).toBe(fromDelivery!.template);
    expect(fromOrder!.occurrence(updated)).toBe(fromDelivery!.occurrence(started));
  });

  it('when an order changes to a status other than out for delivery, then no rule matches', () => {
    const [rule] = rulesFor('order.updated');
    expect(rule!.when!({ orderId: randomUUID(), status: 'PACKED' })).toBe(false);
    expect(rule!.when!({ orderId: randomUUID(), status: 'OUT_FOR_DELIVERY' })).toBe(true);
  });

  it('when a code is requested, then the code is a secret of the message and it expires with the code', () => {
    const [rule] = rulesFor('user.otp_requested');
    expect(rule!.secrets).toEqual(['code']);
    const expiresAt = new Date(Date.now() + 300_000).toISOString();
    expect(rule!.expiresAt!({ phone: '+919800000000', code: '123456', expiresAt })).toEqual(new Date(expiresAt));
  });

  it('when an email verification code is requested, then it goes to the address the event names, as a secret that expires with the code', () => {
    const [rule] = rulesFor('user.email_verification_requested');
    const userId = randomUUID();
    const expiresAt = new Date(Date.now() + 300_000).toISOString();
    const data = { userId, email: 'asha.new@example.com', code: '123456', expiresAt };
    expect(rule).toMatchObject({ audience: 'address', channels: ['email'], transactional: true, secrets: ['code'] });
    expect(rule!.to!(data)).toBe('asha.new@example.com');
    expect(rule!.userId!(data)).toBe(userId);
    expect(rule!.values(data)).toEqual({ code: '123456', minutes: 5 });
    expect(rule!.expiresAt!(data)).toEqual(new Date(expiresAt));
  });

  it('when the sign-in email changes, then the previous address is told; an account that had none tells nobody', () => {
    const [rule] = rulesFor('user.email_changed');
    const changed = { userId: randomUUID(), email: 'asha.new@example.com', previousEmail: 'asha@example.com' };
    expect(rule).toMatchObject({ audience: 'address', channels: ['email'], transactional: true });
    expect(rule!.when!(changed)).toBe(true);
    expect(rule!.to!(changed)).toBe('asha@example.com');
    expect(rule!.values(changed)).toEqual({ email: 'asha.new@example.com' });
    expect(rule!.when!({ ...changed, previousEmail: null })).toBe(false);
  });

  it('when a code expires, then its message says the whole minutes left, at least one', () => {
    const now = Date.parse('2026-01-01T10:00:00Z');
    expect(minutesUntil('2026-01-01T10:05:00Z', now)).toBe(5);
    expect(minutesUntil('2026-01-01T10:00:10Z', now)).toBe(1);
  });

  it('when two refunds of one order are made, then each is its own message', () => {
    const [rule] = rulesFor('payment.refunded');
    const refund = (refundId: string) =>
      newEvent(
        'payment-service',
        'payment.refunded',
        { paymentId: randomUUID(), orderId: randomUUID(), refundId, amount: { amount: 100, currency: 'INR' } },
        { subject: refundId },
      );
    expect(rule!.occurrence(refund(randomUUID()))).not.toBe(rule!.occurrence(refund(randomUUID())));
  });
});
