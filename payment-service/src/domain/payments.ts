/**
 * Payments of orders (DESIGN §5): payment-service follows each order through order-service's
 * events (or, for a customer paying before those events reach us, reads it from order-service and
 * records it the way the events would) and pays it the way the customer chose. WALLET is debited
 * when the order starts waiting for payment; CARD and UPI go through the provider (the customer
 * confirms there, the provider's webhook tells us); COD is recorded as waiting for collection. Each transition locks the payment
 * and decides from its state (payment-state.ts), so late, repeated or out-of-order events change
 * nothing they should not.
 */
import { newId, type Tx } from '@qc/shared/db';
import type { CloudEvent, Emit, EventData } from '@qc/shared/events';
import { findOrder, insertOrder, lockOrder, setOrderStatus, type OrderRecord } from '../data/orders.repository';
import {
  findPayment,
  findPaymentOfOrder,
  insertPayment,
  lockPayment,
  lockPaymentOfOrder,
  setPaymentStatus,
  setProviderIntent,
  type PaymentRecord,
} from '../data/payments.repository';
import type { PaymentContext } from './context';
import { inr, paymentEvent, type EventCause } from './events';
import {
  PAYMENT_METHODS,
  decideCapture,
  decideCollection,
  decideFailure,
  decideOrderCancelled,
  isOnline,
  refundableOf,
  type PaymentMethod,
} from './payment-state';
import { notPaidOnline, orderNotAwaitingPayment, orderNotFound, paymentAlreadySettled, paymentNotFound } from './payment.errors';
import { refundLockedPayment } from './refunds';
import { debitWallet } from './wallet';

export type { OrderRecord } from '../data/orders.repository';
export type { PaymentRecord } from '../data/payments.repository';

/** The reason payment.failed carries when the wallet does not cover the order. */
export const INSUFFICIENT_BALANCE = 'INSUFFICIENT_BALANCE';

const SYSTEM = { orderCancelled: 'system:order_cancelled', lateCapture: 'system:captured_after_cancel' } as const;

/**
 * order.created: remember the order (who pays, how much, how). A cash-on-delivery order gets its
 * payment record at once, waiting for collection; nothing is emitted (order-service confirms COD).
 */
export async function recordOrder(
  tx: Tx,
  data: Pick<EventData<'order.created'>, 'orderId' | 'userId' | 'total' | 'paymentMethod'>,
  causedBy?: CloudEvent,
): Promise<'recorded' | 'duplicate' | 'unknown_method'> {
  const method = data.paymentMethod as PaymentMethod;
  if (!PAYMENT_METHODS.includes(method)) return 'unknown_method';
  const order: OrderRecord = {
    id: data.orderId,
    userId: data.userId,
    amount: data.total.amount,
    currency: 'INR',
    method,
    status: 'PENDING',
    correlationId: causedBy?.correlationid ?? null,
  };
  if (!(await insertOrder(tx, order))) return 'duplicate';
  if (method === 'COD') {
    await insertPayment(tx, {
      id: newId(),
      orderId: order.id,
      userId: order.userId,
      method,
      status: 'PENDING_COLLECTION',
      amount: order.amount,
      provider: null,
    });
  }
  return 'recorded';
}

export type WalletOutcome = 'paid' | 'insufficient_balance' | 'already_paid' | 'not_wallet' | 'unknown_order';

/** order.updated: follow the order's status; an order now waiting for payment by WALLET is paid at once. */
export async function followOrderUpdated(
  tx: Tx,
  emit: Emit,
  data: EventData<'order.updated'>,
  causedBy?: CloudEvent,
): Promise<WalletOutcome | 'followed'> {
  const order = await lockOrder(tx, data.orderId);
  if (!order) return 'unknown_order';
  // A cancellation is final here: an order.updated that was overtaken by it does not revive the order.
  if (order.status === 'CANCELLED') return 'followed';
  await setOrderStatus(tx, order.id, data.status);
  if (data.status !== 'AWAITING_PAYMENT') return 'followed';
  return payFromWallet(tx, emit, order, { causedBy });
}

/**
 * Pays an order from its customer's wallet, once: the payment row (unique per order) is inserted
 * first, so a second attempt finds it and changes nothing. Enough balance → SUCCEEDED and
 * payment.completed; not enough → FAILED and payment.failed (INSUFFICIENT_BALANCE), nothing taken.
 */
