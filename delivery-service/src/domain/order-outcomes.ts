/**
 * A delivery follows its order (DESIGN §5). order-service owns the order: an order cancelled there
 * (by its customer, an admin, the saga) or marked delivered there (an admin's move) ends its delivery
 * here wherever it is, frees its rider and offers them the store's next queued delivery.
 *
 * Each runs in the consumer runner's transaction, under the order's row lock first, then the store's
 * and the delivery's like every other writer, and moves the delivery only from the status it read
 * under them: a rider's hand-over racing the order's end runs before or after it, and the second
 * finds the delivery ended. An end told before the order's confirmation (a dead letter replayed late)
 * is kept, and the delivery is born ended when the confirmation comes.
 */
import type { Tx } from '@qc/shared/db';
import type { CloudEvent, Emit } from '@qc/shared/events';
import { appendHistory, findDeliveryOfOrder, lockDelivery, type DeliveryRecord, type DeliveryStatus } from '../data/deliveries.repository';
import { lockOrderOutcome, recordOrderOutcome, type OrderOutcome } from '../data/order-outcomes.repository';
import { lockPartner } from '../data/partners.repository';
import { lockStore } from '../data/stores.repository';
import { freePartner, scheduleDelivery, SYSTEM_ACTORS, type ConfirmedOrder, type ScheduleOutcome } from './assignment';
import type { DeliveryContext } from './context';
import { canTransition, moveDelivery, WITH_PARTNER, type DeliveryAction } from './delivery-state';
import { deliveryEvent } from './events';

export type EndOutcome =
  | { outcome: 'recorded' }
  | { outcome: 'ignored'; status: DeliveryStatus }
  | { outcome: 'cancelled' | 'returned' | 'closed'; deliveryId: string; partnerId: string | null };

const ENDINGS = {
  cancel: { outcome: 'cancelled', told: 'CANCELLED', note: (reason: string | null) => `order cancelled: ${reason}` },
  return: {
    outcome: 'returned',
    told: 'RETURNED',
    note: (reason: string | null) => `order cancelled after pickup: ${reason}; the goods go back to the store`,
  },
  close: { outcome: 'closed', told: 'CLOSED', note: () => 'order delivered: closed from the order, not handed over with the code' },
} as const;

/** delivery.cancelled's reason for a delivery closed because its order was marked delivered. */
export const ORDER_DELIVERED = 'ORDER_DELIVERED';

/** order.confirmed: the order's delivery, born ended when the order's end was told first. */
export async function takeConfirmedOrder(
  ctx: DeliveryContext,
  tx: Tx,
  emit: Emit,
  order: ConfirmedOrder,
  causedBy?: CloudEvent,
): Promise<Exclude<ScheduleOutcome, { outcome: 'ended' }> | EndOutcome> {
  const scheduled = await scheduleDelivery(ctx, tx, emit, order, causedBy);
  if (scheduled.outcome !== 'ended') return scheduled;
  return endDelivery(ctx, tx, emit, (await lockDelivery(tx, scheduled.deliveryId))!, scheduled.ending, causedBy);
}

/**
 * order.cancelled: a delivery not yet picked up is cancelled; one picked up is RETURNED: the rider
 * brings the goods back to the store, where their next pickup is anyway, so they are free at once.
 */
export function cancelForOrder(
  ctx: DeliveryContext,
  tx: Tx,
  emit: Emit,
  orderId: string,
  reason: string,
  causedBy?: CloudEvent,
): Promise<EndOutcome> {
  return followOrderEnd(ctx, tx, emit, orderId, { outcome: 'CANCELLED', reason, endedAt: ctx.now() }, causedBy);
}

/**
 * order.completed: the order is DELIVERED, so a delivery that is not is closed as delivered at the
 * order's time, recorded as ended by the order rather than handed over with the code. Once the
 * rider's own hand-over made the order DELIVERED, this finds the delivery DELIVERED and does nothing.
 */
