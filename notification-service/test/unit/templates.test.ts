import { RULES, orderNumber } from '../../src/domain/rules';
import { Templates } from '../../src/domain/templates';

const templates = new Templates();
const money = (amount: number) => ({ amount, currency: 'INR' });
const orderId = '01a241cd-b93c-7969-b9b1-a405c19d8ba5';

/** Values as each rule's `values` produces them, plus the recipient's name. */
const SAMPLES: Record<string, Record<string, unknown>> = {
  'otp-code.v1': { code: '482913', minutes: 5 },
  'email-verification.v1': { code: '482913', minutes: 5 },
  'email-changed.v1': { email: 'asha.new@example.com' },
  'welcome.v1': {},
  'order-confirmed.v1': { orderNumber: orderNumber(orderId), itemCount: 3, total: money(45_900), paymentMethod: 'UPI' },
  'order-out-for-delivery.v1': { orderNumber: orderNumber(orderId) },
  'order-delivered.v1': { orderNumber: orderNumber(orderId), deliveredAt: '10:42 UTC' },
  'order-cancelled.v1': { orderNumber: orderNumber(orderId), reason: 'you cancelled it', paid: true },
  'order-refunded.v1': { orderNumber: orderNumber(orderId), amount: money(12_000), destination: 'the way you paid', refundedTotal: null },
  'low-stock.v1': { storeId: 's-1', productId: 'p-1', available: 2, threshold: 5 },
};

describe('templates', () => {
  it.each(RULES.flatMap((rule) => rule.channels.map((channel) => [rule.template, channel] as const)))(
    'when %s is rendered for %s, then it has its text with every value filled in',
    (template, channel) => {
      const message = templates.render(template, channel, { ...SAMPLES[template], name: 'Asha' });
      expect(message.body.length).toBeGreaterThan(10);
      expect(message.body).not.toMatch(/\{\{|\}\}/);
      if (channel === 'sms') expect(message.subject).toBeNull();
      else expect(message.subject).toMatch(/^\S.{3,100}$/);
      // The headline is one line of its own, not wrapped into the body.
      if (channel === 'email') expect(message.body.split('\n')[0]).not.toBe('');
    },
  );

  it('when the order confirmation is rendered, then the subject, amounts and name read as written', () => {
    const email = templates.render('order-confirmed.v1', 'email', { ...SAMPLES['order-confirmed.v1'], name: 'Asha' });
    expect(email.subject).toBe('Order ORD-C19D8BA5 confirmed');
    expect(email.body).toBe(
      [
        'Hi Asha,',
        '',
        'Your order ORD-C19D8BA5 is confirmed and the store is packing it now.',
        '',
        'Items: 3',
        'Total: ₹459.00 (UPI)',
        '',
        'We will tell you when it leaves the store.',
        '',
        'The QuickCommerce team',
      ].join('\n'),
    );
    const sms = templates.render('order-confirmed.v1', 'sms', { ...SAMPLES['order-confirmed.v1'], total: null, name: 'Asha' });
    expect(sms.body).toBe('QuickCommerce: order ORD-C19D8BA5 is confirmed and being packed.');
  });

  it('when an email change is rendered, then the code reaches the new address and the old one is told where the account went', () => {
    const verification = templates.render('email-verification.v1', 'email', { ...SAMPLES['email-verification.v1'], name: 'Asha' });
    expect(verification.subject).toBe('Confirm your new QuickCommerce email');
    expect(verification.subject).not.toContain('482913');
    expect(verification.body).toContain(
      '482913 is your code to make this address the sign-in email of a QuickCommerce account. It expires in 5 minutes.',
    );
    // Whoever reads the new address may not be the account holder: the message names nobody.
    expect(verification.body).not.toContain('Asha');
    const notice = templates.render('email-changed.v1', 'email', { ...SAMPLES['email-changed.v1'], name: 'Asha' });
    expect(notice.subject).toBe('Your QuickCommerce sign-in email was changed');
    expect(notice.body).toContain('Hi Asha,');
    expect(notice.body).toContain('changed from this address to asha.new@example.com');
  });

  it('when a value is missing, then rendering fails rather than sending a blank', () => {
    expect(() => templates.render('order-confirmed.v1', 'sms', { name: 'Asha' })).toThrow();
    expect(() => templates.render('no-such.v1', 'sms', {})).toThrow('no template no-such.v1 for sms');
  });

  it('when values hold markup, then plain-text messages carry it as typed (no HTML escaping)', () => {
    const message = templates.render('welcome.v1', 'email', { name: 'Ann & <Bo>' });
    expect(message.subject).toBe('Welcome to QuickCommerce, Ann & <Bo>');
  });
});