export async function payFromWallet(tx: Tx, emit: Emit, order: OrderRecord, cause: EventCause = {}): Promise<WalletOutcome> {
  if (order.method !== 'WALLET') return 'not_wallet';
  const paymentId = newId();
  const inserted = await insertPayment(tx, {
    id: paymentId,
    orderId: order.id,
    userId: order.userId,
    method: 'WALLET',
    status: 'PENDING',
    amount: order.amount,
    provider: null,
  });
  if (!inserted) return 'already_paid';
  const balance = await debitWallet(tx, order.userId, order.amount, paymentId);
  const base = { paymentId, orderId: order.id, method: 'WALLET', userId: order.userId };
  if (balance === undefined) {
    await setPaymentStatus(tx, paymentId, 'FAILED', { failureReason: INSUFFICIENT_BALANCE });
    emit(paymentEvent('payment.failed', { ...base, reason: INSUFFICIENT_BALANCE }, order.id, cause));
    return 'insufficient_balance';
  }
  await setPaymentStatus(tx, paymentId, 'SUCCEEDED', { captured: order.amount });
  emit(paymentEvent('payment.completed', { ...base, amount: inr(order.amount) }, order.id, cause));
  return 'paid';
}

/**
 * order.cancelled: an unpaid payment is cancelled (a capture that lands later is refunded);
 * whatever was captured and not yet refunded goes back to where it came from. Our own record of
 * the money decides, not the event's `paid`: a capture order-service had not heard of yet is refunded too.
 */
export async function followOrderCancelled(
  tx: Tx,
  emit: Emit,
  data: EventData<'order.cancelled'>,
  causedBy?: CloudEvent,
): Promise<'cancelled' | 'refunded' | 'ignored' | 'unknown_order'> {
  const order = await lockOrder(tx, data.orderId);
  if (!order) return 'unknown_order';
  await setOrderStatus(tx, order.id, 'CANCELLED');
  const payment = await lockPaymentOfOrder(tx, order.id);
  if (!payment) return 'ignored';
  switch (decideOrderCancelled(payment.status, refundableOf(payment))) {
    case 'cancel':
      await setPaymentStatus(tx, payment.id, 'CANCELLED');
      return 'cancelled';
    case 'refund':
      await refundLockedPayment(tx, emit, payment, {
        destination: 'original',
        reason: `order cancelled: ${data.reason}`,
        requestedBy: SYSTEM.orderCancelled,
        cause: { causedBy },
      });
      return 'refunded';
    case 'ignore':
      return 'ignored';
  }
}

/**
 * delivery.completed with `codCollected`: the rider took the cash at the door, so the COD payment
 * is captured for what was collected (delivery-service refuses a hand-over whose cash differs from
 * the order's) and payment.completed says so with method COD. order-service, whose COD order is
 * already confirmed or delivered, changes nothing on it; the money is now refundable like any other.
 */
export async function collectCash(
  tx: Tx,
  emit: Emit,
  collection: { orderId: string; collected: number },
  causedBy?: CloudEvent,
): Promise<'collected' | 'ignored' | 'unknown_payment'> {
  const payment = await lockPaymentOfOrder(tx, collection.orderId);
  if (!payment || payment.method !== 'COD') return 'unknown_payment';
  if (decideCollection(payment.status) === 'ignore') return 'ignored';
  await setPaymentStatus(tx, payment.id, 'SUCCEEDED', { captured: collection.collected });
  emit(
    paymentEvent(
      'payment.completed',
      { paymentId: payment.id, orderId: payment.orderId, amount: inr(collection.collected), method: 'COD', userId: payment.userId },
      payment.orderId,
      { causedBy },
    ),
  );
  return 'collected';
}

export interface OnlinePayment {
  payment: PaymentRecord;
  /** False when the order already had this payment (another request made it). */
  created: boolean;
}

/** Who starts a payment: the customer, and their `Authorization` to read their order from order-service with. */
export interface Payer {
  userId: string;
  authorization: string;
}

/**
 * The customer starts paying an order by card or UPI: the payment (one per order), then the
 * provider's intent under an idempotency key made from the payment id, so however often this is
 * retried (a timeout, two taps) the provider holds one intent and can charge only once. The
 * customer's app then confirms it with the provider; its webhook settles the payment.
 */
