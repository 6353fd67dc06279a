/**
 * The order's state transitions, each a function that checks the move (order-state.ts), writes the
 * new state with a status-history row and a version bump, and emits the event that says so, all in
 * the caller's transaction (the outbox's). The order row is locked first, so a customer's cancel
 * and a saga event racing for one order run one after the other and the second sees the first.
 *
 * Saga steps (from events) return 'ignored' when the order is not where the event expects it: a
 * late, duplicated or out-of-order event changes nothing. Commands (from people) throw a 409.
 */
import type { Tx } from '@qc/shared/db';
import type { CloudEvent, Emit } from '@qc/shared/events';
import { releaseRedemption } from '../data/coupons.repository';
import { insertStatusChange, lockOrder, updateOrder, type OrderChanges, type OrderRecord } from '../data/orders.repository';
import type { OrderContext } from './context';
import { orderEvent } from './events';
import { orderChanged, orderNotFound } from './order.errors';
import { assertMove, type CancellationReason, type OrderStatus } from './order-state';

/** Who moved an order: a person's user id, or the service whose event did. */
export const SYSTEM_ACTORS = {
  inventory: 'system:inventory-service',
  payment: 'system:payment-service',
  delivery: 'system:delivery-service',
} as const;

export type StepOutcome =
  { outcome: 'moved'; status: OrderStatus } | { outcome: 'recorded' } | { outcome: 'ignored'; status: OrderStatus | 'NONE' };

interface Move {
  actor: string;
  reason?: string | null | undefined;
  changes?: OrderChanges;
  causedBy?: CloudEvent | undefined;
}

const money = (amount: number) => ({ amount, currency: 'INR' as const });

async function move(tx: Tx, order: OrderRecord, to: OrderStatus, { actor, reason, changes }: Move): Promise<void> {
  await updateOrder(tx, order.id, { ...changes, status: to });
  await insertStatusChange(tx, order.id, { status: to, actor, reason: reason ?? null });
  order.status = to;
}

async function confirm(tx: Tx, emit: Emit, order: OrderRecord, step: Move): Promise<void> {
  await move(tx, order, 'CONFIRMED', step);
  emit(
    orderEvent(
      'order.confirmed',
      {
        orderId: order.id,
        userId: order.userId,
        storeId: order.storeId,
        items: order.items.map(({ productId, quantity }) => ({ productId, quantity })),
        total: money(order.pricing.total),
        paymentMethod: order.paymentMethod,
        dropoff: order.dropoff,
      },
      order.id,
      step.causedBy,
    ),
  );
}

/** Cancels with a reason code; gives back the order's coupon use; payment-service refunds what it captured. */
async function cancel(tx: Tx, emit: Emit, order: OrderRecord, code: CancellationReason, step: Move): Promise<void> {
  await move(tx, order, 'CANCELLED', { ...step, reason: step.reason ?? code, changes: { cancellationReason: code } });
  await releaseRedemption(tx, order.id);
  emit(
    orderEvent(
      'order.cancelled',
      { orderId: order.id, userId: order.userId, reason: code, paid: order.paid, storeId: order.storeId },
      order.id,
      step.causedBy,
    ),
  );
}

function updated(order: OrderRecord, previousStatus: OrderStatus, causedBy?: CloudEvent, paymentDueBy?: Date) {
  return orderEvent(
    'order.updated',
    {
      orderId: order.id,
      status: order.status,
      previousStatus,
      userId: order.userId,
      ...(paymentDueBy ? { paymentDueBy: paymentDueBy.toISOString() } : {}),
    },
    order.id,
    causedBy,
  );
}

/**
 * inventory.reserved: the stock is held until `expiresAt`, so the order waits for payment until
 * then. Cash on delivery needs none, and an order whose payment already arrived needs no more:
 * both go on to CONFIRMED in the same transaction.
 */
export async function awaitPayment(tx: Tx, emit: Emit, orderId: string, expiresAt: Date, causedBy: CloudEvent): Promise<StepOutcome> {
  const order = await lockOrder(tx, orderId);
  if (order?.status !== 'PENDING') return { outcome: 'ignored', status: order?.status ?? 'NONE' };
  const step = { actor: SYSTEM_ACTORS.inventory, causedBy };
  await move(tx, order, 'AWAITING_PAYMENT', { ...step, reason: 'STOCK_RESERVED', changes: { paymentDueBy: expiresAt } });
  emit(updated(order, 'PENDING', causedBy, expiresAt));
  if (order.paymentMethod === 'COD') await confirm(tx, emit, order, { ...step, reason: 'CASH_ON_DELIVERY' });
  else if (order.paid) await confirm(tx, emit, order, { actor: SYSTEM_ACTORS.payment, reason: 'PAYMENT_COMPLETED', causedBy });
  return { outcome: 'moved', status: order.status };
}

/**
 * payment.completed: the order is paid and confirmed. A payment that lands while the stock is
 * still being reserved is recorded, and the reservation confirms the order when it comes. A
 * payment for an order already cancelled changes nothing here: payment-service refunds it.
 */
