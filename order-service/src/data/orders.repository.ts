import { duplicateKeyOf, newId, type Queryable, type Tx } from '@qc/shared/db';
import type { CancellationReason, OrderStatus, PaymentMethod } from '../domain/order-state';
import type { PriceBreakdown } from '../domain/pricing';

export interface OrderItem {
  productId: string;
  name: string;
  quantity: number;
  unitPrice: number;
  mrp: number;
  lineTotal: number;
}

export interface StatusChange {
  status: OrderStatus;
  actor: string;
  reason: string | null;
  at: Date;
}

export interface OrderRecord {
  id: string;
  userId: string;
  storeId: string;
  /** The location-service zone the drop-off fell in; null for orders placed before it was recorded. */
  zoneId: string | null;
  addressId: string;
  dropoff: { lat: number; lng: number };
  status: OrderStatus;
  paymentMethod: PaymentMethod;
  idempotencyKey: string;
  couponId: string | null;
  couponCode: string | null;
  pricing: PriceBreakdown;
  paid: boolean;
  refundedAmount: number;
  paymentDueBy: Date | null;
  cancellationReason: CancellationReason | null;
  deliveredAt: Date | null;
  version: number;
  items: OrderItem[];
  createdAt: Date;
  updatedAt: Date;
}

export type NewOrder = Omit<
  OrderRecord,
  'createdAt' | 'updatedAt' | 'version' | 'paid' | 'refundedAmount' | 'paymentDueBy' | 'cancellationReason' | 'deliveredAt'
>;

const COLUMNS = `id, user_id, store_id, zone_id, address_id, dropoff_lat, dropoff_lng, status, payment_method, idempotency_key, coupon_id,
  coupon_code, item_total, mrp_total, coupon_discount, delivery_fee, small_cart_fee, handling_fee, tax, total, paid,
  refunded_amount, payment_due_by, cancellation_reason, delivered_at, version, created_at, updated_at`;

type Row = Record<string, unknown>;

