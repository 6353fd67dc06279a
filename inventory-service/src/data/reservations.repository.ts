import type { DataSource, Tx } from '@qc/shared/db';

export type ReservationStatus = 'HELD' | 'COMMITTED' | 'RELEASED' | 'RETURNED' | 'EXPIRED' | 'FAILED' | 'VOIDED';

export interface ReservationLine {
  productId: string;
  quantity: number;
}

export interface ReservationRecord {
  id: string;
  orderId: string;
  storeId: string | null;
  status: ReservationStatus;
  expiresAt: Date | null;
  items: ReservationLine[];
  correlationId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = 'id, order_id, store_id, status, expires_at, correlation_id, created_at, updated_at';

function toReservation(row: Record<string, unknown>, items: ReservationLine[]): ReservationRecord {
  return {
    id: String(row.id),
    orderId: String(row.order_id),
    storeId: row.store_id === null ? null : String(row.store_id),
    status: row.status as ReservationStatus,
    expiresAt: (row.expires_at as Date | null) ?? null,
    items,
    correlationId: row.correlation_id === null ? null : String(row.correlation_id),
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

async function withLines(db: DataSource | Tx, rows: Record<string, unknown>[]): Promise<ReservationRecord[]> {
  if (rows.length === 0) return [];
  const lines: { reservation_id: string; product_id: string; quantity: number }[] = await db.query(
    'SELECT reservation_id, product_id, quantity FROM reservation_lines WHERE reservation_id IN (?) ORDER BY reservation_id, product_id',
    [rows.map((r) => r.id)],
  );
  const byReservation = new Map<string, ReservationLine[]>();
  for (const line of lines) {
    const items = byReservation.get(line.reservation_id) ?? [];
    items.push({ productId: line.product_id, quantity: Number(line.quantity) });
    byReservation.set(line.reservation_id, items);
  }
  return rows.map((row) => toReservation(row, byReservation.get(String(row.id)) ?? []));
}

/**
 * Inserts the reservation of an order; false when the order already has one (the unique order id
 * decides, so two deliveries of an order racing each other cannot both reserve). Insert first,
 * not look first: a `SELECT … FOR UPDATE` on a missing order id would take a gap lock, and
 * concurrent orders inserting into the same gap would deadlock each other.
 */
export async function insertReservation(tx: Tx, reservation: Omit<ReservationRecord, 'createdAt' | 'updatedAt'>): Promise<boolean> {
  try {
    await tx.query('INSERT INTO reservations (id, order_id, store_id, status, expires_at, correlation_id) VALUES (?, ?, ?, ?, ?, ?)', [
      reservation.id,
      reservation.orderId,
      reservation.storeId,
      reservation.status,
      reservation.expiresAt,
      reservation.correlationId,
    ]);
  } catch (err) {
    // A duplicate key fails only this statement; the transaction goes on.
    if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return false;
    throw err;
  }
  if (reservation.items.length > 0) {
    await tx.query(
      `INSERT INTO reservation_lines (reservation_id, product_id, quantity) VALUES ${reservation.items.map(() => '(?, ?, ?)').join(', ')}`,
      reservation.items.flatMap((i) => [reservation.id, i.productId, i.quantity]),
    );
  }
  return true;
}

/** Moves a reservation on; a failed one never held anything, so it has no expiry. */
export async function setReservationStatus(tx: Tx, id: string, status: ReservationStatus): Promise<void> {
  await tx.query(`UPDATE reservations SET status = ?, expires_at = IF(? = 'FAILED', NULL, expires_at) WHERE id = ?`, [status, status, id]);
}

/** The order's reservation, locked for a state transition. */
export async function lockReservationOfOrder(tx: Tx, orderId: string): Promise<ReservationRecord | undefined> {
  const rows: Record<string, unknown>[] = await tx.query(`SELECT ${COLUMNS} FROM reservations WHERE order_id = ? FOR UPDATE`, [orderId]);
  return (await withLines(tx, rows))[0];
}

/**
 * Held reservations past their expiry, locked for the sweeper. Candidates are found with a plain
 * read, then locked by primary key with `SKIP LOCKED`: replicas sweeping at once each take
 * different rows, a reservation a consumer is committing right now is left to it, and no gap
 * locks are taken on the due index that would hold up orders inserting new reservations.
 */
export async function lockDueReservations(tx: Tx, now: Date, limit: number): Promise<ReservationRecord[]> {
  const due: { id: string }[] = await tx.query(
    "SELECT id FROM reservations WHERE status = 'HELD' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
    [now, limit],
  );
  if (due.length === 0) return [];
  const rows: Record<string, unknown>[] = await tx.query(
    `SELECT ${COLUMNS} FROM reservations WHERE id IN (?) AND status = 'HELD' ORDER BY id FOR UPDATE SKIP LOCKED`,
    [due.map((r) => r.id)],
  );
  return withLines(tx, rows);
}

export async function findReservation(db: DataSource, id: string): Promise<ReservationRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM reservations WHERE id = ?`, [id]);
  return (await withLines(db, rows))[0];
}

export interface ReservationQuery {
  orderId?: string | undefined;
  storeId?: string | undefined;
  status?: ReservationStatus | undefined;
  /** Reservation id to continue after; newest first. */
  before?: string | undefined;
  limit: number;
}

export async function listReservations(db: DataSource, query: ReservationQuery): Promise<ReservationRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [column, value] of [
    ['order_id', query.orderId],
    ['store_id', query.storeId],
    ['status', query.status],
  ] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    params.push(value);
  }
  if (query.before !== undefined) {
    where.push('id < ?');
    params.push(query.before);
  }
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${COLUMNS} FROM reservations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    [...params, query.limit],
  );
  return withLines(db, rows);
}
