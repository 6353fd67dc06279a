import type { DataSource, Tx } from '@qc/shared/db';

/** One row of the movement ledger: every change of on-hand stock, with why and by whom. */
export interface MovementRecord {
  id: string;
  storeId: string;
  productId: string;
  delta: number;
  reason: string;
  note: string | null;
  /** The admin's user id, or `system:<what>` for changes the service makes itself. */
  actor: string;
  orderId: string | null;
  onHandAfter: number;
  createdAt: Date;
}

export async function insertMovement(tx: Tx, movement: Omit<MovementRecord, 'createdAt'>): Promise<void> {
  await tx.query(
    `INSERT INTO stock_movements (id, store_id, product_id, delta, reason, note, actor, order_id, on_hand_after)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      movement.id,
      movement.storeId,
      movement.productId,
      movement.delta,
      movement.reason,
      movement.note,
      movement.actor,
      movement.orderId,
      movement.onHandAfter,
    ],
  );
}

export interface MovementQuery {
  storeId: string;
  productId?: string | undefined;
  /** Movement id to continue after (UUIDv7: newest first means ids below it). */
  before?: string | undefined;
  limit: number;
}

/** Newest first. */
export async function listMovements(db: DataSource, query: MovementQuery): Promise<MovementRecord[]> {
  const where = ['store_id = ?'];
  const params: unknown[] = [query.storeId];
  if (query.productId !== undefined) {
    where.push('product_id = ?');
    params.push(query.productId);
  }
  if (query.before !== undefined) {
    where.push('id < ?');
    params.push(query.before);
  }
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT id, store_id, product_id, delta, reason, note, actor, order_id, on_hand_after, created_at FROM stock_movements
     WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
    [...params, query.limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    storeId: String(r.store_id),
    productId: String(r.product_id),
    delta: Number(r.delta),
    reason: String(r.reason),
    note: r.note === null ? null : String(r.note),
    actor: String(r.actor),
    orderId: r.order_id === null ? null : String(r.order_id),
    onHandAfter: Number(r.on_hand_after),
    createdAt: r.created_at as Date,
  }));
}
