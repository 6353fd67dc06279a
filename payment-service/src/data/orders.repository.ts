import type { Queryable, Tx } from '@qc/shared/db';
import type { PaymentMethod } from '../domain/payment-state';

/** What payment-service knows of an order, from order-service's events. */
export interface OrderRecord {
  id: string;
  userId: string;
  amount: number;
  currency: 'INR';
  method: PaymentMethod;
  status: string;
  correlationId: string | null;
}

const COLUMNS = 'id, user_id, amount, currency, method, status, correlation_id';

function toOrder(row: Record<string, unknown>): OrderRecord {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    amount: Number(row.amount),
    currency: 'INR',
    method: row.method as PaymentMethod,
    status: String(row.status),
    correlationId: row.correlation_id === null ? null : String(row.correlation_id),
  };
}

/** Records an order; false when it was already known (a second order.created for it). */
export async function insertOrder(tx: Tx, order: OrderRecord): Promise<boolean> {
  const result: { affectedRows: number } = await tx.query(
    `INSERT IGNORE INTO orders (id, user_id, amount, currency, method, status, correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [order.id, order.userId, order.amount, order.currency, order.method, order.status, order.correlationId],
  );
  return result.affectedRows === 1;
}

export async function findOrder(db: Queryable, orderId: string): Promise<OrderRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM orders WHERE id = ?`, [orderId]);
  return rows[0] && toOrder(rows[0]);
}

/** The order, locked: its status and its payment change together. */
export async function lockOrder(tx: Tx, orderId: string): Promise<OrderRecord | undefined> {
  const rows: Record<string, unknown>[] = await tx.query(`SELECT ${COLUMNS} FROM orders WHERE id = ? FOR UPDATE`, [orderId]);
  return rows[0] && toOrder(rows[0]);
}

export async function setOrderStatus(tx: Tx, orderId: string, status: string): Promise<void> {
  await tx.query('UPDATE orders SET status = ? WHERE id = ?', [status, orderId]);
}