export async function confirmPayment(tx: Tx, emit: Emit, orderId: string, causedBy: CloudEvent): Promise<StepOutcome> {
  const order = await lockOrder(tx, orderId);
  if (!order || order.paid) return { outcome: 'ignored', status: order?.status ?? 'NONE' };
  if (order.status === 'PENDING') {
    await updateOrder(tx, order.id, { paid: true });
    return { outcome: 'recorded' };
  }
  if (order.status !== 'AWAITING_PAYMENT') return { outcome: 'ignored', status: order.status };
  order.paid = true;
  await confirm(tx, emit, order, { actor: SYSTEM_ACTORS.payment, reason: 'PAYMENT_COMPLETED', changes: { paid: true }, causedBy });
  return { outcome: 'moved', status: order.status };
}

/** payment.failed: an unpaid order waiting for its payment is cancelled. */
export async function failPayment(tx: Tx, emit: Emit, orderId: string, failure: string, causedBy: CloudEvent): Promise<StepOutcome> {
  const order = await lockOrder(tx, orderId);
  if (!order || order.paid || (order.status !== 'PENDING' && order.status !== 'AWAITING_PAYMENT')) {
    return { outcome: 'ignored', status: order?.status ?? 'NONE' };
  }
  await cancel(tx, emit, order, 'PAYMENT_FAILED', { actor: SYSTEM_ACTORS.payment, reason: `PAYMENT_FAILED: ${failure}`, causedBy });
  return { outcome: 'moved', status: order.status };
}

/** inventory.reservation_failed: the store cannot fill the order. */
export async function cancelForShortage(tx: Tx, emit: Emit, orderId: string, causedBy: CloudEvent): Promise<StepOutcome> {
  const order = await lockOrder(tx, orderId);
  if (order?.status !== 'PENDING') return { outcome: 'ignored', status: order?.status ?? 'NONE' };
  await cancel(tx, emit, order, 'OUT_OF_STOCK', { actor: SYSTEM_ACTORS.inventory, causedBy });
  return { outcome: 'moved', status: order.status };
}

/** inventory.reservation_expired: the order was not paid while its stock was held. */
export async function expireUnpaid(tx: Tx, emit: Emit, orderId: string, causedBy: CloudEvent): Promise<StepOutcome> {
  const order = await lockOrder(tx, orderId);
  if (!order || order.paid || (order.status !== 'PENDING' && order.status !== 'AWAITING_PAYMENT')) {
    return { outcome: 'ignored', status: order?.status ?? 'NONE' };
  }
  await cancel(tx, emit, order, 'PAYMENT_TIMEOUT', { actor: SYSTEM_ACTORS.inventory, causedBy });
  return { outcome: 'moved', status: order.status };
}

/**
 * payment.refunded: what has been refunded in all, with a history note (the status stays). The
 * running total only grows, so a refund event that arrives after a later one changes nothing.
 */
export async function recordRefund(
  tx: Tx,
  refund: { orderId: string; amount: number; refundedTotal?: number | undefined; refundId: string },
): Promise<StepOutcome> {
  const order = await lockOrder(tx, refund.orderId);
  if (!order) return { outcome: 'ignored', status: 'NONE' };
  const refundedAmount = refund.refundedTotal ?? order.refundedAmount + refund.amount;
  if (refundedAmount <= order.refundedAmount) return { outcome: 'ignored', status: order.status };
  await updateOrder(tx, order.id, { refundedAmount });
  await insertStatusChange(tx, order.id, {
    status: order.status,
    actor: SYSTEM_ACTORS.payment,
    reason: `REFUNDED ${refund.amount} paise (refund ${refund.refundId}; ${refundedAmount} in all)`,
  });
  return { outcome: 'recorded' };
}

/**
 * The road an order takes from the store to the door. A delivery event may find the order further
 * back than it says (nobody pressed "pack" in the store before the rider picked it up): the order
 * walks the steps it skipped, each a legal move with its own history row and event.
 */
const FULFILMENT: readonly OrderStatus[] = ['CONFIRMED', 'PACKED', 'OUT_FOR_DELIVERY', 'DELIVERED'];

async function fulfilTo(
  tx: Tx,
  emit: Emit,
  order: OrderRecord,
  target: 'OUT_FOR_DELIVERY' | 'DELIVERED',
  step: Move & { deliveredAt?: Date },
): Promise<StepOutcome> {
  const from = FULFILMENT.indexOf(order.status);
  const to = FULFILMENT.indexOf(target);
  // Elsewhere (not confirmed yet, cancelled) or already there: a late or repeated event.
  if (from < 0 || from >= to) return { outcome: 'ignored', status: order.status };
  for (const next of FULFILMENT.slice(from + 1, to + 1)) {
    const previous = order.status;
    if (next === 'DELIVERED') {
      const deliveredAt = step.deliveredAt ?? new Date();
      await move(tx, order, next, { ...step, changes: { deliveredAt } });
      emit(
        orderEvent(
          'order.completed',
          { orderId: order.id, userId: order.userId, deliveredAt: deliveredAt.toISOString() },
          order.id,
          step.causedBy,
        ),
      );
    } else {
      await move(tx, order, next, step);
      emit(updated(order, previous, step.causedBy));
    }
  }
  return { outcome: 'moved', status: order.status };
}

