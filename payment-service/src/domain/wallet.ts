/**
 * The wallet: a double-entry ledger. Every movement is a ledger transaction whose entries add up
 * to zero (a top-up moves money from the provider's account into the customer's wallet, a
 * checkout from the wallet to `orders`, a refund back); a wallet's balance is the sum of its
 * account's entries, kept on the `wallets` row, which is UNSIGNED: it can never go below zero.
 * Debits queue on the wallet row, so any number of concurrent checkouts spend at most what is there.
 */
import { newId, type Queryable, type Tx } from '@qc/shared/db';
import type { Emit } from '@qc/shared/events';
import {
  ACCOUNTS,
  addToWallet,
  bookTransaction,
  entriesOf,
  takeFromWallet,
  walletBalance,
  type LedgerEntry,
  type LedgerKind,
} from '../data/wallet.repository';
import { findTopup, insertTopup, lockTopup, setTopupIntent, settleTopup, type TopupRecord } from '../data/topups.repository';
import type { PaymentContext } from './context';
import { inr, paymentEvent, type EventCause } from './events';
import { topupNotFound } from './payment.errors';
import type { ProviderIntent } from './provider';

export type { LedgerEntry } from '../data/wallet.repository';
export type { TopupRecord } from '../data/topups.repository';

export interface WalletView {
  userId: string;
  balance: number;
  entries: LedgerEntry[];
}

export async function walletOf(db: Queryable, userId: string, recent = 20): Promise<WalletView> {
  const [balance, entries] = await Promise.all([walletBalance(db, userId), entriesOf(db, ACCOUNTS.wallet(userId), recent)]);
  return { userId, balance, entries };
}

/** Pays an order from the wallet: the balance after, or undefined when it does not cover the amount (nothing moved). */
export async function debitWallet(tx: Tx, userId: string, amount: number, paymentId: string): Promise<number | undefined> {
  const balanceAfter = await takeFromWallet(tx, userId, amount);
  if (balanceAfter === undefined) return undefined;
  await bookTransaction(tx, 'PAYMENT', paymentId, [
    { account: ACCOUNTS.wallet(userId), amount: -amount, balanceAfter },
    { account: ACCOUNTS.orders, amount },
  ]);
  return balanceAfter;
}

/** Puts money into a wallet from `source` (the provider for a top-up, `orders` for a refund); the balance after. */
export async function creditWallet(
  tx: Tx,
  credit: { userId: string; amount: number; kind: Extract<LedgerKind, 'TOPUP' | 'REFUND'>; reference: string; source: string },
): Promise<number> {
  const balanceAfter = await addToWallet(tx, credit.userId, credit.amount);
  await bookTransaction(tx, credit.kind, credit.reference, [
    { account: ACCOUNTS.wallet(credit.userId), amount: credit.amount, balanceAfter },
    { account: credit.source, amount: -credit.amount },
  ]);
  return balanceAfter;
}

export interface StartedTopup {
  topup: TopupRecord;
  intent: ProviderIntent;
}

/**
 * Starts a top-up: our record first, then the provider's payment intent under an idempotency key
 * made from it, so a retry of a call that timed out finds the same intent instead of a second charge.
 * The wallet is credited when the provider's webhook says the money was captured.
 */
export async function startTopup(ctx: PaymentContext, userId: string, amount: number): Promise<StartedTopup> {
  const id = newId();
  await insertTopup(ctx.db, { id, userId, amount, provider: ctx.provider.name });
  const intent = await ctx.provider.createIntent({
    amount,
    currency: 'INR',
    reference: { kind: 'topup', id },
    idempotencyKey: `topup:${id}`,
  });
  await setTopupIntent(ctx.db, id, intent.providerPaymentId, intent.clientSecret);
  return { topup: (await findTopup(ctx.db, id))!, intent };
}

/** The provider captured a top-up: the wallet is credited once, whatever number of times the event comes. */
export async function completeTopup(
  tx: Tx,
  emit: Emit,
  topupId: string,
  captured: number,
  cause: EventCause = {},
): Promise<'credited' | 'ignored'> {
  const topup = await lockTopup(tx, topupId);
  if (!topup) throw topupNotFound(topupId);
  if (topup.status === 'SUCCEEDED') return 'ignored';
  // A capture after a reported failure still took the customer's money: it goes into the wallet.
  const balance = await creditWallet(tx, {
    userId: topup.userId,
    amount: captured,
    kind: 'TOPUP',
    reference: topup.id,
    source: ACCOUNTS.provider(topup.provider),
  });
  await settleTopup(tx, topup.id, 'SUCCEEDED');
  emit(paymentEvent('wallet.topup', { userId: topup.userId, amount: inr(captured), balance: inr(balance) }, topup.userId, cause));
  return 'credited';
}

export async function failTopup(tx: Tx, topupId: string, reason: string): Promise<'failed' | 'ignored'> {
  const topup = await lockTopup(tx, topupId);
  if (!topup) throw topupNotFound(topupId);
  if (topup.status !== 'PENDING') return 'ignored';
  await settleTopup(tx, topup.id, 'FAILED', reason);
  return 'failed';
}
