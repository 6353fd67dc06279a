import { isoTime, type Queryable, type Tx } from '@qc/shared/db';

export type RefundStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';
export type RefundDestination = 'original' | 'wallet';

export interface RefundRecord {
  id: string;
  paymentId: string;
  orderId: string;
  userId: string;
  amount: number;
  currency: 'INR';
  destination: RefundDestination;
  status: RefundStatus;
  reason: string;
  requestedBy: string;
  providerRefundId: string | null;
  attempts: number;
  correlationId: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS =
  'id, payment_id, order_id, user_id, amount, currency, destination, status, reason, requested_by, provider_refund_id, attempts, correlation_id, created_at, updated_at';

function toRefund(row: Record<string, unknown>): RefundRecord {
  return {
    id: String(row.id),
    paymentId: String(row.payment_id),
    orderId: String(row.order_id),
    userId: String(row.user_id),
    amount: Number(row.amount),
    currency: 'INR',
    destination: row.destination as RefundDestination,
    status: row.status as RefundStatus,
    reason: String(row.reason),
    requestedBy: String(row.requested_by),
    providerRefundId: row.provider_refund_id === null ? null : String(row.provider_refund_id),
    attempts: Number(row.attempts),
    correlationId: row.correlation_id === null ? null : String(row.correlation_id),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

export type NewRefund = Omit<RefundRecord, 'providerRefundId' | 'attempts' | 'createdAt' | 'updatedAt'>;

/** A PENDING refund is due at once (`next_attempt_at` now); others are not sent at all. */
export async function insertRefund(tx: Tx, refund: NewRefund): Promise<void> {
  await tx.query(
    `INSERT INTO refunds (id, payment_id, order_id, user_id, amount, currency, destination, status, reason, requested_by, correlation_id, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, IF(? = 'PENDING', CURRENT_TIMESTAMP(3), NULL))`,
    [
      refund.id,
      refund.paymentId,
      refund.orderId,
      refund.userId,
      refund.amount,
      refund.currency,
      refund.destination,
      refund.status,
      refund.reason,
      refund.requestedBy,
      refund.correlationId,
      refund.status,
    ],
  );
}

export async function findRefund(db: Queryable, refundId: string): Promise<RefundRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM refunds WHERE id = ?`, [refundId]);
  return rows[0] && toRefund(rows[0]);
}

export async function lockRefund(tx: Tx, refundId: string): Promise<RefundRecord | undefined> {
  const rows: Record<string, unknown>[] = await tx.query(`SELECT ${COLUMNS} FROM refunds WHERE id = ? FOR UPDATE`, [refundId]);
  return rows[0] && toRefund(rows[0]);
}

export async function refundsOfPayment(db: Queryable, paymentId: string): Promise<RefundRecord[]> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM refunds WHERE payment_id = ? ORDER BY id`, [paymentId]);
  return rows.map(toRefund);
}

/** PENDING refunds whose next attempt is due, oldest first (a plain read: the sender locks each one). */
export async function dueRefundIds(db: Queryable, now: Date, limit: number): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    "SELECT id FROM refunds WHERE status = 'PENDING' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
    [now, limit],
  );
  return rows.map((r) => r.id);
}

/** Claims a due refund for one sender: pushes its next attempt out, so another replica leaves it alone meanwhile. */
export async function claimRefundAttempt(db: Queryable, refundId: string, now: Date, retryAt: Date): Promise<boolean> {
  const result: { affectedRows: number } = await db.query(
    "UPDATE refunds SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ? AND status = 'PENDING' AND next_attempt_at <= ?",
    [retryAt, refundId, now],
  );
  return result.affectedRows === 1;
}

export async function recordRefundError(db: Queryable, refundId: string, error: string): Promise<void> {
  await db.query('UPDATE refunds SET last_error = ? WHERE id = ?', [error.slice(0, 500), refundId]);
}

export async function settleRefund(
  tx: Tx,
  refundId: string,
  status: 'SUCCEEDED' | 'FAILED',
  providerRefundId: string | null,
): Promise<void> {
  await tx.query(
    'UPDATE refunds SET status = ?, provider_refund_id = COALESCE(?, provider_refund_id), next_attempt_at = NULL WHERE id = ?',
    [status, providerRefundId, refundId],
  );
}

/** What the provider (or the wallet) has given back of a payment so far. */
export async function refundedTotal(db: Queryable, paymentId: string): Promise<number> {
  const rows: { total: string }[] = await db.query(
    "SELECT COALESCE(SUM(amount), 0) AS total FROM refunds WHERE payment_id = ? AND status = 'SUCCEEDED'",
    [paymentId],
  );
  return Number(rows[0]?.total ?? 0);
}
