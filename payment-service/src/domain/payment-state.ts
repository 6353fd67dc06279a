/**
 * A payment's state machine, as pure decisions the use cases in payments.ts and refunds.ts act on.
 * Provider events can arrive late, twice or out of order; each decision looks at the state the
 * payment is in (locked by the caller), so a late event changes nothing it should not:
 *
 *   PENDING ──captured──► SUCCEEDED ──order cancelled──► refunded (refundedAmount = capturedAmount)
 *     ├──failed────────► FAILED ──captured anyway──► SUCCEEDED, refunded at once
 *     └──order cancelled► CANCELLED ──captured anyway──► SUCCEEDED, refunded at once
 *   PENDING_COLLECTION (cash on delivery) ──cash collected at the door──► SUCCEEDED
 *     └──order cancelled──► CANCELLED
 *
 * A `failed` after `succeeded` is ignored: the money was taken, and only a refund gives it back.
 */
export type PaymentStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'PENDING_COLLECTION';
export type PaymentMethod = 'WALLET' | 'CARD' | 'UPI' | 'COD';
export const PAYMENT_METHODS: readonly PaymentMethod[] = ['WALLET', 'CARD', 'UPI', 'COD'];

/** Paid through the provider (the customer confirms with it). */
export const isOnline = (method: PaymentMethod): method is 'CARD' | 'UPI' => method === 'CARD' || method === 'UPI';

/**
 * The provider captured the money. `complete`: the order is paid. `complete_and_refund`: money was
 * taken for an order that no longer wants it (cancelled, or its payment already reported failed),
 * so it is recorded and refunded in full. `ignore`: already recorded (a redelivery).
 */
export function decideCapture(status: PaymentStatus, orderCancelled: boolean): 'complete' | 'complete_and_refund' | 'ignore' {
  switch (status) {
    case 'PENDING':
      return orderCancelled ? 'complete_and_refund' : 'complete';
    case 'FAILED':
    case 'CANCELLED':
      return 'complete_and_refund';
    case 'SUCCEEDED':
    case 'PENDING_COLLECTION':
      return 'ignore';
  }
}

/**
 * The rider collected the cash of a cash-on-delivery order (delivery.completed's `codCollected`):
 * a payment waiting for collection is captured; any other state (already collected, cancelled) is
 * a redelivery or a late event.
 */
export function decideCollection(status: PaymentStatus): 'collect' | 'ignore' {
  return status === 'PENDING_COLLECTION' ? 'collect' : 'ignore';
}

/** The provider reports the payment failed: only a pending payment fails. */
export function decideFailure(status: PaymentStatus): 'fail' | 'ignore' {
  return status === 'PENDING' ? 'fail' : 'ignore';
}

/**
 * The order was cancelled: an unpaid payment is cancelled (a capture landing later is refunded),
 * what was captured and not yet refunded goes back.
 */
export function decideOrderCancelled(status: PaymentStatus, refundable: number): 'cancel' | 'refund' | 'ignore' {
  if (status === 'PENDING' || status === 'PENDING_COLLECTION') return 'cancel';
  if (status === 'SUCCEEDED' && refundable > 0) return 'refund';
  return 'ignore';
}

/** What is left to refund: captured less every refund sent or being sent. */
export const refundableOf = (payment: { capturedAmount: number; refundedAmount: number }): number =>
  payment.capturedAmount - payment.refundedAmount;
