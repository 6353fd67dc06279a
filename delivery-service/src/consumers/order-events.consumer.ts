import { handle, type Subscription } from '@qc/shared/events';
import { scheduleDelivery } from '../domain/assignment';
import type { DeliveryContext } from '../domain/context';
import { cancelForOrder } from '../domain/deliveries';

/**
 * The saga's delivery steps (DESIGN §5), each in the runner's transaction with its processed-events
 * record and its answering events, so a redelivered event changes nothing; the domain also checks
 * the delivery's state, so a late event changes nothing either.
 */
export function orderEventSubscriptions(ctx: DeliveryContext): Subscription[] {
  return [
    handle('order.confirmed', async (event, tx, emit) => {
      const result = await scheduleDelivery(ctx, tx, emit, event.data, event);
      ctx.logger.info({ orderId: event.data.orderId, ...result }, 'order confirmed: delivery');
    }),
    handle('order.cancelled', async (event, tx, emit) => {
      const result = await cancelForOrder(ctx, tx, emit, event.data.orderId, event.data.reason, event);
      ctx.logger.info({ orderId: event.data.orderId, ...result }, 'order cancelled: delivery');
    }),
  ];
}
