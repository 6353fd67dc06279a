import { isoTime, type Queryable, type Tx } from '@qc/shared/db';
import type { PaymentMethod, PaymentStatus } from '../domain/payment-state';

export interface PaymentRecord {
  id: string;
  orderId: string;
  userId: string;
  method: PaymentMethod;
  status: PaymentStatus;
  amount: number;
  currency: 'INR';
  capturedAmount: number;
  refundedAmount: number;
  provider: string | null;
  providerPaymentId: string | null;
  clientSecret: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS =
  'id, order_id, user_id, method, status, amount, currency, captured_amount, refunded_amount, provider, provider_payment_id, client_secret, failure_reason, created_at, updated_at';

const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

function toPayment(row: Record<string, unknown>): PaymentRecord {
  return {
    id: String(row.id),
    orderId: String(row.order_id),
    userId: String(row.user_id),
    method: row.method as PaymentMethod,
    status: row.status as PaymentStatus,
    amount: Number(row.amount),
    currency: 'INR',
    capturedAmount: Number(row.captured_amount),
    refundedAmount: Number(row.refunded_amount),
    provider: text(row.provider),
    providerPaymentId: text(row.provider_payment_id),
    clientSecret: text(row.client_secret),
    failureReason: text(row.failure_reason),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

export interface NewPayment {
  id: string;
  orderId: string;
  userId: string;
  method: PaymentMethod;
  status: PaymentStatus;
  amount: number;
  provider: string | null;
}

/** Inserts the order's payment; false when the order already has one (the unique order id decides). */
export async function insertPayment(db: Queryable, payment: NewPayment): Promise<boolean> {
  const result: { affectedRows: number } = await db.query(
    `INSERT IGNORE INTO payments (id, order_id, user_id, method, status, amount, currency, provider) VALUES (?, ?, ?, ?, ?, ?, 'INR', ?)`,
    [payment.id, payment.orderId, payment.userId, payment.method, payment.status, payment.amount, payment.provider],
  );
  return result.affectedRows === 1;
}

export async function findPayment(db: Queryable, paymentId: string): Promise<PaymentRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM payments WHERE id = ?`, [paymentId]);
  return rows[0] && toPayment(rows[0]);
}

export async function findPaymentOfOrder(db: Queryable, orderId: string): Promise<PaymentRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM payments WHERE order_id = ?`, [orderId]);
  return rows[0] && toPayment(rows[0]);
}

/** The payment, locked for a state change: events about it and refunds of it queue on this lock. */
export async function lockPayment(tx: Tx, paymentId: string): Promise<PaymentRecord | undefined> {
  const rows: Record<string, unknown>[] = await tx.query(`SELECT ${COLUMNS} FROM payments WHERE id = ? FOR UPDATE`, [paymentId]);
  return rows[0] && toPayment(rows[0]);
}

export async function lockPaymentOfOrder(tx: Tx, orderId: string): Promise<PaymentRecord | undefined> {
  const rows: Record<string, unknown>[] = await tx.query(`SELECT ${COLUMNS} FROM payments WHERE order_id = ? FOR UPDATE`, [orderId]);
  return rows[0] && toPayment(rows[0]);
}

export async function setProviderIntent(tx: Tx, paymentId: string, providerPaymentId: string, clientSecret: string): Promise<void> {
  await tx.query('UPDATE payments SET provider_payment_id = ?, client_secret = ? WHERE id = ?', [
    providerPaymentId,
    clientSecret,
    paymentId,
  ]);
}

/** Moves a payment on; `captured` records what the provider (or the wallet) took. */
export async function setPaymentStatus(
  tx: Tx,
  paymentId: string,
  status: PaymentStatus,
  change: { captured?: number; failureReason?: string } = {},
): Promise<void> {
  await tx.query(
    `UPDATE payments SET status = ?, captured_amount = COALESCE(?, captured_amount), failure_reason = COALESCE(?, failure_reason) WHERE id = ?`,
    [status, change.captured ?? null, change.failureReason ?? null, paymentId],
  );
}

/** Adds to (or, for a refund the provider refused, takes back from) what is refunded; the CHECK keeps it within captured. */
export async function addRefunded(tx: Tx, paymentId: string, amount: number): Promise<void> {
  await tx.query('UPDATE payments SET refunded_amount = refunded_amount + ? WHERE id = ?', [amount, paymentId]);
}
