import {
  couponRefusal,
  priceOrder,
  taxOn,
  type CouponTerms,
  type CouponUse,
  type FeeSettings,
  type PricedLine,
} from '../../src/domain/pricing';

const fees: FeeSettings = {
  deliveryFee: 2_500,
  deliveryFreeAbove: 19_900,
  smallCartFee: 1_500,
  smallCartBelow: 9_900,
  handlingFee: 500,
  feeTaxBps: 0,
};
const line = (unitPrice: number, quantity: number, mrp = unitPrice): PricedLine => ({
  productId: `p-${unitPrice}-${quantity}`,
  name: 'x',
  quantity,
  unitPrice,
  mrp,
});
const coupon = (terms: Partial<CouponTerms>): CouponTerms => ({
  code: 'C',
  kind: 'FLAT',
  value: 0,
  maxDiscount: null,
  minOrderValue: 0,
  ...terms,
});

describe('priceOrder', () => {
  it('when the cart is small, then delivery, small-cart and handling fees are all charged and MRP savings shown', () => {
    expect(priceOrder([line(4_000, 2, 5_000)], fees)).toEqual({
      itemTotal: 8_000,
      mrpTotal: 10_000,
      savings: 2_000,
      couponDiscount: 0,
      deliveryFee: 2_500,
      smallCartFee: 1_500,
      handlingFee: 500,
      tax: 0,
      total: 12_500,
    });
  });

  it('when the item total reaches the free-delivery threshold exactly, then delivery is free and no small-cart fee applies', () => {
    const p = priceOrder([line(19_900, 1)], fees);
    expect(p).toMatchObject({ deliveryFee: 0, smallCartFee: 0, handlingFee: 500, total: 20_400 });
    expect(priceOrder([line(19_899, 1)], fees).deliveryFee).toBe(2_500);
    expect(priceOrder([line(9_900, 1)], fees).smallCartFee).toBe(0);
    expect(priceOrder([line(9_899, 1)], fees).smallCartFee).toBe(1_500);
  });

  it('when a percentage coupon applies, then it takes that share of the items, rounded down, up to its cap', () => {
    expect(priceOrder([line(33_333, 1)], fees, coupon({ kind: 'PERCENTAGE', value: 10 })).couponDiscount).toBe(3_333);
    const capped = priceOrder([line(100_000, 1)], fees, coupon({ kind: 'PERCENTAGE', value: 50, maxDiscount: 7_500 }));
    expect(capped).toMatchObject({ couponDiscount: 7_500, total: 100_000 - 7_500 + 500 });
  });

  it('when a flat coupon is worth more than the items, then it takes off the item total and no more', () => {
    expect(priceOrder([line(20_000, 1)], fees, coupon({ kind: 'FLAT', value: 5_000 })).total).toBe(15_500);
    expect(priceOrder([line(3_000, 1)], fees, coupon({ kind: 'FLAT', value: 5_000 }))).toMatchObject({
      couponDiscount: 3_000,
      total: 2_500 + 1_500 + 500,
    });
  });

  it('when a free-delivery coupon applies, then its discount is the delivery fee, and nothing when delivery is already free', () => {
    const small = priceOrder([line(10_000, 1)], fees, coupon({ kind: 'FREE_DELIVERY' }));
    expect(small).toMatchObject({ deliveryFee: 2_500, couponDiscount: 2_500, total: 10_000 + 500 });
    expect(priceOrder([line(25_000, 1)], fees, coupon({ kind: 'FREE_DELIVERY' })).couponDiscount).toBe(0);
  });

  it('when taxes are configured, then the fees charged are taxed, rounded half up, and a waived delivery fee is not', () => {
    const taxed = { ...fees, feeTaxBps: 1_800 };
    // fees 2 500 + 1 500 + 500 = 4 500 → 18 % = 810
    expect(priceOrder([line(5_000, 1)], taxed)).toMatchObject({ tax: 810, total: 5_000 + 4_500 + 810 });
    // delivery waived: 1 500 + 500 = 2 000 → 360
    expect(priceOrder([line(5_000, 1)], taxed, coupon({ kind: 'FREE_DELIVERY' })).tax).toBe(360);
    expect(taxOn(25, 1_800)).toBe(5); // 4.5 → 5
    expect(taxOn(24, 1_800)).toBe(4); // 4.32 → 4
  });

  it('when any input is in paise, then every amount comes out an integer', () => {
    const p = priceOrder([line(1_999, 3, 2_499), line(7, 13)], { ...fees, feeTaxBps: 1_234 }, coupon({ kind: 'PERCENTAGE', value: 17 }));
    for (const amount of Object.values(p)) expect(Number.isInteger(amount)).toBe(true);
    expect(p.total).toBe(p.itemTotal - p.couponDiscount + p.deliveryFee + p.smallCartFee + p.handlingFee + p.tax);
  });
});

describe('couponRefusal', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  const base: CouponTerms & CouponUse = {
    ...coupon({ kind: 'FLAT', value: 1_000, minOrderValue: 20_000 }),
    active: true,
    validFrom: new Date('2025-05-01T00:00:00Z'),
    validUntil: new Date('2025-07-01T00:00:00Z'),
    perUserLimit: 1,
    totalLimit: 100,
    usedCount: 5,
  };
  const order = { itemTotal: 20_000, now, usedByUser: 0 };

  it('when every condition holds, then the coupon may be used', () => {
    expect(couponRefusal(base, order)).toBeNull();
  });

  it.each([
    ['inactive', { active: false }, order, 'COUPON_INACTIVE'],
    ['not started', { validFrom: new Date('2025-06-02T00:00:00Z') }, order, 'COUPON_NOT_STARTED'],
    ['expired at its end', { validUntil: now }, order, 'COUPON_EXPIRED'],
    ['below its minimum', {}, { ...order, itemTotal: 19_999 }, 'COUPON_MIN_ORDER_NOT_MET'],
    ['used up', { usedCount: 100 }, order, 'COUPON_EXHAUSTED'],
    ['used by this user as often as allowed', {}, { ...order, usedByUser: 1 }, 'COUPON_USER_LIMIT_REACHED'],
  ] as const)('when it is %s, then it is refused', (_what, change, o, refusal) => {
    expect(couponRefusal({ ...base, ...change }, o)).toBe(refusal);
  });

  it('when it has no limits and no end, then use counts never refuse it', () => {
    const open = { ...base, perUserLimit: null, totalLimit: null, validUntil: null };
    expect(couponRefusal(open, { ...order, usedByUser: 1_000, now: new Date('2099-01-01T00:00:00Z') })).toBeNull();
  });
});
