/**
 * A delivery's life, one transition per function of the use cases; each checks here first, so a
 * late, repeated or out-of-turn action changes nothing and answers 409.
 *
 *   QUEUED ──offer──► ASSIGNED ──accept──► ACCEPTED ──pick up──► PICKED_UP ──deliver (OTP)──► DELIVERED
 *     ▲                 │                    │                      │
 *     └──reject/timeout─┘                    └───────fail───────────┴──► FAILED
 *
 * The order's end, told by order-service, ends the delivery wherever it is:
 *   QUEUED, ASSIGNED, ACCEPTED ──order cancelled──► CANCELLED
 *   PICKED_UP ──order cancelled──► RETURNED (the rider brings the goods back to the store)
 *   QUEUED, ASSIGNED, ACCEPTED, PICKED_UP, FAILED ──order delivered──► DELIVERED (closed from the order)
 */
import type { Tx } from '@qc/shared/db';
import { updateDelivery, type DeliveryRecord, type DeliveryStatus } from '../data/deliveries.repository';
import { deliveryChanged, deliveryNotInState } from './delivery.errors';

export type { DeliveryStatus } from '../data/deliveries.repository';

export type DeliveryAction = 'offer' | 'requeue' | 'accept' | 'pick_up' | 'deliver' | 'fail' | 'cancel' | 'return' | 'close';

const TRANSITIONS: Record<DeliveryAction, { from: readonly DeliveryStatus[]; to: DeliveryStatus; verb: string }> = {
  offer: { from: ['QUEUED'], to: 'ASSIGNED', verb: 'offered to a partner' },
  requeue: { from: ['ASSIGNED'], to: 'QUEUED', verb: 'turned down' },
  accept: { from: ['ASSIGNED'], to: 'ACCEPTED', verb: 'accepted' },
  pick_up: { from: ['ACCEPTED'], to: 'PICKED_UP', verb: 'picked up' },
  deliver: { from: ['PICKED_UP'], to: 'DELIVERED', verb: 'delivered' },
  fail: { from: ['ACCEPTED', 'PICKED_UP'], to: 'FAILED', verb: 'failed' },
  cancel: { from: ['QUEUED', 'ASSIGNED', 'ACCEPTED'], to: 'CANCELLED', verb: 'cancelled' },
  return: { from: ['PICKED_UP'], to: 'RETURNED', verb: 'returned to the store' },
  close: { from: ['QUEUED', 'ASSIGNED', 'ACCEPTED', 'PICKED_UP', 'FAILED'], to: 'DELIVERED', verb: 'closed as delivered' },
};

/** Statuses in which a partner holds the delivery. */
export const WITH_PARTNER: readonly DeliveryStatus[] = ['ASSIGNED', 'ACCEPTED', 'PICKED_UP'];

export function canTransition(status: DeliveryStatus, action: DeliveryAction): boolean {
  return TRANSITIONS[action].from.includes(status);
}

/** The status `action` moves a delivery in `status` to; a 409 when it cannot. */
export function transition(status: DeliveryStatus, action: DeliveryAction): DeliveryStatus {
  const rule = TRANSITIONS[action];
  if (!rule.from.includes(status)) throw deliveryNotInState(status, rule.verb);
  return rule.to;
}

/**
 * Moves the delivery, as the caller read it under its lock, by `action` and writes `changes` with
 * the new status, only while the row still has the status it was read with: of two writers racing
 * for one delivery (a rider's hand-over and the order's end), one moves it and the other gets a 409.
 */
export async function moveDelivery(
  tx: Tx,
  delivery: DeliveryRecord,
  action: DeliveryAction,
  changes: Partial<DeliveryRecord> = {},
): Promise<DeliveryStatus> {
  const status = transition(delivery.status, action);
  if (!(await updateDelivery(tx, delivery.id, { ...changes, status }, delivery.status))) {
    throw deliveryChanged(TRANSITIONS[action].verb);
  }
  return status;
}