function toOrder(row: Row, items: OrderItem[]): OrderRecord {
  const itemTotal = Number(row.item_total);
  const mrpTotal = Number(row.mrp_total);
  return {
    id: String(row.id),
    userId: String(row.user_id),
    storeId: String(row.store_id),
    zoneId: row.zone_id === null ? null : String(row.zone_id),
    addressId: String(row.address_id),
    dropoff: { lat: Number(row.dropoff_lat), lng: Number(row.dropoff_lng) },
    status: row.status as OrderStatus,
    paymentMethod: row.payment_method as PaymentMethod,
    idempotencyKey: String(row.idempotency_key),
    couponId: row.coupon_id === null ? null : String(row.coupon_id),
    couponCode: row.coupon_code === null ? null : String(row.coupon_code),
    pricing: {
      itemTotal,
      mrpTotal,
      savings: mrpTotal - itemTotal,
      couponDiscount: Number(row.coupon_discount),
      deliveryFee: Number(row.delivery_fee),
      smallCartFee: Number(row.small_cart_fee),
      handlingFee: Number(row.handling_fee),
      tax: Number(row.tax),
      total: Number(row.total),
    },
    paid: Number(row.paid) === 1,
    refundedAmount: Number(row.refunded_amount),
    paymentDueBy: (row.payment_due_by as Date | null) ?? null,
    cancellationReason: (row.cancellation_reason as CancellationReason | null) ?? null,
    deliveredAt: (row.delivered_at as Date | null) ?? null,
    version: Number(row.version),
    items,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

async function withItems(db: Queryable, rows: Row[]): Promise<OrderRecord[]> {
  if (rows.length === 0) return [];
  const lines: Row[] = await db.query(
    'SELECT order_id, product_id, name, quantity, unit_price, mrp, line_total FROM order_items WHERE order_id IN (?) ORDER BY order_id, position',
    [rows.map((r) => r.id)],
  );
  const byOrder = new Map<string, OrderItem[]>();
  for (const line of lines) {
    const items = byOrder.get(String(line.order_id)) ?? [];
    items.push({
      productId: String(line.product_id),
      name: String(line.name),
      quantity: Number(line.quantity),
      unitPrice: Number(line.unit_price),
      mrp: Number(line.mrp),
      lineTotal: Number(line.line_total),
    });
    byOrder.set(String(line.order_id), items);
  }
  return rows.map((row) => toOrder(row, byOrder.get(String(row.id)) ?? []));
}

/**
 * Inserts an order with its lines; false when the user already has an order for this
 * Idempotency-Key (the unique key decides, so two requests racing past the key store cannot both
 * create one).
 */
export async function insertOrder(tx: Tx, order: NewOrder): Promise<boolean> {
  const p = order.pricing;
  try {
    await tx.query(
      `INSERT INTO orders (id, user_id, store_id, zone_id, address_id, dropoff_lat, dropoff_lng, status, payment_method, idempotency_key,
         coupon_id, coupon_code, item_total, mrp_total, coupon_discount, delivery_fee, small_cart_fee, handling_fee, tax, total)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        order.id,
        order.userId,
        order.storeId,
        order.zoneId,
        order.addressId,
        order.dropoff.lat,
        order.dropoff.lng,
        order.status,
        order.paymentMethod,
        order.idempotencyKey,
        order.couponId,
        order.couponCode,
        p.itemTotal,
        p.mrpTotal,
        p.couponDiscount,
        p.deliveryFee,
        p.smallCartFee,
        p.handlingFee,
        p.tax,
        p.total,
      ],
    );
  } catch (err) {
    if (duplicateKeyOf(err) === 'orders_idempotency') return false;
    throw err;
  }
  await tx.query(
    `INSERT INTO order_items (order_id, product_id, name, quantity, unit_price, mrp, line_total, position)
     VALUES ${order.items.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    order.items.flatMap((i, position) => [order.id, i.productId, i.name, i.quantity, i.unitPrice, i.mrp, i.lineTotal, position]),
  );
  return true;
}

export async function findOrder(db: Queryable, id: string): Promise<OrderRecord | undefined> {
  const rows: Row[] = await db.query(`SELECT ${COLUMNS} FROM orders WHERE id = ?`, [id]);
  return (await withItems(db, rows))[0];
}

export async function findOrderByKey(db: Queryable, userId: string, idempotencyKey: string): Promise<OrderRecord | undefined> {
  const rows: Row[] = await db.query(`SELECT ${COLUMNS} FROM orders WHERE user_id = ? AND idempotency_key = ?`, [userId, idempotencyKey]);
  return (await withItems(db, rows))[0];
}

/** The order, locked for a state transition. */
export async function lockOrder(tx: Tx, id: string): Promise<OrderRecord | undefined> {
  const rows: Row[] = await tx.query(`SELECT ${COLUMNS} FROM orders WHERE id = ? FOR UPDATE`, [id]);
  return (await withItems(tx, rows))[0];
}

export interface OrderChanges {
  status?: OrderStatus;
  paid?: boolean;
  refundedAmount?: number;
  paymentDueBy?: Date;
  cancellationReason?: CancellationReason;
  deliveredAt?: Date;
}

const CHANGE_COLUMNS: Record<keyof OrderChanges, string> = {
  status: 'status',
  paid: 'paid',
  refundedAmount: 'refunded_amount',
  paymentDueBy: 'payment_due_by',
  cancellationReason: 'cancellation_reason',
  deliveredAt: 'delivered_at',
};

/** Writes the changes of a locked order and bumps its version. */
export async function updateOrder(tx: Tx, id: string, changes: OrderChanges): Promise<void> {
  const entries = Object.entries(changes).filter(([, value]) => value !== undefined) as [keyof OrderChanges, unknown][];
  await tx.query(
    `UPDATE orders SET ${entries.map(([field]) => `${CHANGE_COLUMNS[field]} = ?, `).join('')}version = version + 1 WHERE id = ?`,
    [...entries.map(([, value]) => (typeof value === 'boolean' ? Number(value) : value)), id],
  );
}

export async function insertStatusChange(tx: Tx, orderId: string, change: Omit<StatusChange, 'at'>): Promise<void> {
  await tx.query('INSERT INTO order_status_history (id, order_id, status, actor, reason) VALUES (?, ?, ?, ?, ?)', [
    newId(),
    orderId,
    change.status,
    change.actor,
    change.reason,
  ]);
}

export async function historyOf(db: Queryable, orderId: string): Promise<StatusChange[]> {
  const rows: Row[] = await db.query('SELECT status, actor, reason, at FROM order_status_history WHERE order_id = ? ORDER BY id', [
    orderId,
  ]);
  return rows.map((row) => ({
    status: row.status as OrderStatus,
    actor: String(row.actor),
    reason: row.reason === null ? null : String(row.reason),
    at: row.at as Date,
  }));
}

export interface OrderQuery {
  userId?: string | undefined;
  storeId?: string | undefined;
  status?: OrderStatus | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Order id to continue after; newest first. */
  before?: string | undefined;
  limit: number;
}

export async function listOrders(db: Queryable, query: OrderQuery): Promise<OrderRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    if (value === undefined) return;
    where.push(sql);
    params.push(value);
  };
  add('user_id = ?', query.userId);
  add('store_id = ?', query.storeId);
  add('status = ?', query.status);
  add('created_at >= ?', query.from);
  add('created_at < ?', query.to);
  add('id < ?', query.before);
  const rows: Row[] = await db.query(
    `SELECT ${COLUMNS} FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    [...params, query.limit],
  );
  return withItems(db, rows);
}
