/** Coupons (admin CRUD). Codes are upper case and unique; a retired coupon is kept for the orders that used it. */
import { newId } from '@qc/shared/db';
import { AppError, type ErrorDetail } from '@qc/shared/http';
import {
  CodeTaken,
  findCoupon,
  insertCoupon,
  listCoupons,
  retireCoupon,
  updateCoupon,
  type CouponFields,
  type CouponRecord,
} from '../data/coupons.repository';
import type { OrderContext } from './context';
import { couponChanged, couponCodeTaken, couponNotFound } from './order.errors';

export type { CouponRecord, CouponFields } from '../data/coupons.repository';

type Db = Pick<OrderContext, 'db'>;

/**
 * The terms must make sense together: a percentage between 1 and 100 with an optional cap, a flat
 * amount above zero, free delivery with no value; a window that ends after it starts; a total
 * limit no lower than the uses already counted.
 */
function assertTerms(fields: CouponFields, usedCount = 0): void {
  const problems: ErrorDetail[] = [];
  if (fields.kind === 'PERCENTAGE' && (fields.value < 1 || fields.value > 100))
    problems.push({ path: 'value', message: 'a percentage is 1 to 100' });
  if (fields.kind === 'FLAT' && fields.value < 1) problems.push({ path: 'value', message: 'a flat discount is at least 1 paisa' });
  if (fields.kind === 'FREE_DELIVERY' && fields.value !== 0) problems.push({ path: 'value', message: 'free delivery takes no value (0)' });
  if (fields.kind !== 'PERCENTAGE' && fields.maxDiscount !== null)
    problems.push({ path: 'maxDiscount', message: 'only a percentage has a cap' });
  if (fields.validUntil !== null && fields.validUntil <= fields.validFrom)
    problems.push({ path: 'validUntil', message: 'must be after validFrom' });
  if (fields.totalLimit !== null && fields.totalLimit < usedCount) {
    problems.push({ path: 'totalLimit', message: `the coupon has been used ${usedCount} times already` });
  }
  if (problems.length > 0)
    throw new AppError('rule_violation', 'COUPON_TERMS_INVALID', 'The coupon’s terms do not fit together', { details: problems });
}

export async function createCoupon(ctx: Db, fields: CouponFields): Promise<CouponRecord> {
  assertTerms(fields);
  const id = newId();
  if (!(await insertCoupon(ctx.db, id, fields))) throw couponCodeTaken(fields.code);
  return (await findCoupon(ctx.db, id))!;
}

export async function couponOf(ctx: Db, couponId: string): Promise<CouponRecord> {
  const coupon = await findCoupon(ctx.db, couponId);
  if (!coupon) throw couponNotFound(couponId);
  return coupon;
}

export function couponsPage(ctx: Db, query: { after?: string | undefined; limit: number }): Promise<CouponRecord[]> {
  return listCoupons(ctx.db, query);
}

/** Changes a coupon read at `version`; 409 when someone changed it since. Usage counts are not the admin's to set. */
export async function changeCoupon(ctx: Db, couponId: string, version: number, changes: Partial<CouponFields>): Promise<CouponRecord> {
  const current = await couponOf(ctx, couponId);
  const { id: _id, usedCount, version: _version, createdAt: _created, updatedAt: _updated, ...terms } = current;
  assertTerms({ ...terms, ...changes }, usedCount);
  let changed: boolean;
  try {
    changed = await updateCoupon(ctx.db, couponId, version, changes);
  } catch (err) {
    if (err instanceof CodeTaken) throw couponCodeTaken(changes.code ?? '');
    throw err;
  }
  if (!changed) throw couponChanged(couponId);
  return couponOf(ctx, couponId);
}

export async function retire(ctx: Db, couponId: string): Promise<void> {
  if (!(await retireCoupon(ctx.db, couponId))) throw couponNotFound(couponId);
}
