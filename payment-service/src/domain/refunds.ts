/**
 * Refunds: full or partial, to the method paid with or to the wallet, never more than was
 * captured. A refund reserves its amount on the payment (`refunded_amount`) in the transaction
 * that creates it, under the payment's row lock, so concurrent refund requests queue and each sees
 * what the ones before it took; the schema's CHECK backs that up.
 *
 * To the wallet (or to the original method of a wallet payment) a refund is a ledger transaction,
 * done at once. To a card or UPI it goes to the provider after the commit (never a network call
 * while a row is locked), under our refund id as the idempotency key; until the provider accepts
 * it the refund is PENDING and the refund sender retries it with backoff. A refund the provider
 * refuses is FAILED and its amount is released for another attempt.
 *
 *   PENDING ──provider accepted──► SUCCEEDED (payment.refunded)
 *      └────provider refused───► FAILED (amount released)
 */
import { newId, type Tx } from '@qc/shared/db';
import type { Emit } from '@qc/shared/events';
import { addRefunded, findPayment, lockPayment, type PaymentRecord } from '../data/payments.repository';
import {
  claimRefundAttempt,
  dueRefundIds,
  findRefund,
  insertRefund,
  lockRefund,
  recordRefundError,
  refundedTotal,
  settleRefund,
  type RefundDestination,
  type RefundRecord,
} from '../data/refunds.repository';
import { ACCOUNTS } from '../data/wallet.repository';
import type { PaymentContext } from './context';
import { inr, paymentEvent, type EventCause } from './events';
import { refundableOf } from './payment-state';
import { nothingToRefund, paymentNotFound, refundExceedsCaptured } from './payment.errors';
import { ProviderRefusal } from './provider';
import { creditWallet } from './wallet';

export type { RefundDestination, RefundRecord } from '../data/refunds.repository';

export interface RefundRequest {
  /** Paise; everything left to refund when absent. */
  amount?: number | undefined;
  destination: RefundDestination;
  reason: string;
  /** The admin's user id, or `system:<why>`. */
  requestedBy: string;
  cause?: EventCause;
}

/** Creates a refund of a payment the caller has locked; a wallet refund is done before this returns. */
export async function refundLockedPayment(tx: Tx, emit: Emit, payment: PaymentRecord, request: RefundRequest): Promise<RefundRecord> {
  const refundable = refundableOf(payment);
  if (payment.capturedAmount === 0) throw nothingToRefund(payment.status);
  const amount = request.amount ?? refundable;
  if (amount <= 0 || amount > refundable) throw refundExceedsCaptured(amount, refundable);

  const toWallet = request.destination === 'wallet' || payment.method === 'WALLET';
  const id = newId();
  const correlationId = request.cause?.causedBy?.correlationid ?? request.cause?.correlationId ?? null;
  await insertRefund(tx, {
    id,
    paymentId: payment.id,
    orderId: payment.orderId,
    userId: payment.userId,
    amount,
    currency: 'INR',
    destination: request.destination,
    status: toWallet ? 'SUCCEEDED' : 'PENDING',
    reason: request.reason,
    requestedBy: request.requestedBy,
    correlationId,
  });
  await addRefunded(tx, payment.id, amount);
  if (toWallet) {
    await creditWallet(tx, { userId: payment.userId, amount, kind: 'REFUND', reference: id, source: ACCOUNTS.orders });
    emitRefunded(emit, payment, { id, amount, destination: request.destination }, await refundedTotal(tx, payment.id), request.cause ?? {});
  }
  return (await findRefund(tx, id))!;
}

/** An admin's refund: locks the payment, refunds, and (card/UPI) sends it to the provider right away. */
export async function refundPayment(ctx: PaymentContext, paymentId: string, request: RefundRequest): Promise<RefundRecord> {
  const refund = await ctx.outbox.transaction(async (tx, emit) => {
    const payment = await lockPayment(tx, paymentId);
    if (!payment) throw paymentNotFound(paymentId);
    return refundLockedPayment(tx, emit, payment, request);
  });
  if (refund.status !== 'PENDING') return refund;
  await sendRefund(ctx, refund.id);
  return (await findRefund(ctx.db, refund.id))!;
}

