/**
 * Quoting and placing an order (DESIGN §5, first step). The lines come from the caller's cart or
 * the request; the prices from product-service, never the client; the store and the zone from the
 * address (user-service's address → location-service's serviceability). Placing writes the order PENDING,
 * its coupon use and `order.created` in one transaction; inventory answers with a reservation.
 */
import { newId } from '@qc/shared/db';
import { activeRedemptionsOf, findCouponByCode, insertRedemption, lockCoupon, type CouponRecord } from '../data/coupons.repository';
import { findOrderByKey, insertOrder, insertStatusChange, type OrderItem, type OrderRecord } from '../data/orders.repository';
import type { CartLine, OrderContext } from './context';
import { orderEvent } from './events';
import {
  addressNotFound,
  addressNotServiceable,
  cartEmpty,
  couponRefused,
  productsUnavailable,
  storeClosed,
  tooManyLines,
} from './order.errors';
import type { PaymentMethod } from './order-state';
import { couponRefusal, lineTotal, priceOrder, type CouponRefusal, type PriceBreakdown, type PricedLine } from './pricing';

/** The most different products one order holds (product-service answers up to 100 ids at once). */
export const MAX_LINES = 100;

export interface OrderRequest {
  addressId: string;
  couponCode?: string | undefined;
  /** Without them, the caller's cart. */
  items?: CartLine[] | undefined;
}

export interface Caller {
  userId: string;
  /** The caller's `Authorization` header, relayed to read their cart and address. */
  authorization: string;
}

export interface Quote {
  storeId: string;
  /** The zone the drop-off fell in, which chose the store. */
  zoneId: string | null;
  addressId: string;
  dropoff: { lat: number; lng: number };
  items: OrderItem[];
  pricing: PriceBreakdown;
  couponCode: string | null;
  coupon: CouponRecord | null;
}

/** One line per product, quantities summed, in the order first named. */
export function mergeLines(lines: readonly CartLine[]): CartLine[] {
  const byProduct = new Map<string, number>();
  for (const { productId, quantity } of lines) {
    const id = productId.toLowerCase();
    byProduct.set(id, (byProduct.get(id) ?? 0) + quantity);
  }
  return [...byProduct].map(([productId, quantity]) => ({ productId, quantity }));
}

const REFUSALS: Record<CouponRefusal, string> = {
  COUPON_INACTIVE: 'This coupon is not active',
  COUPON_NOT_STARTED: 'This coupon is not valid yet',
  COUPON_EXPIRED: 'This coupon has expired',
  COUPON_MIN_ORDER_NOT_MET: 'The item total is below this coupon’s minimum order value',
  COUPON_EXHAUSTED: 'This coupon has been used up',
  COUPON_USER_LIMIT_REACHED: 'You have used this coupon as often as it allows',
};

function refuse(code: string, refusal: CouponRefusal): never {
  throw couponRefused(code, refusal, REFUSALS[refusal]);
}

/** What the order would be, priced: the same engine and checks as placing it, nothing written. */
export async function quoteOrder(ctx: OrderContext, request: OrderRequest, caller: Caller): Promise<Quote> {
  const lines = mergeLines(request.items ?? (await ctx.carts.linesOf(caller.authorization)));
  if (lines.length === 0) throw cartEmpty();
  if (lines.length > MAX_LINES) throw tooManyLines(MAX_LINES);

  const [address, products] = await Promise.all([
    ctx.addresses.address(request.addressId, caller.authorization),
    ctx.catalog.products(lines.map((l) => l.productId)),
  ]);
  if (!address) throw addressNotFound(request.addressId);
  const missing = lines.filter((l) => !products.has(l.productId));
  if (missing.length > 0) {
    throw productsUnavailable(missing.map((l) => ({ path: 'items', message: 'not for sale', productId: l.productId })));
  }
  const store = await ctx.stores.storeFor(address);
  if (!store) throw addressNotServiceable();
  if (!store.open) throw storeClosed(store.storeId);

  const priced: PricedLine[] = lines.map(({ productId, quantity }) => {
    const product = products.get(productId)!;
    return { productId, name: product.name, quantity, unitPrice: product.price, mrp: product.mrp };
  });
  const coupon = request.couponCode ? await usableCoupon(ctx, request.couponCode, priced, caller.userId) : null;
  return {
    storeId: store.storeId,
    zoneId: store.zoneId,
    addressId: request.addressId,
    dropoff: address,
    items: priced.map((line) => ({ ...line, lineTotal: lineTotal(line) })),
    pricing: priceOrder(priced, ctx.fees, coupon),
    couponCode: coupon?.code ?? null,
    coupon,
  };
}

