import { z } from 'zod';

/**
 * The event catalog (DESIGN §4): one zod schema per event type. Producers validate `data` before
 * it enters the outbox; consumers validate on reading and dead-letter what does not match.
 * Within a `dataversion` changes are additive only: consumers ignore fields they do not know.
 */
export const Money = z.object({ amount: z.number().int(), currency: z.literal('INR') });
const id = z.uuid();
const time = z.iso.datetime();
const lineItem = z.object({ productId: id, quantity: z.number().int().positive() });
const pricedLine = lineItem.extend({ unitPrice: Money });
const geoPoint = z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) });
const zone = z.object({ zoneId: id, storeId: id, name: z.string(), active: z.boolean() });

export const catalog = {
  // user-service
  'user.registered': z.object({
    userId: id,
    email: z.email().optional(),
    phone: z.string().optional(),
    name: z.string().optional(),
    role: z.string(),
  }),
  'user.login': z.object({ userId: id, method: z.enum(['password', 'otp']) }),
  'user.updated': z.object({
    userId: id,
    changed: z.array(z.string()),
    /**
     * The new value of each contact field named in `changed` (additive): notification-service keeps
     * its contact book from them instead of calling user-service per message. `phone: null` when removed.
     */
    email: z.email().optional(),
    phone: z.string().nullable().optional(),
    name: z.string().nullable().optional(),
    role: z.string().optional(),
    status: z.string().optional(),
  }),
  'user.address.added': z.object({ userId: id, addressId: id, lat: z.number(), lng: z.number() }),
  'user.otp_requested': z.object({ phone: z.string(), code: z.string(), expiresAt: time }),
  /**
   * A code for proving an email address before it becomes the account's sign-in email: sent to that
   * address, which no contact book holds yet, so the event carries it.
   */
  'user.email_verification_requested': z.object({ userId: id, email: z.email(), code: z.string(), expiresAt: time }),
  /** The sign-in email changed; `previousEmail` (null when the account had none) is told of it. */
  'user.email_changed': z.object({ userId: id, email: z.email(), previousEmail: z.email().nullable() }),
  // product-service
  'product.created': z.object({ productId: id, sku: z.string(), name: z.string(), price: Money, mrp: Money }),
  'product.updated': z.object({ productId: id, changed: z.array(z.string()) }),
  'product.deleted': z.object({ productId: id }),
  // inventory-service
  /** A dark store was created or changed; location-service keeps each store's position and preparation time. */
  'inventory.store_updated': z.object({
    storeId: id,
    name: z.string(),
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
    preparationMinutes: z.number().int().min(0),
    /** Local opening hours, `HH:MM`; `closesAt` before `opensAt` means the store closes after midnight. */
    opensAt: z.string().regex(/^\d{2}:\d{2}$/),
    closesAt: z.string().regex(/^\d{2}:\d{2}$/),
    active: z.boolean(),
  }),
  'inventory.updated': z.object({
    storeId: id,
    productId: id,
    onHand: z.number().int().min(0),
    reserved: z.number().int().min(0),
    reason: z.string(),
  }),
  'inventory.low_stock': z.object({ storeId: id, productId: id, available: z.number().int().min(0), threshold: z.number().int().min(0) }),
  'inventory.out_of_stock': z.object({ storeId: id, productId: id }),
  'inventory.reserved': z.object({ orderId: id, reservationId: id, storeId: id, items: z.array(lineItem), expiresAt: time }),
  'inventory.reservation_failed': z.object({
    orderId: id,
    storeId: id,
    shortfall: z.array(z.object({ productId: id, requested: z.number().int(), available: z.number().int() })),
  }),
  'inventory.released': z.object({ orderId: id, reservationId: id }),
  'inventory.reservation_expired': z.object({ orderId: id, reservationId: id }),
  // order-service
  'order.created': z.object({
    orderId: id,
    userId: id,
    storeId: id,
    items: z.array(pricedLine).min(1),
    total: Money,
    /** `WALLET`, `CARD`, `UPI` or `COD`. */
    paymentMethod: z.string(),
    addressId: id.optional(),
    /** Where the order goes; delivery-service routes the rider there. */
    dropoff: geoPoint.optional(),
    /** The location-service zone the drop-off fell in, which chose the store (additive: absent on older events). */
    zoneId: id.optional(),
  }),
  'order.updated': z.object({
    orderId: id,
    status: z.string(),
    previousStatus: z.string().optional(),
    userId: id.optional(),
    reason: z.string().optional(),
    /** Set when the order starts waiting for payment: until when its stock is held. */
    paymentDueBy: time.optional(),
  }),
  'order.confirmed': z.object({
    orderId: id,
    userId: id,
    storeId: id,
    items: z.array(lineItem),
    total: Money.optional(),
    paymentMethod: z.string().optional(),
    dropoff: geoPoint.optional(),
  }),
  'order.cancelled': z.object({
    orderId: id,
    userId: id,
    reason: z.string(),
    /** Whether money was captured for it (payment-service refunds what it captured). */
    paid: z.boolean(),
    storeId: id.optional(),
  }),
  'order.completed': z.object({ orderId: id, userId: id, deliveredAt: time }),
  // cart-service
  'cart.updated': z.object({ cartId: id, userId: id, items: z.array(lineItem), storeId: id.optional() }),
  'cart.cleared': z.object({ cartId: id, userId: id, reason: z.string().optional() }),
  // payment-service
  'payment.initiated': z.object({ paymentId: id, orderId: id, amount: Money, method: z.string(), userId: id.optional() }),
  'payment.completed': z.object({ paymentId: id, orderId: id, amount: Money, method: z.string().optional(), userId: id.optional() }),
  'payment.failed': z.object({ paymentId: id, orderId: id, reason: z.string(), method: z.string().optional(), userId: id.optional() }),
  'payment.refunded': z.object({
    paymentId: id,
    orderId: id,
    refundId: id,
    amount: Money,
    userId: id.optional(),
    /** `original` (back to the card/UPI/wallet paid with) or `wallet`. */
    destination: z.enum(['original', 'wallet']).optional(),
    /** What has been refunded of this payment in all, this refund included. */
    refundedTotal: Money.optional(),
  }),
  'wallet.topup': z.object({ userId: id, amount: Money, balance: Money }),
  // delivery-service
  /** A partner was assigned (again, with another partner, after a rejection). */
  'delivery.scheduled': z.object({
    deliveryId: id,
    orderId: id,
    partnerId: id,
    etaMinutes: z.number().int().min(0),
    /** The order's customer and store, and when the hand-over is expected. */
    userId: id.optional(),
    storeId: id.optional(),
    etaAt: time.optional(),
  }),
  /** The partner picked the order up at the store: it is out for delivery. */
  'delivery.started': z.object({ deliveryId: id, orderId: id, partnerId: id, userId: id.optional() }),
  'delivery.completed': z.object({
    deliveryId: id,
    orderId: id,
    partnerId: id,
    deliveredAt: time,
    userId: id.optional(),
    /** Cash collected at the door for a cash-on-delivery order. */
    codCollected: Money.optional(),
  }),
  'delivery.failed': z.object({ deliveryId: id, orderId: id, reason: z.string(), partnerId: id.optional(), userId: id.optional() }),
  /**
   * The delivery ended because its order did, with no rider's hand-over: `CANCELLED` (the order was
   * cancelled before pickup), `RETURNED` (cancelled after pickup: the goods go back to the store) or
   * `CLOSED` (the order was marked delivered while no rider held the delivery). `partnerId` is the
   * rider it took off the road, when one held it; `reason` is the order's cancellation reason, or
   * `ORDER_DELIVERED`; `endedAt` is when it ended (for `CLOSED`, the order's delivery time).
   */
  'delivery.cancelled': z.object({
    deliveryId: id,
    orderId: id,
    storeId: id,
    userId: id,
    partnerId: id.optional(),
    outcome: z.enum(['CANCELLED', 'RETURNED', 'CLOSED']),
    reason: z.string(),
    endedAt: time,
  }),
  // notification-service, location-service
  'notification.sent': z.object({
    notificationId: id,
    userId: id.optional(),
    channel: z.enum(['email', 'sms', 'push']),
    template: z.string(),
  }),
  'location.validated': z.object({
    lat: z.number(),
    lng: z.number(),
    serviceable: z.boolean(),
    zoneId: id.optional(),
    storeId: id.optional(),
  }),
  // A zone as it stands after the change: analytics names its zone rows from these.
  'location.zone.created': zone,
  'location.zone.updated': zone,
  'location.zone.deleted': zone,
} as const;