/** Backoff between attempts to send a refund the provider did not take: 5 s, 10 s, 20 s … up to an hour. */
export function nextRefundAttemptAt(attempts: number, now: Date): Date {
  return new Date(now.getTime() + Math.min(3_600_000, 5_000 * 2 ** Math.max(0, attempts)));
}

/**
 * Sends one PENDING refund to the provider, if it is due and no one else is sending it. The claim
 * pushes its next attempt out first, so a sender that dies mid-call leaves it to be retried later,
 * under the same idempotency key. Returns what became of it.
 */
export async function sendRefund(
  ctx: PaymentContext,
  refundId: string,
  now = new Date(),
): Promise<'sent' | 'refused' | 'retry' | 'skipped'> {
  const refund = await findRefund(ctx.db, refundId);
  if (refund?.status !== 'PENDING') return 'skipped';
  if (!(await claimRefundAttempt(ctx.db, refundId, now, nextRefundAttemptAt(refund.attempts, now)))) return 'skipped';
  const payment = (await findPayment(ctx.db, refund.paymentId))!;
  let accepted: { providerRefundId: string };
  try {
    accepted = await ctx.provider.refund({ providerPaymentId: payment.providerPaymentId!, amount: refund.amount, refundId: refund.id });
  } catch (err) {
    if (err instanceof ProviderRefusal) {
      await ctx.outbox.transaction((tx) => failRefund(tx, refund.id));
      ctx.logger.error({ err, refundId, paymentId: payment.id }, 'the provider refused a refund; its amount is released');
      return 'refused';
    }
    await recordRefundError(ctx.db, refundId, err instanceof Error ? err.message : String(err));
    ctx.logger.warn({ err, refundId, attempt: refund.attempts + 1 }, 'refund not sent; will retry');
    return 'retry';
  }
  await ctx.outbox.transaction((tx, emit) => confirmRefund(tx, emit, refund.id, accepted.providerRefundId));
  return 'sent';
}

/** Sends every refund due now; returns how many were looked at. */
export async function sendDueRefunds(ctx: PaymentContext, now = new Date(), limit = 20): Promise<number> {
  const due = await dueRefundIds(ctx.db, now, limit);
  for (const id of due) await sendRefund(ctx, id, now);
  return due.length;
}

/** The provider took the refund (its answer, or its refund.succeeded webhook, whichever comes first). */
export async function confirmRefund(tx: Tx, emit: Emit, refundId: string, providerRefundId: string): Promise<'confirmed' | 'ignored'> {
  const refund = await lockRefund(tx, refundId);
  if (refund?.status !== 'PENDING') return 'ignored';
  const payment = (await lockPayment(tx, refund.paymentId))!;
  await settleRefund(tx, refund.id, 'SUCCEEDED', providerRefundId);
  emitRefunded(emit, payment, refund, await refundedTotal(tx, payment.id), { correlationId: refund.correlationId });
  return 'confirmed';
}

async function failRefund(tx: Tx, refundId: string): Promise<void> {
  const refund = await lockRefund(tx, refundId);
  if (refund?.status !== 'PENDING') return;
  await lockPayment(tx, refund.paymentId);
  await settleRefund(tx, refund.id, 'FAILED', null);
  await addRefunded(tx, refund.paymentId, -refund.amount);
}

function emitRefunded(
  emit: Emit,
  payment: PaymentRecord,
  refund: { id: string; amount: number; destination: RefundDestination },
  refundedTotal: number,
  cause: EventCause,
): void {
  emit(
    paymentEvent(
      'payment.refunded',
      {
        paymentId: payment.id,
        orderId: payment.orderId,
        refundId: refund.id,
        amount: inr(refund.amount),
        userId: payment.userId,
        destination: refund.destination,
        refundedTotal: inr(refundedTotal),
      },
      payment.orderId,
      cause,
    ),
  );
}
