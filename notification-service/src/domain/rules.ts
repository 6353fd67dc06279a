import type { CatalogEvent, EventData, EventType } from '@qc/shared/events';
import type { ChannelName } from '../data/preferences.repository';

/**
 * The rule table: which event becomes which message, to whom, on which channels. A rule's
 * `occurrence` names the fact the message is about (an order's confirmation, a refund), so two
 * events announcing the same fact (order.updated OUT_FOR_DELIVERY and delivery.started) send one
 * message; with the channel and the recipient it makes the notification's unique key.
 */
export interface Rule<T extends EventType = EventType> {
  type: T;
  /** `name.version`: the template files `data/templates/<name>.<version>.<channel>.hbs`. */
  template: string;
  /**
   * Who receives it: the user the event is about (on the channels they chose), the address the event
   * names (`to`: a phone asking for a code, an email address being proved or told of a change), or the
   * admins' alert addresses.
   */
  audience: 'user' | 'address' | 'admins';
  /** Channels it goes out on; for a user, those they have switched on and can be reached by. */
  channels: readonly ChannelName[];
  /** Transactional messages (codes, orders, money) go out at once; others wait out quiet hours. */
  transactional: boolean;
  /** Only events this accepts become messages (an order.updated to one status). */
  when?: (data: EventData<T>) => boolean;
  occurrence: (event: CatalogEvent<T>) => string;
  /** For audience `address`: where it goes; none, no message. */
  to?: (data: EventData<T>) => string | null;
  /** The user the message is for, when the event names them; otherwise the order's owner (or the phone's). */
  userId?: (data: EventData<T>) => string | undefined;
  orderId?: (data: EventData<T>) => string | undefined;
  /** The template's values; `secrets` are sent but stored redacted. */
  values: (data: EventData<T>) => Record<string, unknown>;
  secrets?: readonly string[];
  /** Not worth sending after this (a one-time code past its expiry). */
  expiresAt?: (data: EventData<T>) => Date;
}

const ORDER_CHANNELS = ['push', 'email', 'sms'] as const;

/** Keeps each rule's event type and its callbacks' data types together; the table holds them untyped. */
function rule<T extends EventType>(definition: Rule<T>): Rule {
  return definition as unknown as Rule;
}

/** `ORD-1A2B3C4D`: how people see an order id in messages. */
export function orderNumber(orderId: string): string {
  return `ORD-${orderId.replace(/-/g, '').slice(-8).toUpperCase()}`;
}

const CANCELLATION_REASONS: Record<string, string> = {
  PAYMENT_FAILED: 'the payment did not go through',
  OUT_OF_STOCK: 'some items ran out at the store',
  PAYMENT_TIMEOUT: 'the payment was not made in time',
  CUSTOMER_CANCELLED: 'you cancelled it',
  ADMIN_CANCELLED: 'our team cancelled it',
};

export function cancellationReason(reason: string): string {
  return CANCELLATION_REASONS[reason] ?? reason.toLowerCase().replace(/_/g, ' ');
}

/** Whole minutes left until a code expires, at least one: what its message says. */
export function minutesUntil(expiresAt: string, now: number = Date.now()): number {
  return Math.max(1, Math.round((Date.parse(expiresAt) - now) / 60_000));
}

const outForDelivery = { template: 'order-out-for-delivery.v1', audience: 'user', channels: ORDER_CHANNELS, transactional: true } as const;

