/**
 * The pricing engine: what an order costs, from the catalog's prices, a coupon and the fee
 * settings. Pure (no I/O, no clock of its own) and in integer paise throughout: a percentage is an
 * integer percent and every division rounds down, so no float ever touches money.
 *
 *   itemTotal      Σ price × quantity (prices from product-service, never the client)
 *   mrpTotal       Σ MRP × quantity;  savings = mrpTotal − itemTotal
 *   couponDiscount what the coupon takes off (a waived delivery fee for FREE_DELIVERY)
 *   deliveryFee    DELIVERY_FEE unless itemTotal ≥ DELIVERY_FREE_ABOVE
 *   smallCartFee   SMALL_CART_FEE when itemTotal < SMALL_CART_BELOW
 *   handlingFee    HANDLING_FEE on every order
 *   tax            FEE_TAX_BPS of the fees actually charged (item prices include their taxes)
 *   total          itemTotal − couponDiscount + deliveryFee + smallCartFee + handlingFee + tax
 *
 * Thresholds look at the item total before the coupon: a coupon never makes an order pay a fee it
 * would not have paid without it.
 */

export interface PricedLine {
  productId: string;
  name: string;
  quantity: number;
  /** Paise, as product-service answered. */
  unitPrice: number;
  mrp: number;
}

export type CouponKind = 'PERCENTAGE' | 'FLAT' | 'FREE_DELIVERY';

/** The coupon's terms that decide a price; limits and validity are checked by `couponRefusal`. */
export interface CouponTerms {
  code: string;
  kind: CouponKind;
  /** PERCENTAGE: whole percent (1–100); FLAT: paise; FREE_DELIVERY: unused (0). */
  value: number;
  /** PERCENTAGE: the most it takes off, paise; null for no cap. */
  maxDiscount: number | null;
  /** The least item total it applies to, paise. */
  minOrderValue: number;
}

export interface FeeSettings {
  deliveryFee: number;
  deliveryFreeAbove: number;
  smallCartFee: number;
  smallCartBelow: number;
  handlingFee: number;
  /** Basis points of the fees charged. */
  feeTaxBps: number;
}

/** Every amount in paise. */
export interface PriceBreakdown {
  itemTotal: number;
  mrpTotal: number;
  savings: number;
  couponDiscount: number;
  deliveryFee: number;
  smallCartFee: number;
  handlingFee: number;
  tax: number;
  total: number;
}

export function lineTotal(line: Pick<PricedLine, 'quantity' | 'unitPrice'>): number {
  return line.unitPrice * line.quantity;
}

/**
 * Prices an order. The caller has already checked that the coupon may be used (`couponRefusal`);
 * this only computes what it takes off.
 */
export function priceOrder(lines: readonly PricedLine[], fees: FeeSettings, coupon?: CouponTerms | null): PriceBreakdown {
  const itemTotal = lines.reduce((sum, line) => sum + lineTotal(line), 0);
  const mrpTotal = lines.reduce((sum, line) => sum + line.mrp * line.quantity, 0);
  const deliveryFee = itemTotal >= fees.deliveryFreeAbove ? 0 : fees.deliveryFee;
  const smallCartFee = itemTotal < fees.smallCartBelow ? fees.smallCartFee : 0;
  const handlingFee = fees.handlingFee;
  const couponDiscount = coupon ? discountOf(coupon, itemTotal, deliveryFee) : 0;
  // A FREE_DELIVERY coupon's discount is the delivery fee: it is not charged, so it is not taxed.
  const chargedFees = deliveryFee + smallCartFee + handlingFee - (coupon?.kind === 'FREE_DELIVERY' ? couponDiscount : 0);
  const tax = taxOn(chargedFees, fees.feeTaxBps);
  return {
    itemTotal,
    mrpTotal,
    savings: mrpTotal - itemTotal,
    couponDiscount,
    deliveryFee,
    smallCartFee,
    handlingFee,
    tax,
    total: itemTotal - couponDiscount + deliveryFee + smallCartFee + handlingFee + tax,
  };
}

function discountOf(coupon: CouponTerms, itemTotal: number, deliveryFee: number): number {
  switch (coupon.kind) {
    case 'PERCENTAGE': {
      const off = Math.floor((itemTotal * coupon.value) / 100);
      return coupon.maxDiscount === null ? off : Math.min(off, coupon.maxDiscount);
    }
    case 'FLAT':
      return Math.min(coupon.value, itemTotal);
    case 'FREE_DELIVERY':
      return deliveryFee;
  }
}

/** Basis points of an amount, rounded half up, in integers. */
export function taxOn(amount: number, bps: number): number {
  return Math.floor((amount * bps + 5_000) / 10_000);
}

/** When and how often a coupon may be used, and how often it has been. */
export interface CouponUse {
  active: boolean;
  validFrom: Date;
  validUntil: Date | null;
  perUserLimit: number | null;
  totalLimit: number | null;
  usedCount: number;
}

export type CouponRefusal =
  | 'COUPON_INACTIVE'
  | 'COUPON_NOT_STARTED'
  | 'COUPON_EXPIRED'
  | 'COUPON_MIN_ORDER_NOT_MET'
  | 'COUPON_EXHAUSTED'
  | 'COUPON_USER_LIMIT_REACHED';

/**
 * Why this coupon cannot be used on this order now, or null when it can. `usedByUser` counts the
 * caller's orders that hold the coupon (cancelled ones give it back).
 */
export function couponRefusal(
  coupon: CouponTerms & CouponUse,
  order: { itemTotal: number; now: Date; usedByUser: number },
): CouponRefusal | null {
  if (!coupon.active) return 'COUPON_INACTIVE';
  if (order.now < coupon.validFrom) return 'COUPON_NOT_STARTED';
  if (coupon.validUntil !== null && order.now >= coupon.validUntil) return 'COUPON_EXPIRED';
  if (order.itemTotal < coupon.minOrderValue) return 'COUPON_MIN_ORDER_NOT_MET';
  if (coupon.totalLimit !== null && coupon.usedCount >= coupon.totalLimit) return 'COUPON_EXHAUSTED';
  if (coupon.perUserLimit !== null && order.usedByUser >= coupon.perUserLimit) return 'COUPON_USER_LIMIT_REACHED';
  return null;
}

export function feeSettingsOf(settings: {
  DELIVERY_FEE: number;
  DELIVERY_FREE_ABOVE: number;
  SMALL_CART_FEE: number;
  SMALL_CART_BELOW: number;
  HANDLING_FEE: number;
  FEE_TAX_BPS: number;
}): FeeSettings {
  return {
    deliveryFee: settings.DELIVERY_FEE,
    deliveryFreeAbove: settings.DELIVERY_FREE_ABOVE,
    smallCartFee: settings.SMALL_CART_FEE,
    smallCartBelow: settings.SMALL_CART_BELOW,
    handlingFee: settings.HANDLING_FEE,
    feeTaxBps: settings.FEE_TAX_BPS,
  };
}