/** delivery.started: the partner picked the order up, so it is out for delivery. */
export async function startDelivery(tx: Tx, emit: Emit, orderId: string, partnerId: string, causedBy: CloudEvent): Promise<StepOutcome> {
  const order = await lockOrder(tx, orderId);
  if (!order) return { outcome: 'ignored', status: 'NONE' };
  return fulfilTo(tx, emit, order, 'OUT_FOR_DELIVERY', {
    actor: SYSTEM_ACTORS.delivery,
    reason: `PICKED_UP by partner ${partnerId}`,
    causedBy,
  });
}

/** delivery.completed: handed over with the customer's code; the order is DELIVERED and completed. */
export async function completeDelivery(
  tx: Tx,
  emit: Emit,
  delivery: { orderId: string; partnerId: string; deliveredAt: Date },
  causedBy: CloudEvent,
): Promise<StepOutcome> {
  const order = await lockOrder(tx, delivery.orderId);
  if (!order) return { outcome: 'ignored', status: 'NONE' };
  return fulfilTo(tx, emit, order, 'DELIVERED', {
    actor: SYSTEM_ACTORS.delivery,
    reason: `DELIVERED by partner ${delivery.partnerId}`,
    deliveredAt: delivery.deliveredAt,
    causedBy,
  });
}

/**
 * delivery.failed: the partner could not hand the order over. It is noted in the history and the
 * status stays: the goods are with the rider or on their way back, a refund or a new attempt is a
 * person's decision (an admin's cancel before pickup; payment-service's refund after), not the saga's.
 */
export async function recordDeliveryFailure(tx: Tx, orderId: string, reason: string, partnerId?: string): Promise<StepOutcome> {
  const order = await lockOrder(tx, orderId);
  if (!order || order.status === 'DELIVERED' || order.status === 'CANCELLED')
    return { outcome: 'ignored', status: order?.status ?? 'NONE' };
  await insertStatusChange(tx, order.id, {
    status: order.status,
    actor: SYSTEM_ACTORS.delivery,
    reason: `DELIVERY_FAILED: ${reason}${partnerId ? ` (partner ${partnerId})` : ''}`,
  });
  return { outcome: 'recorded' };
}

/** A person's command on an order: the order locked, or a 404. */
async function lockForCommand(tx: Tx, orderId: string, visibleTo?: string): Promise<OrderRecord> {
  const order = await lockOrder(tx, orderId);
  if (!order || (visibleTo !== undefined && order.userId !== visibleTo)) throw orderNotFound(orderId);
  return order;
}

/**
 * A customer cancels their own order (anyone else's is a 404), or an admin any order, before the
 * rider picks it up; 409 ORDER_NOT_CANCELLABLE after.
 */
export function cancelOrder(
  ctx: Pick<OrderContext, 'outbox'>,
  orderId: string,
  by: { userId: string; isAdmin: boolean; note?: string | undefined },
): Promise<void> {
  return ctx.outbox.transaction(async (tx, emit) => {
    const order = await lockForCommand(tx, orderId, by.isAdmin ? undefined : by.userId);
    assertMove(order.id, order.status, 'CANCELLED');
    const code = by.isAdmin && order.userId !== by.userId ? 'ADMIN_CANCELLED' : 'CUSTOMER_CANCELLED';
    await cancel(tx, emit, order, code, { actor: by.userId, reason: by.note ? `${code}: ${by.note}` : code });
  });
}

/** An admin moves an order on the shelf and the road: CONFIRMED → PACKED → OUT_FOR_DELIVERY → DELIVERED. */
export function advanceOrder(
  ctx: Pick<OrderContext, 'outbox' | 'now'>,
  orderId: string,
  to: 'PACKED' | 'OUT_FOR_DELIVERY' | 'DELIVERED',
  by: { userId: string; note?: string | undefined; expectedVersion?: number | undefined },
): Promise<void> {
  return ctx.outbox.transaction(async (tx, emit) => {
    const order = await lockForCommand(tx, orderId);
    if (by.expectedVersion !== undefined && by.expectedVersion !== order.version) throw orderChanged(orderId, order.version);
    assertMove(order.id, order.status, to);
    const previous = order.status;
    const now = ctx.now();
    await move(tx, order, to, { actor: by.userId, reason: by.note ?? null, changes: to === 'DELIVERED' ? { deliveredAt: now } : {} });
    if (to === 'DELIVERED') {
      emit(orderEvent('order.completed', { orderId: order.id, userId: order.userId, deliveredAt: now.toISOString() }, order.id));
    } else {
      emit(updated(order, previous));
    }
  });
}
