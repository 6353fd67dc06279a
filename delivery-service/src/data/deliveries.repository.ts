import type { Queryable } from '@qc/shared/db';

export const DELIVERY_STATUSES = ['QUEUED', 'ASSIGNED', 'ACCEPTED', 'PICKED_UP', 'DELIVERED', 'FAILED', 'CANCELLED', 'RETURNED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface LatLng {
  lat: number;
  lng: number;
}

export interface DeliveryRecord {
  id: string;
  orderId: string;
  userId: string;
  storeId: string;
  status: DeliveryStatus;
  partnerId: string | null;
  dropoff: LatLng | null;
  paymentMethod: string | null;
  codDueAmount: number | null;
  codCollectedAmount: number | null;
  otpHash: string | null;
  otpSealed: string | null;
  otpAttempts: number;
  otpLockedAt: Date | null;
  etaAt: Date | null;
  queuedAt: Date;
  assignedAt: Date | null;
  acceptedAt: Date | null;
  pickedUpAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  failureReason: string | null;
  /** Ended because its order was delivered or cancelled, not by its partner (no hand-over with the code). */
  endedByOrder: boolean;
  correlationId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, order_id, user_id, store_id, status, partner_id, dropoff_lat, dropoff_lng, payment_method, cod_due_amount,
  cod_collected_amount, otp_hash, otp_sealed, otp_attempts, otp_locked_at, eta_at, queued_at, assigned_at, accepted_at,
  picked_up_at, delivered_at, failed_at, failure_reason, ended_by_order, correlation_id, created_at, updated_at`;

const date = (v: unknown) => (v as Date | null) ?? null;
const text = (v: unknown) => (v === null ? null : String(v));
const num = (v: unknown) => (v === null ? null : Number(v));

function toDelivery(row: Record<string, unknown>): DeliveryRecord {
  return {
    id: String(row.id),
    orderId: String(row.order_id),
    userId: String(row.user_id),
    storeId: String(row.store_id),
    status: row.status as DeliveryStatus,
    partnerId: text(row.partner_id),
    dropoff: row.dropoff_lat === null ? null : { lat: Number(row.dropoff_lat), lng: Number(row.dropoff_lng) },
    paymentMethod: text(row.payment_method),
    codDueAmount: num(row.cod_due_amount),
    codCollectedAmount: num(row.cod_collected_amount),
    otpHash: text(row.otp_hash),
    otpSealed: text(row.otp_sealed),
    otpAttempts: Number(row.otp_attempts),
    otpLockedAt: date(row.otp_locked_at),
    etaAt: date(row.eta_at),
    queuedAt: row.queued_at as Date,
    assignedAt: date(row.assigned_at),
    acceptedAt: date(row.accepted_at),
    pickedUpAt: date(row.picked_up_at),
    deliveredAt: date(row.delivered_at),
    failedAt: date(row.failed_at),
    failureReason: text(row.failure_reason),
    endedByOrder: Boolean(row.ended_by_order),
    correlationId: text(row.correlation_id),
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

export type NewDelivery = Pick<
  DeliveryRecord,
  'id' | 'orderId' | 'userId' | 'storeId' | 'dropoff' | 'paymentMethod' | 'codDueAmount' | 'queuedAt' | 'correlationId'
>;

/**
 * Inserts an order's delivery, QUEUED; false when the order has one already (the unique order id
 * decides, so a redelivered order.confirmed is a no-op before anything else is touched).
 */
export async function insertDelivery(tx: Queryable, d: NewDelivery): Promise<boolean> {
  try {
    await tx.query(
      `INSERT INTO deliveries (id, order_id, user_id, store_id, status, dropoff_lat, dropoff_lng, payment_method, cod_due_amount,
         queued_at, correlation_id) VALUES (?, ?, ?, ?, 'QUEUED', ?, ?, ?, ?, ?, ?)`,
      [
        d.id,
        d.orderId,
        d.userId,
        d.storeId,
        d.dropoff?.lat ?? null,
        d.dropoff?.lng ?? null,
        d.paymentMethod,
        d.codDueAmount,
        d.queuedAt,
        d.correlationId,
      ],
    );
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return false;
    throw err;
  }
}

export async function findDeliveryOfOrder(db: Queryable, orderId: string): Promise<DeliveryRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM deliveries WHERE order_id = ?`, [orderId]);
  return rows[0] && toDelivery(rows[0]);
}

