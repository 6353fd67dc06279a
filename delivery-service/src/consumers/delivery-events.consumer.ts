import { handle, type Subscription } from '@qc/shared/events';
import type { DeliveryContext } from '../domain/context';
import { announceDeliveryEvent } from '../domain/tracking';

/**
 * The service's own delivery events, read back from the broker: a status change reaches the
 * trackers only once it is committed and published, from whichever replica reads it, and once
 * (the runner records the event as processed).
 */
export function deliveryEventSubscriptions(ctx: DeliveryContext): Subscription[] {
  return (['delivery.scheduled', 'delivery.started', 'delivery.completed', 'delivery.failed'] as const).map((type) =>
    handle(type, async (event, tx) => announceDeliveryEvent(ctx, tx, event)),
  );
}
