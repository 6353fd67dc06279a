import { handle, type Subscription } from '@qc/shared/events';
import type { DeliveryContext } from '../domain/context';
import { ANNOUNCED_EVENT_TYPES, announceDeliveryEvent } from '../domain/tracking';

/**
 * The service's own delivery events, read back from the broker: a status change reaches the
 * trackers only once it is committed and published, from whichever replica reads it, and once
 * (the runner records the event as processed, and the tracking log the event's id). Every status
 * change a follower sees comes this way, the ends its order puts to a delivery included.
 */
export function deliveryEventSubscriptions(ctx: DeliveryContext): Subscription[] {
  return ANNOUNCED_EVENT_TYPES.map((type) => handle(type, async (event, tx) => announceDeliveryEvent(ctx, tx, event)));
}