export const RULES: readonly Rule[] = [
  rule({
    type: 'user.otp_requested',
    template: 'otp-code.v1',
    audience: 'address',
    channels: ['sms'],
    transactional: true,
    occurrence: (event) => `otp:${event.id}`,
    to: ({ phone }) => phone,
    values: ({ code, expiresAt }) => ({ code, minutes: minutesUntil(expiresAt) }),
    secrets: ['code'],
    expiresAt: ({ expiresAt }) => new Date(expiresAt),
  }),
  rule({
    type: 'user.email_verification_requested',
    template: 'email-verification.v1',
    audience: 'address',
    channels: ['email'],
    transactional: true,
    occurrence: (event) => `email-verification:${event.id}`,
    // The address being proved: in no contact book yet, and perhaps someone else's.
    to: ({ email }) => email,
    userId: ({ userId }) => userId,
    values: ({ code, expiresAt }) => ({ code, minutes: minutesUntil(expiresAt) }),
    secrets: ['code'],
    expiresAt: ({ expiresAt }) => new Date(expiresAt),
  }),
  rule({
    type: 'user.email_changed',
    template: 'email-changed.v1',
    audience: 'address',
    channels: ['email'],
    transactional: true,
    // The old address, which the contact book no longer holds: whoever reads it hears of the change.
    when: ({ previousEmail }) => previousEmail !== null,
    occurrence: (event) => `email-changed:${event.id}`,
    to: ({ previousEmail }) => previousEmail,
    userId: ({ userId }) => userId,
    values: ({ email }) => ({ email }),
  }),
  rule({
    type: 'user.registered',
    template: 'welcome.v1',
    audience: 'user',
    channels: ['email'],
    transactional: false,
    occurrence: (event) => `welcome:${event.data.userId}`,
    userId: ({ userId }) => userId,
    values: () => ({}),
  }),
  rule({
    type: 'order.confirmed',
    template: 'order-confirmed.v1',
    audience: 'user',
    channels: ORDER_CHANNELS,
    transactional: true,
    occurrence: (event) => `order-confirmed:${event.data.orderId}`,
    userId: ({ userId }) => userId,
    values: ({ orderId, items, total, paymentMethod }) => ({
      orderNumber: orderNumber(orderId),
      itemCount: items.reduce((sum, item) => sum + item.quantity, 0),
      total: total ?? null,
      paymentMethod: paymentMethod ?? null,
    }),
  }),
  rule({
    type: 'order.updated',
    ...outForDelivery,
    when: ({ status }) => status === 'OUT_FOR_DELIVERY',
    occurrence: (event) => `order-out-for-delivery:${event.data.orderId}`,
    userId: ({ userId }) => userId,
    orderId: ({ orderId }) => orderId,
    values: ({ orderId }) => ({ orderNumber: orderNumber(orderId) }),
  }),
  rule({
    type: 'delivery.started',
    ...outForDelivery,
    occurrence: (event) => `order-out-for-delivery:${event.data.orderId}`,
    orderId: ({ orderId }) => orderId,
    values: ({ orderId }) => ({ orderNumber: orderNumber(orderId) }),
  }),
  rule({
    type: 'order.completed',
    template: 'order-delivered.v1',
    audience: 'user',
    channels: ORDER_CHANNELS,
    transactional: true,
    occurrence: (event) => `order-delivered:${event.data.orderId}`,
    userId: ({ userId }) => userId,
    values: ({ orderId, deliveredAt }) => ({
      orderNumber: orderNumber(orderId),
      deliveredAt: new Date(deliveredAt).toISOString().slice(11, 16) + ' UTC',
    }),
  }),
  rule({
    type: 'order.cancelled',
    template: 'order-cancelled.v1',
    audience: 'user',
    channels: ORDER_CHANNELS,
    transactional: true,
    occurrence: (event) => `order-cancelled:${event.data.orderId}`,
    userId: ({ userId }) => userId,
    values: ({ orderId, reason, paid }) => ({ orderNumber: orderNumber(orderId), reason: cancellationReason(reason), paid }),
  }),
  rule({
    type: 'payment.refunded',
    template: 'order-refunded.v1',
    audience: 'user',
    channels: ORDER_CHANNELS,
    transactional: true,
    occurrence: (event) => `order-refunded:${event.data.refundId}`,
    userId: ({ userId }) => userId,
    orderId: ({ orderId }) => orderId,
    values: ({ orderId, amount, destination, refundedTotal }) => ({
      orderNumber: orderNumber(orderId),
      amount,
      destination: destination === 'wallet' ? 'your QuickCommerce wallet' : 'the way you paid',
      refundedTotal: refundedTotal ?? null,
    }),
  }),
  rule({
    type: 'inventory.low_stock',
    template: 'low-stock.v1',
    audience: 'admins',
    channels: ['email'],
    transactional: true,
    occurrence: (event) => `low-stock:${event.id}`,
    values: ({ storeId, productId, available, threshold }) => ({ storeId, productId, available, threshold }),
  }),
];

/** The rules an event type has (several types share none; one type may have one). */
export function rulesFor(type: EventType): Rule[] {
  return RULES.filter((r) => r.type === type);
}
