import { z } from 'zod';
import { pageQuery } from '@qc/shared/http';
import type { CouponFields, CouponRecord } from '../domain/coupons';

const paise = z.number().int().min(0).max(100_000_000);
const limit = z.number().int().min(1).max(10_000_000).nullable();
const when = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

const CouponTermsBody = {
  value: z.number().int().min(0).max(100_000_000).describe('PERCENTAGE: percent (1–100); FLAT: paise; FREE_DELIVERY: 0'),
  maxDiscount: paise.nullable().describe('PERCENTAGE only: the most it takes off, paise'),
  minOrderValue: paise.describe('The least item total it applies to, paise'),
  perUserLimit: limit.describe('Orders per user that may hold it; null for no limit'),
  totalLimit: limit.describe('Orders in all that may hold it; null for no limit'),
  validFrom: when,
  validUntil: when.nullable(),
  active: z.boolean(),
  description: z.string().trim().max(200).nullable(),
};

export const NewCouponBody = z.strictObject({
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9_-]{3,32}$/, 'a code is 3–32 letters, digits, - and _'),
  kind: z.enum(['PERCENTAGE', 'FLAT', 'FREE_DELIVERY']),
  value: CouponTermsBody.value,
  maxDiscount: CouponTermsBody.maxDiscount.default(null),
  minOrderValue: CouponTermsBody.minOrderValue.default(0),
  perUserLimit: CouponTermsBody.perUserLimit.default(null),
  totalLimit: CouponTermsBody.totalLimit.default(null),
  validFrom: CouponTermsBody.validFrom.optional(),
  validUntil: CouponTermsBody.validUntil.default(null),
  active: CouponTermsBody.active.default(true),
  description: CouponTermsBody.description.default(null),
});

/** The code and kind stay: orders name the coupon by code, and a different kind is a different coupon. */
export const CouponPatchBody = z
  .strictObject({
    value: CouponTermsBody.value.optional(),
    maxDiscount: CouponTermsBody.maxDiscount.optional(),
    minOrderValue: CouponTermsBody.minOrderValue.optional(),
    perUserLimit: CouponTermsBody.perUserLimit.optional(),
    totalLimit: CouponTermsBody.totalLimit.optional(),
    validFrom: CouponTermsBody.validFrom.optional(),
    validUntil: CouponTermsBody.validUntil.optional(),
    active: CouponTermsBody.active.optional(),
    description: CouponTermsBody.description.optional(),
    version: z.number().int().min(1).describe('The version you read; a coupon that changed since is a 409'),
  })
  .refine((patch) => Object.keys(patch).length > 1, 'change at least one field');

export const CouponParams = z.strictObject({ couponId: z.uuid() });
export const ListCouponsQuery = z.strictObject({ ...pageQuery });

export const CouponView = z
  .object({
    id: z.uuid(),
    code: z.string(),
    kind: z.enum(['PERCENTAGE', 'FLAT', 'FREE_DELIVERY']),
    value: z.number().int(),
    maxDiscount: z.number().int().nullable(),
    minOrderValue: z.number().int(),
    perUserLimit: z.number().int().nullable(),
    totalLimit: z.number().int().nullable(),
    usedCount: z.number().int().describe('Orders holding it now; a cancelled order gives its use back'),
    validFrom: z.iso.datetime(),
    validUntil: z.iso.datetime().nullable(),
    active: z.boolean(),
    description: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Coupon');

export function toCouponFields(body: z.output<typeof NewCouponBody>, now: Date): CouponFields {
  return { ...body, validFrom: body.validFrom ?? now };
}

export function toCouponView(c: CouponRecord): z.input<typeof CouponView> {
  return {
    ...c,
    validFrom: c.validFrom.toISOString(),
    validUntil: c.validUntil?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