export async function findDelivery(db: Queryable, id: string): Promise<DeliveryRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM deliveries WHERE id = ?`, [id]);
  return rows[0] && toDelivery(rows[0]);
}

export async function lockDelivery(tx: Queryable, id: string): Promise<DeliveryRecord | undefined> {
  const rows: Record<string, unknown>[] = await tx.query(`SELECT ${COLUMNS} FROM deliveries WHERE id = ? FOR UPDATE`, [id]);
  return rows[0] && toDelivery(rows[0]);
}

/** The store's queued deliveries, longest-waiting first, locked (its store's lock is held: nobody else serves this queue). */
export async function lockQueued(tx: Queryable, storeId: string, limit: number): Promise<DeliveryRecord[]> {
  const rows: Record<string, unknown>[] = await tx.query(
    `SELECT ${COLUMNS} FROM deliveries WHERE store_id = ? AND status = 'QUEUED' ORDER BY queued_at, id LIMIT ? FOR UPDATE`,
    [storeId, limit],
  );
  return rows.map(toDelivery);
}

/**
 * Writes the fields a transition changed; with `expected`, only while the delivery still has that
 * status. False when nothing was written (a status the row no longer has, or nothing to write).
 */
export async function updateDelivery(
  tx: Queryable,
  id: string,
  changes: Partial<DeliveryRecord>,
  expected?: DeliveryStatus,
): Promise<boolean> {
  const columns: Record<string, string> = {
    status: 'status',
    partnerId: 'partner_id',
    codCollectedAmount: 'cod_collected_amount',
    otpHash: 'otp_hash',
    otpSealed: 'otp_sealed',
    otpAttempts: 'otp_attempts',
    otpLockedAt: 'otp_locked_at',
    etaAt: 'eta_at',
    assignedAt: 'assigned_at',
    acceptedAt: 'accepted_at',
    pickedUpAt: 'picked_up_at',
    deliveredAt: 'delivered_at',
    failedAt: 'failed_at',
    failureReason: 'failure_reason',
    endedByOrder: 'ended_by_order',
  };
  const entries = Object.entries(changes).filter(([field]) => columns[field]);
  if (entries.length === 0) return false;
  const result: { affectedRows: number } = await tx.query(
    `UPDATE deliveries SET ${entries.map(([field]) => `${columns[field]} = ?`).join(', ')} WHERE id = ?${expected ? ' AND status = ?' : ''}`,
    [...entries.map(([, value]) => value), id, ...(expected ? [expected] : [])],
  );
  return result.affectedRows > 0;
}

export interface HistoryEntry {
  status: string;
  partnerId: string | null;
  actor: string;
  note: string | null;
  at: Date;
}

export async function appendHistory(tx: Queryable, deliveryId: string, entry: Omit<HistoryEntry, 'at'> & { at: Date }): Promise<void> {
  await tx.query('INSERT INTO delivery_history (delivery_id, status, partner_id, actor, note, at) VALUES (?, ?, ?, ?, ?, ?)', [
    deliveryId,
    entry.status,
    entry.partnerId,
    entry.actor,
    entry.note,
    entry.at,
  ]);
}

export async function historyOf(db: Queryable, deliveryId: string): Promise<HistoryEntry[]> {
  const rows: Record<string, unknown>[] = await db.query(
    'SELECT status, partner_id, actor, note, at FROM delivery_history WHERE delivery_id = ? ORDER BY id',
    [deliveryId],
  );
  return rows.map((r) => ({
    status: String(r.status),
    partnerId: text(r.partner_id),
    actor: String(r.actor),
    note: text(r.note),
    at: r.at as Date,
  }));
}

export async function recordRejection(tx: Queryable, deliveryId: string, partnerId: string, reason: string | null): Promise<void> {
  await tx.query('INSERT IGNORE INTO delivery_rejections (delivery_id, partner_id, reason) VALUES (?, ?, ?)', [
    deliveryId,
    partnerId,
    reason,
  ]);
}

export async function rejectionsOf(db: Queryable, deliveryId: string): Promise<string[]> {
  const rows: { partner_id: string }[] = await db.query('SELECT partner_id FROM delivery_rejections WHERE delivery_id = ?', [deliveryId]);
  return rows.map((r) => r.partner_id);
}

/** How many deliveries of the store are queued ahead of one queued at `queuedAt` (with id `id`). */
export async function countQueuedAhead(db: Queryable, storeId: string, queuedAt: Date, id: string): Promise<number> {
  const rows: { ahead: string | number }[] = await db.query(
    `SELECT COUNT(*) AS ahead FROM deliveries WHERE store_id = ? AND status = 'QUEUED' AND (queued_at < ? OR (queued_at = ? AND id < ?))`,
    [storeId, queuedAt, queuedAt, id],
  );
  return Number(rows[0]?.ahead ?? 0);
}

/** Stores with deliveries waiting for a partner, and how many. */
export async function countQueuedByStore(db: Queryable): Promise<Map<string, number>> {
  const rows: { store_id: string; queued: string | number }[] = await db.query(
    "SELECT store_id, COUNT(*) AS queued FROM deliveries WHERE status = 'QUEUED' GROUP BY store_id",
  );
  return new Map(rows.map((r) => [r.store_id, Number(r.queued)]));
}

/** Offers not accepted since before `before`, oldest first. */
export async function findUnansweredOffers(db: Queryable, before: Date, limit: number): Promise<DeliveryRecord[]> {
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${COLUMNS} FROM deliveries WHERE status = 'ASSIGNED' AND assigned_at < ? ORDER BY assigned_at LIMIT ?`,
    [before, limit],
  );
  return rows.map(toDelivery);
}

/**
 * Mean minutes from assignment to hand-over of a store's last 50 deliveries, per store; absent
 * without history. Deliveries closed because their order was marked delivered are left out: their
 * time is the order's, not a ride's.
 */
export async function recentDeliveryMinutes(db: Queryable): Promise<Map<string, number>> {
  const rows: { store_id: string; minutes: string | number | null }[] = await db.query(
    `SELECT store_id, AVG(TIMESTAMPDIFF(SECOND, assigned_at, delivered_at)) / 60 AS minutes FROM (
       SELECT store_id, assigned_at, delivered_at,
              ROW_NUMBER() OVER (PARTITION BY store_id ORDER BY delivered_at DESC) AS recent
         FROM deliveries WHERE status = 'DELIVERED' AND ended_by_order = 0 AND delivered_at > NOW() - INTERVAL 1 DAY) latest
     WHERE recent <= 50 GROUP BY store_id`,
  );
  return new Map(rows.filter((r) => r.minutes !== null).map((r) => [r.store_id, Number(r.minutes)]));
}
