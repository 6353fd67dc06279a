import { isoTime, newId, type Queryable, type Tx } from '@qc/shared/db';

export type LedgerKind = 'TOPUP' | 'PAYMENT' | 'REFUND';

/** The ledger's accounts: each customer's wallet, the money that came in through a provider, and what orders were paid. */
export const ACCOUNTS = {
  wallet: (userId: string) => `wallet:${userId}`,
  provider: (name: string) => `provider:${name}`,
  orders: 'orders',
} as const;

export interface LedgerEntry {
  id: string;
  transactionId: string;
  account: string;
  amount: number;
  balanceAfter: number | null;
  kind: LedgerKind;
  reference: string;
  createdAt: string;
}

export async function walletBalance(db: Queryable, userId: string): Promise<number> {
  const rows: { balance: string }[] = await db.query('SELECT balance FROM wallets WHERE user_id = ?', [userId]);
  return rows[0] ? Number(rows[0].balance) : 0;
}

/**
 * Takes `amount` from the wallet if the balance covers it, in one statement: concurrent debits
 * queue on the row, and each sees the balance the one before it left. Returns the balance after,
 * or undefined when it does not cover the amount (nothing changed).
 */
export async function takeFromWallet(tx: Tx, userId: string, amount: number): Promise<number | undefined> {
  const result: { affectedRows: number } = await tx.query('UPDATE wallets SET balance = balance - ? WHERE user_id = ? AND balance >= ?', [
    amount,
    userId,
    amount,
  ]);
  if (result.affectedRows !== 1) return undefined;
  return walletBalance(tx, userId);
}

/** Adds `amount` to the wallet (opening it on its first credit); returns the balance after. */
export async function addToWallet(tx: Tx, userId: string, amount: number): Promise<number> {
  await tx.query(`INSERT INTO wallets (user_id, balance, currency) VALUES (?, ?, 'INR') ON DUPLICATE KEY UPDATE balance = balance + ?`, [
    userId,
    amount,
    amount,
  ]);
  return walletBalance(tx, userId);
}

export interface Posting {
  account: string;
  amount: number;
  balanceAfter?: number;
}

/**
 * Books one ledger transaction; its postings must add up to zero. The use cases book an action
 * once (they check the state of the payment, top-up or refund first); the unique (account, kind,
 * reference) makes a second booking fail the whole transaction rather than move money twice.
 */
export async function bookTransaction(tx: Tx, kind: LedgerKind, reference: string, postings: Posting[]): Promise<void> {
  if (postings.reduce((sum, p) => sum + p.amount, 0) !== 0) throw new Error(`ledger transaction ${kind} ${reference} does not balance`);
  const transactionId = newId();
  const rows = postings.map((p) => [newId(), transactionId, p.account, p.amount, p.balanceAfter ?? null, kind, reference]);
  await tx.query(
    `INSERT INTO ledger_entries (id, transaction_id, account, amount, balance_after, kind, reference) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    rows.flat(),
  );
}

function toEntry(row: Record<string, unknown>): LedgerEntry {
  return {
    id: String(row.id),
    transactionId: String(row.transaction_id),
    account: String(row.account),
    amount: Number(row.amount),
    balanceAfter: row.balance_after === null ? null : Number(row.balance_after),
    kind: row.kind as LedgerKind,
    reference: String(row.reference),
    createdAt: isoTime(row.created_at),
  };
}

/** An account's entries, newest first. */
export async function entriesOf(db: Queryable, account: string, limit: number): Promise<LedgerEntry[]> {
  const rows: Record<string, unknown>[] = await db.query(
    'SELECT id, transaction_id, account, amount, balance_after, kind, reference, created_at FROM ledger_entries WHERE account = ? ORDER BY id DESC LIMIT ?',
    [account, limit],
  );
  return rows.map(toEntry);
}
