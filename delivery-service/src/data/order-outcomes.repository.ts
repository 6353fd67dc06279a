import type { Queryable } from '@qc/shared/db';

/** How an order ended, as order-service announced it (order.completed, order.cancelled). */
export interface OrderOutcome {
  outcome: 'DELIVERED' | 'CANCELLED';
  reason: string | null;
  endedAt: Date;
}

/**
 * Locks the order's row, created on first use, and returns how the order ended, if it has. Taken
 * before any other lock by every writer for an order (its confirmation, its end), so they run one
 * after the other. Insert first: a locking read of a missing row would take a gap lock, and two of
 * those taken side by side deadlock on the inserts that follow. ON DUPLICATE KEY UPDATE takes the
 * existing row's exclusive lock at once, where an INSERT IGNORE would take a shared one first.
 */
export async function lockOrderOutcome(tx: Queryable, orderId: string): Promise<OrderOutcome | undefined> {
  await tx.query('INSERT INTO order_outcomes (order_id) VALUES (?) ON DUPLICATE KEY UPDATE order_id = order_id', [orderId]);
  const rows: { outcome: OrderOutcome['outcome'] | null; reason: string | null; ended_at: Date | null }[] = await tx.query(
    'SELECT outcome, reason, ended_at FROM order_outcomes WHERE order_id = ? FOR UPDATE',
    [orderId],
  );
  const row = rows[0];
  return row?.outcome ? { outcome: row.outcome, reason: row.reason, endedAt: row.ended_at! } : undefined;
}

/** Records how the order ended (its row locked); the first end told is kept. */
export async function recordOrderOutcome(tx: Queryable, orderId: string, ending: OrderOutcome): Promise<void> {
  await tx.query('UPDATE order_outcomes SET outcome = ?, reason = ?, ended_at = ? WHERE order_id = ? AND outcome IS NULL', [
    ending.outcome,
    ending.reason?.slice(0, 300) ?? null,
    ending.endedAt,
    orderId,
  ]);
}