export async function startOnlinePayment(ctx: PaymentContext, payer: Payer, orderId: string): Promise<OnlinePayment> {
  const { userId } = payer;
  const known = await findOrder(ctx.db, orderId);
  if (known && known.userId !== userId) throw orderNotFound(orderId);
  // Not known yet, or known only as placed: order-service's events are on their way, so ask it.
  const order = !known || known.status === 'PENDING' ? await learnOrderAwaitingPayment(ctx, payer, orderId) : known;
  if (!order) throw orderNotFound(orderId);
  if (!isOnline(order.method)) throw notPaidOnline(order.method);
  const existing = await findPaymentOfOrder(ctx.db, orderId);
  if (existing && existing.status !== 'PENDING') throw paymentAlreadySettled(existing.status);
  if (order.status !== 'AWAITING_PAYMENT') throw orderNotAwaitingPayment(order.status);
  const created = existing
    ? false
    : await insertPayment(ctx.db, {
        id: newId(),
        orderId,
        userId,
        method: order.method,
        status: 'PENDING',
        amount: order.amount,
        provider: ctx.provider.name,
      });
  const payment = (await findPaymentOfOrder(ctx.db, orderId))!;
  if (payment.providerPaymentId) return { payment, created };

  const intent = await ctx.provider.createIntent({
    amount: payment.amount,
    currency: 'INR',
    method: order.method,
    reference: { kind: 'payment', id: payment.id },
    idempotencyKey: `payment:${payment.id}`,
  });
  await ctx.outbox.transaction(async (tx, emit) => {
    const locked = (await lockPayment(tx, payment.id))!;
    if (locked.providerPaymentId) return; // a concurrent request got there first, with the same intent
    await setProviderIntent(tx, payment.id, intent.providerPaymentId, intent.clientSecret);
    emit(
      paymentEvent(
        'payment.initiated',
        { paymentId: payment.id, orderId, amount: inr(payment.amount), method: payment.method, userId },
        orderId,
        { correlationId: order.correlationId },
      ),
    );
  });
  return { payment: (await findPayment(ctx.db, payment.id))!, created };
}

/**
 * Reads the order from order-service with the payer's own token and, when it is theirs, paid by
 * card or UPI and awaiting payment, records it as order.created and order.updated(AWAITING_PAYMENT)
 * would have: the same functions in one transaction, so the events arriving later (or racing this)
 * find it recorded and change nothing. Undefined when order-service shows no such order of the
 * payer's; an order it shows in any other state or paid another way is refused here, recording
 * nothing (its events will tell us).
 */
async function learnOrderAwaitingPayment(ctx: PaymentContext, payer: Payer, orderId: string): Promise<OrderRecord | undefined> {
  const current = await ctx.orders.orderOf(orderId, payer.authorization);
  if (!current || current.userId !== payer.userId) return undefined;
  const { paymentMethod: method, status } = current;
  if (method !== 'CARD' && method !== 'UPI') throw notPaidOnline(method);
  if (status !== 'AWAITING_PAYMENT') throw orderNotAwaitingPayment(status);
  await ctx.outbox.transaction(async (tx, emit) => {
    await recordOrder(tx, { orderId, userId: current.userId, total: inr(current.total), paymentMethod: method });
    await followOrderUpdated(tx, emit, { orderId, status });
  });
  ctx.logger.info({ orderId }, 'order read from order-service ahead of its events');
  // As recorded now: a cancellation that got here first stays (followOrderUpdated never revives one).
  return findOrder(ctx.db, orderId);
}

/**
 * The provider captured a payment (its webhook). The order is paid: payment.completed. Captured
 * for an order that was cancelled meanwhile, or after the payment was reported failed: recorded,
 * announced, and refunded in full at once (every paid order completes or is refunded).
 */
export async function capturePayment(
  tx: Tx,
  emit: Emit,
  paymentId: string,
  captured: number,
): Promise<'completed' | 'refunded' | 'ignored'> {
  const payment = await lockPayment(tx, paymentId);
  if (!payment) throw paymentNotFound(paymentId);
  const order = await findOrder(tx, payment.orderId);
  const cause: EventCause = { correlationId: order?.correlationId };
  const decision = decideCapture(payment.status, order?.status === 'CANCELLED');
  if (decision === 'ignore') return 'ignored';
  await setPaymentStatus(tx, payment.id, 'SUCCEEDED', { captured });
  emit(
    paymentEvent(
      'payment.completed',
      { paymentId: payment.id, orderId: payment.orderId, amount: inr(captured), method: payment.method, userId: payment.userId },
      payment.orderId,
      cause,
    ),
  );
  if (decision === 'complete') return 'completed';
  const settled = (await lockPayment(tx, payment.id))!;
  await refundLockedPayment(tx, emit, settled, {
    destination: 'original',
    reason: 'captured after the order was cancelled or failed',
    requestedBy: SYSTEM.lateCapture,
    cause,
  });
  return 'refunded';
}

/** The provider reports the payment failed: payment.failed, unless it was already settled (a late event). */
export async function failPayment(tx: Tx, emit: Emit, paymentId: string, reason: string): Promise<'failed' | 'ignored'> {
  const payment = await lockPayment(tx, paymentId);
  if (!payment) throw paymentNotFound(paymentId);
  if (decideFailure(payment.status) === 'ignore') return 'ignored';
  const order = await findOrder(tx, payment.orderId);
  await setPaymentStatus(tx, payment.id, 'FAILED', { failureReason: reason });
  emit(
    paymentEvent(
      'payment.failed',
      { paymentId: payment.id, orderId: payment.orderId, reason, method: payment.method, userId: payment.userId },
      payment.orderId,
      { correlationId: order?.correlationId },
    ),
  );
  return 'failed';
}