export type EventType = keyof typeof catalog;
export type EventData<T extends EventType> = z.output<(typeof catalog)[T]>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(catalog, type);
}

/** The service that owns each event type's prefix; the envelope's `source` must match it. */
const OWNER_BY_PREFIX: Record<string, string> = {
  user: 'user-service',
  product: 'product-service',
  inventory: 'inventory-service',
  order: 'order-service',
  cart: 'cart-service',
  payment: 'payment-service',
  wallet: 'payment-service',
  delivery: 'delivery-service',
  notification: 'notification-service',
  location: 'location-service',
};

export function ownerOf(type: EventType): string {
  const owner = OWNER_BY_PREFIX[type.split('.')[0]!];
  if (!owner) throw new Error(`event type ${type} has no owning service`);
  return owner;
}

/**
 * Fields that carry secrets meant for one consumer only (the OTP for notification-service to
 * deliver). Stores that keep events for everyone to read, like analytics', drop them.
 */
export const SECRET_DATA_FIELDS: Partial<Record<EventType, readonly string[]>> = {
  'user.otp_requested': ['code'],
  'user.email_verification_requested': ['code'],
};

export function withoutSecrets(type: EventType, data: unknown): unknown {
  const secret = SECRET_DATA_FIELDS[type];
  if (!secret || typeof data !== 'object' || data === null) return data;
  return Object.fromEntries(Object.entries(data).filter(([field]) => !secret.includes(field)));
}
