import { isoTime, type Queryable, type Tx } from '@qc/shared/db';

export type TopupStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface TopupRecord {
  id: string;
  userId: string;
  amount: number;
  currency: 'INR';
  status: TopupStatus;
  provider: string;
  providerPaymentId: string | null;
  clientSecret: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS =
  'id, user_id, amount, currency, status, provider, provider_payment_id, client_secret, failure_reason, created_at, updated_at';

function toTopup(row: Record<string, unknown>): TopupRecord {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    amount: Number(row.amount),
    currency: 'INR',
    status: row.status as TopupStatus,
    provider: String(row.provider),
    providerPaymentId: row.provider_payment_id === null ? null : String(row.provider_payment_id),
    clientSecret: row.client_secret === null ? null : String(row.client_secret),
    failureReason: row.failure_reason === null ? null : String(row.failure_reason),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

export async function insertTopup(db: Queryable, topup: { id: string; userId: string; amount: number; provider: string }): Promise<void> {
  await db.query(`INSERT INTO topups (id, user_id, amount, currency, status, provider) VALUES (?, ?, ?, 'INR', 'PENDING', ?)`, [
    topup.id,
    topup.userId,
    topup.amount,
    topup.provider,
  ]);
}

export async function findTopup(db: Queryable, topupId: string): Promise<TopupRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM topups WHERE id = ?`, [topupId]);
  return rows[0] && toTopup(rows[0]);
}

export async function lockTopup(tx: Tx, topupId: string): Promise<TopupRecord | undefined> {
  const rows: Record<string, unknown>[] = await tx.query(`SELECT ${COLUMNS} FROM topups WHERE id = ? FOR UPDATE`, [topupId]);
  return rows[0] && toTopup(rows[0]);
}

export async function setTopupIntent(db: Queryable, topupId: string, providerPaymentId: string, clientSecret: string): Promise<void> {
  await db.query('UPDATE topups SET provider_payment_id = ?, client_secret = ? WHERE id = ?', [providerPaymentId, clientSecret, topupId]);
}

export async function settleTopup(
  tx: Tx,
  topupId: string,
  status: 'SUCCEEDED' | 'FAILED',
  failureReason: string | null = null,
): Promise<void> {
  await tx.query('UPDATE topups SET status = ?, failure_reason = ? WHERE id = ?', [status, failureReason, topupId]);
}
