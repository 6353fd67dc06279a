/**
 * A delivery's life, one transition per function of the use cases; each checks here first, so a
 * late, repeated or out-of-turn action changes nothing and answers 409.
 *
 *   QUEUED ──offer──► ASSIGNED ──accept──► ACCEPTED ──pick up──► PICKED_UP ──deliver (OTP)──► DELIVERED
 *     ▲                 │                    │                      │
 *     └──reject/timeout─┘                    └───────fail───────────┴──► FAILED
 *   QUEUED, ASSIGNED, ACCEPTED ──order cancelled──► CANCELLED
 */
import type { DeliveryStatus } from '../data/deliveries.repository';
import { deliveryNotInState } from './delivery.errors';

export type { DeliveryStatus } from '../data/deliveries.repository';

export type DeliveryAction = 'offer' | 'requeue' | 'accept' | 'pick_up' | 'deliver' | 'fail' | 'cancel';

const TRANSITIONS: Record<DeliveryAction, { from: readonly DeliveryStatus[]; to: DeliveryStatus; verb: string }> = {
  offer: { from: ['QUEUED'], to: 'ASSIGNED', verb: 'offered to a partner' },
  requeue: { from: ['ASSIGNED'], to: 'QUEUED', verb: 'turned down' },
  accept: { from: ['ASSIGNED'], to: 'ACCEPTED', verb: 'accepted' },
  pick_up: { from: ['ACCEPTED'], to: 'PICKED_UP', verb: 'picked up' },
  deliver: { from: ['PICKED_UP'], to: 'DELIVERED', verb: 'delivered' },
  fail: { from: ['ACCEPTED', 'PICKED_UP'], to: 'FAILED', verb: 'failed' },
  cancel: { from: ['QUEUED', 'ASSIGNED', 'ACCEPTED'], to: 'CANCELLED', verb: 'cancelled' },
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