async function usableCoupon(ctx: OrderContext, rawCode: string, lines: PricedLine[], userId: string): Promise<CouponRecord> {
  const code = rawCode.trim().toUpperCase();
  const coupon = await findCouponByCode(ctx.db, code);
  if (!coupon) throw couponRefused(code, 'COUPON_NOT_FOUND', `There is no coupon ${code}`);
  const itemTotal = lines.reduce((sum, line) => sum + lineTotal(line), 0);
  const refusal = couponRefusal(coupon, { itemTotal, now: ctx.now(), usedByUser: await activeRedemptionsOf(ctx.db, coupon.id, userId) });
  if (refusal) refuse(code, refusal);
  return coupon;
}

/**
 * Places the caller's order for `idempotencyKey`. The key is also on the order row (unique per
 * user): a retry whose first attempt committed but never stored its answer finds that order here
 * instead of creating a second. The coupon is checked again under its row lock, so concurrent
 * orders can never use it more often than its limits allow.
 */
export async function placeOrder(
  ctx: OrderContext,
  request: OrderRequest & { paymentMethod: PaymentMethod },
  caller: Caller,
  idempotencyKey: string,
): Promise<OrderRecord> {
  const earlier = await findOrderByKey(ctx.db, caller.userId, idempotencyKey);
  if (earlier) return earlier;

  const quote = await quoteOrder(ctx, request, caller);
  const orderId = newId();
  await ctx.outbox.transaction(async (tx, emit) => {
    const order = {
      id: orderId,
      userId: caller.userId,
      storeId: quote.storeId,
      zoneId: quote.zoneId,
      addressId: quote.addressId,
      dropoff: quote.dropoff,
      status: 'PENDING' as const,
      paymentMethod: request.paymentMethod,
      idempotencyKey,
      couponId: quote.coupon?.id ?? null,
      couponCode: quote.couponCode,
      pricing: quote.pricing,
      items: quote.items,
    };
    if (!(await insertOrder(tx, order))) return;
    if (quote.coupon) {
      const coupon = (await lockCoupon(tx, quote.coupon.id))!;
      const usedByUser = await activeRedemptionsOf(tx, coupon.id, caller.userId);
      const refusal = couponRefusal(coupon, { itemTotal: quote.pricing.itemTotal, now: ctx.now(), usedByUser });
      if (refusal) refuse(coupon.code, refusal);
      await insertRedemption(tx, { couponId: coupon.id, orderId, userId: caller.userId });
    }
    await insertStatusChange(tx, orderId, { status: 'PENDING', actor: caller.userId, reason: 'ORDER_PLACED' });
    emit(
      orderEvent(
        'order.created',
        {
          orderId,
          userId: caller.userId,
          storeId: quote.storeId,
          items: quote.items.map(({ productId, quantity, unitPrice }) => ({
            productId,
            quantity,
            unitPrice: { amount: unitPrice, currency: 'INR' as const },
          })),
          total: { amount: quote.pricing.total, currency: 'INR' },
          paymentMethod: request.paymentMethod,
          addressId: quote.addressId,
          dropoff: quote.dropoff,
          ...(quote.zoneId ? { zoneId: quote.zoneId } : {}),
        },
        orderId,
      ),
    );
  });
  // Ours, or the one a request racing us with the same key committed first.
  return (await findOrderByKey(ctx.db, caller.userId, idempotencyKey))!;
}
