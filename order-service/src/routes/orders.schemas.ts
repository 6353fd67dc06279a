import { z } from 'zod';
import { pageQuery } from '@qc/shared/http';
import type { OrderWithHistory } from '../domain/orders';
import { MAX_LINES, type Quote } from '../domain/place-order';
import { CANCELLATION_REASONS, ORDER_STATUSES, PAYMENT_METHODS } from '../domain/order-state';
import type { PriceBreakdown } from '../domain/pricing';

const Money = z.object({ amount: z.number().int(), currency: z.literal('INR') }).openapi('Money');
const money = (amount: number) => ({ amount, currency: 'INR' as const });

const Line = z.strictObject({ productId: z.uuid(), quantity: z.number().int().min(1).max(100) });

const OrderFields = {
  addressId: z.uuid().describe('One of your addresses: the store that delivers there fills the order'),
  couponCode: z
    .string()
    .trim()
    .min(1)
    .max(32)
    .regex(/^[A-Za-z0-9_-]+$/, 'a coupon code is letters, digits, - and _')
    .optional(),
  items: z.array(Line).min(1).max(MAX_LINES).optional().describe('The lines to order; without them, your cart'),
};

export const PlaceOrderBody = z.strictObject({ ...OrderFields, paymentMethod: z.enum(PAYMENT_METHODS) });
export const QuoteBody = z.strictObject({ ...OrderFields, paymentMethod: z.enum(PAYMENT_METHODS).optional() });

export const OrderParams = z.strictObject({ orderId: z.uuid() });

export const CancelBody = z.strictObject({ reason: z.string().trim().min(1).max(300).optional().describe('A note for the history') });

export const AdvanceBody = z.strictObject({
  note: z.string().trim().min(1).max(300).optional(),
  version: z.number().int().min(1).optional().describe('The version you read; an order that changed since is a 409'),
});

const isoDate = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

export const ListOrdersQuery = z
  .strictObject({
    ...pageQuery,
    status: z.enum(ORDER_STATUSES).optional(),
    userId: z.uuid().optional().describe('Admins only'),
    storeId: z.uuid().optional(),
    from: isoDate.optional().describe('Placed at or after (ISO-8601)'),
    to: isoDate.optional().describe('Placed before (ISO-8601)'),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], message: 'to must be after from' });

const Pricing = z
  .object({
    itemTotal: Money,
    mrpTotal: Money,
    savings: Money.describe('MRP total − item total'),
    couponDiscount: Money,
    deliveryFee: Money,
    smallCartFee: Money,
    handlingFee: Money,
    tax: Money,
    total: Money,
  })
  .openapi('OrderPricing');

const ZoneId = z
  .uuid()
  .nullable()
  .describe('The location-service zone the address fell in, which chose the store; null where it was not recorded (older orders)');

const ItemView = z.object({
  productId: z.uuid(),
  name: z.string(),
  quantity: z.number().int(),
  unitPrice: Money,
  mrp: Money,
  lineTotal: Money,
});

export const OrderView = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    storeId: z.uuid(),
    zoneId: ZoneId,
    addressId: z.uuid(),
    status: z.enum(ORDER_STATUSES),
    paymentMethod: z.enum(PAYMENT_METHODS),
    items: z.array(ItemView),
    pricing: Pricing,
    couponCode: z.string().nullable(),
    paymentDueBy: z.iso.datetime().nullable(),
    paid: z.boolean().describe('Whether payment was captured'),
    refundedAmount: Money,
    cancellationReason: z.enum(CANCELLATION_REASONS).nullable(),
    history: z.array(z.object({ status: z.enum(ORDER_STATUSES), at: z.iso.datetime(), actor: z.string(), reason: z.string().nullable() })),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Order');

export const QuoteView = z
  .object({
    storeId: z.uuid(),
    zoneId: ZoneId,
    addressId: z.uuid(),
    items: z.array(ItemView),
    pricing: Pricing,
    couponCode: z.string().nullable(),
  })
  .openapi('OrderQuote');

export const ReorderView = z.object({
  orderId: z.uuid(),
  added: z.array(z.object({ productId: z.uuid(), quantity: z.number().int() })),
  skipped: z.array(z.object({ productId: z.uuid(), quantity: z.number().int(), reason: z.string() })),
});

function pricingView(p: PriceBreakdown): z.input<typeof Pricing> {
  return {
    itemTotal: money(p.itemTotal),
    mrpTotal: money(p.mrpTotal),
    savings: money(p.savings),
    couponDiscount: money(p.couponDiscount),
    deliveryFee: money(p.deliveryFee),
    smallCartFee: money(p.smallCartFee),
    handlingFee: money(p.handlingFee),
    tax: money(p.tax),
    total: money(p.total),
  };
}

function itemViews(items: Quote['items']): z.input<typeof ItemView>[] {
  return items.map((i) => ({
    productId: i.productId,
    name: i.name,
    quantity: i.quantity,
    unitPrice: money(i.unitPrice),
    mrp: money(i.mrp),
    lineTotal: money(i.lineTotal),
  }));
}

export function toOrderView({ order, history }: OrderWithHistory): z.input<typeof OrderView> {
  return {
    id: order.id,
    userId: order.userId,
    storeId: order.storeId,
    zoneId: order.zoneId,
    addressId: order.addressId,
    status: order.status,
    paymentMethod: order.paymentMethod,
    items: itemViews(order.items),
    pricing: pricingView(order.pricing),
    couponCode: order.couponCode,
    paymentDueBy: order.paymentDueBy?.toISOString() ?? null,
    paid: order.paid,
    refundedAmount: money(order.refundedAmount),
    cancellationReason: order.cancellationReason,
    history: history.map((h) => ({ status: h.status, at: h.at.toISOString(), actor: h.actor, reason: h.reason })),
    version: order.version,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export function toQuoteView(quote: Quote): z.input<typeof QuoteView> {
  return {
    storeId: quote.storeId,
    zoneId: quote.zoneId,
    addressId: quote.addressId,
    items: itemViews(quote.items),
    pricing: pricingView(quote.pricing),
    couponCode: quote.couponCode,
  };
}
