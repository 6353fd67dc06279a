import { duplicateKeyOf, type Queryable, type Tx } from '@qc/shared/db';
import type { CouponKind, CouponTerms, CouponUse } from '../domain/pricing';

export interface CouponRecord extends CouponTerms, CouponUse {
  id: string;
  description: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type CouponFields = Omit<CouponRecord, 'id' | 'usedCount' | 'version' | 'createdAt' | 'updatedAt'>;

const COLUMNS = `id, code, kind, value, max_discount, min_order_value, per_user_limit, total_limit, used_count, valid_from,
  valid_until, active, description, version, created_at, updated_at`;

type Row = Record<string, unknown>;
const numberOrNull = (value: unknown) => (value === null ? null : Number(value));

function toCoupon(row: Row): CouponRecord {
  return {
    id: String(row.id),
    code: String(row.code),
    kind: row.kind as CouponKind,
    value: Number(row.value),
    maxDiscount: numberOrNull(row.max_discount),
    minOrderValue: Number(row.min_order_value),
    perUserLimit: numberOrNull(row.per_user_limit),
    totalLimit: numberOrNull(row.total_limit),
    usedCount: Number(row.used_count),
    validFrom: row.valid_from as Date,
    validUntil: (row.valid_until as Date | null) ?? null,
    active: Number(row.active) === 1,
    description: row.description === null ? null : String(row.description),
    version: Number(row.version),
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

/** Inserts a coupon; false when its code is taken. */
export async function insertCoupon(tx: Queryable, id: string, fields: CouponFields): Promise<boolean> {
  try {
    await tx.query(
      `INSERT INTO coupons (id, code, kind, value, max_discount, min_order_value, per_user_limit, total_limit, valid_from, valid_until,
         active, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        fields.code,
        fields.kind,
        fields.value,
        fields.maxDiscount,
        fields.minOrderValue,
        fields.perUserLimit,
        fields.totalLimit,
        fields.validFrom,
        fields.validUntil,
        Number(fields.active),
        fields.description,
      ],
    );
    return true;
  } catch (err) {
    if (duplicateKeyOf(err) === 'coupons_code') return false;
    throw err;
  }
}

export async function findCoupon(db: Queryable, id: string): Promise<CouponRecord | undefined> {
  const rows: Row[] = await db.query(`SELECT ${COLUMNS} FROM coupons WHERE id = ? AND deleted_at IS NULL`, [id]);
  return rows[0] && toCoupon(rows[0]);
}

export async function findCouponByCode(db: Queryable, code: string): Promise<CouponRecord | undefined> {
  const rows: Row[] = await db.query(`SELECT ${COLUMNS} FROM coupons WHERE code = ? AND deleted_at IS NULL`, [code]);
  return rows[0] && toCoupon(rows[0]);
}

/** The coupon, locked: redemptions of one coupon run one at a time, so its limits hold under concurrency. */
export async function lockCoupon(tx: Tx, id: string): Promise<CouponRecord | undefined> {
  const rows: Row[] = await tx.query(`SELECT ${COLUMNS} FROM coupons WHERE id = ? FOR UPDATE`, [id]);
  return rows[0] && toCoupon(rows[0]);
}

export async function listCoupons(db: Queryable, query: { after?: string | undefined; limit: number }): Promise<CouponRecord[]> {
  const rows: Row[] = await db.query(
    `SELECT ${COLUMNS} FROM coupons WHERE deleted_at IS NULL ${query.after ? 'AND id > ?' : ''} ORDER BY id LIMIT ?`,
    query.after ? [query.after, query.limit] : [query.limit],
  );
  return rows.map(toCoupon);
}

const FIELD_COLUMNS: Record<keyof CouponFields, string> = {
  code: 'code',
  kind: 'kind',
  value: 'value',
  maxDiscount: 'max_discount',
  minOrderValue: 'min_order_value',
  perUserLimit: 'per_user_limit',
  totalLimit: 'total_limit',
  validFrom: 'valid_from',
  validUntil: 'valid_until',
  active: 'active',
  description: 'description',
};

/** Changes a coupon if it is still at `version`; false when it changed meanwhile or is gone. */
export async function updateCoupon(tx: Queryable, id: string, version: number, changes: Partial<CouponFields>): Promise<boolean> {
  const entries = Object.entries(changes).filter(([, v]) => v !== undefined) as [keyof CouponFields, unknown][];
  try {
    const result = (await tx.query(
      `UPDATE coupons SET ${entries.map(([field]) => `${FIELD_COLUMNS[field]} = ?, `).join('')}version = version + 1
       WHERE id = ? AND version = ? AND deleted_at IS NULL`,
      [...entries.map(([, v]) => (typeof v === 'boolean' ? Number(v) : v)), id, version],
    )) as { affectedRows: number };
    return result.affectedRows === 1;
  } catch (err) {
    if (duplicateKeyOf(err) === 'coupons_code') throw new CodeTaken();
    throw err;
  }
}

/** An update ran into another coupon's code. */
export class CodeTaken extends Error {}

export async function retireCoupon(db: Queryable, id: string): Promise<boolean> {
  const result = (await db.query(
    'UPDATE coupons SET deleted_at = CURRENT_TIMESTAMP(3), active = 0, version = version + 1 WHERE id = ? AND deleted_at IS NULL',
    [id],
  )) as { affectedRows: number };
  return result.affectedRows === 1;
}

/** How many of the user's orders hold the coupon now (cancelled orders gave theirs back). */
export async function activeRedemptionsOf(db: Queryable, couponId: string, userId: string): Promise<number> {
  const [row] = (await db.query(
    'SELECT COUNT(*) AS n FROM coupon_redemptions WHERE coupon_id = ? AND user_id = ? AND released_at IS NULL',
    [couponId, userId],
  )) as { n: number | string }[];
  return Number(row?.n ?? 0);
}

export async function insertRedemption(tx: Tx, redemption: { couponId: string; orderId: string; userId: string }): Promise<void> {
  await tx.query('INSERT INTO coupon_redemptions (order_id, coupon_id, user_id) VALUES (?, ?, ?)', [
    redemption.orderId,
    redemption.couponId,
    redemption.userId,
  ]);
  await tx.query('UPDATE coupons SET used_count = used_count + 1 WHERE id = ?', [redemption.couponId]);
}

/** Gives the order's use of its coupon back; false when it held none or gave it back already. */
export async function releaseRedemption(tx: Tx, orderId: string): Promise<boolean> {
  const [row] = (await tx.query('SELECT coupon_id FROM coupon_redemptions WHERE order_id = ? AND released_at IS NULL FOR UPDATE', [
    orderId,
  ])) as { coupon_id: string }[];
  if (!row) return false;
  await tx.query('UPDATE coupon_redemptions SET released_at = CURRENT_TIMESTAMP(3) WHERE order_id = ?', [orderId]);
  await tx.query('UPDATE coupons SET used_count = used_count - 1 WHERE id = ? AND used_count > 0', [row.coupon_id]);
  return true;
}