export function closeForDeliveredOrder(
  ctx: DeliveryContext,
  tx: Tx,
  emit: Emit,
  orderId: string,
  deliveredAt: Date,
  causedBy?: CloudEvent,
): Promise<EndOutcome> {
  return followOrderEnd(ctx, tx, emit, orderId, { outcome: 'DELIVERED', reason: null, endedAt: deliveredAt }, causedBy);
}

async function followOrderEnd(
  ctx: DeliveryContext,
  tx: Tx,
  emit: Emit,
  orderId: string,
  ending: OrderOutcome,
  causedBy: CloudEvent | undefined,
): Promise<EndOutcome> {
  const id = orderId.toLowerCase();
  await lockOrderOutcome(tx, id);
  await recordOrderOutcome(tx, id, ending);
  const found = await findDeliveryOfOrder(tx, id);
  // Not confirmed yet, as far as this service heard: its confirmation finds the end recorded.
  if (!found) return { outcome: 'recorded' };
  await lockStore(tx, found.storeId);
  return endDelivery(ctx, tx, emit, (await lockDelivery(tx, found.id))!, ending, causedBy);
}

/**
 * Ends the delivery (its order's and store's locks held, the delivery read under its own) as the
 * order ended, and tells it with exactly one delivery event. A delivery that ended already (handed
 * over, cancelled, returned) is left as it is. Closing one a rider held emits delivery.completed:
 * the rider's work ends as a delivery (order-service, whose order is DELIVERED by then, ignores
 * it). Every other end (cancelled, returned, closed with no rider on it) emits delivery.cancelled
 * with its outcome, so analytics closes the delivery's record; its followers are told from that
 * event once it is committed (the delivery-events consumer), never from this transaction.
 */
async function endDelivery(
  ctx: DeliveryContext,
  tx: Tx,
  emit: Emit,
  delivery: DeliveryRecord,
  ending: OrderOutcome,
  causedBy: CloudEvent | undefined,
): Promise<EndOutcome> {
  const action: DeliveryAction = ending.outcome === 'DELIVERED' ? 'close' : delivery.status === 'PICKED_UP' ? 'return' : 'cancel';
  if (!canTransition(delivery.status, action)) return { outcome: 'ignored', status: delivery.status };
  const heldBy = WITH_PARTNER.includes(delivery.status) ? delivery.partnerId : null;
  const status = await moveDelivery(tx, delivery, action, {
    endedByOrder: true,
    ...(action === 'close' ? { deliveredAt: ending.endedAt } : {}),
  });
  await appendHistory(tx, delivery.id, {
    status,
    partnerId: delivery.partnerId,
    actor: SYSTEM_ACTORS.orders,
    note: ENDINGS[action].note(ending.reason),
    at: ctx.now(),
  });
  const cause = { causedBy, correlationId: delivery.correlationId };
  const { id: deliveryId, orderId, userId } = delivery;
  if (action === 'close' && heldBy) {
    const deliveredAt = ending.endedAt.toISOString();
    emit(deliveryEvent('delivery.completed', { deliveryId, orderId, partnerId: heldBy, deliveredAt, userId }, orderId, cause));
  } else {
    emit(
      deliveryEvent(
        'delivery.cancelled',
        {
          deliveryId,
          orderId,
          storeId: delivery.storeId,
          userId,
          ...(heldBy ? { partnerId: heldBy } : {}),
          outcome: ENDINGS[action].told,
          reason: ending.reason ?? ORDER_DELIVERED,
          endedAt: ending.endedAt.toISOString(),
        },
        orderId,
        cause,
      ),
    );
  }
  const partner = heldBy ? await lockPartner(tx, heldBy) : undefined;
  if (partner) await freePartner(ctx, tx, emit, partner, { completed: false, causedBy });
  return { outcome: ENDINGS[action].outcome, deliveryId: delivery.id, partnerId: heldBy };
}
