import { handle, type Subscription } from '@qc/shared/events';
import type { DeliveryContext } from '../domain/context';
import { cancelForOrder, closeForDeliveredOrder, takeConfirmedOrder } from '../domain/order-outcomes';

/**
 * The saga's delivery steps (DESIGN §5), each in the runner's transaction with its processed-events
 * record and its answering events, so a redelivered event changes nothing; the domain also checks
 * the delivery's state, so a late event changes nothing either. The order's end (cancelled, or
 * marked delivered by order-service's admin moves) ends the delivery wherever it is.
 */
export function orderEventSubscriptions(ctx: DeliveryContext): Subscription[] {
  return [
    handle('order.confirmed', async (event, tx, emit) => {
      const result = await takeConfirmedOrder(ctx, tx, emit, event.data, event);
      ctx.logger.info({ orderId: event.data.orderId, ...result }, 'order confirmed: delivery');
    }),
    handle('order.cancelled', async (event, tx, emit) => {
      const result = await cancelForOrder(ctx, tx, emit, event.data.orderId, event.data.reason, event);
      ctx.logger.info({ orderId: event.data.orderId, ...result }, 'order cancelled: delivery');
    }),
    handle('order.completed', async (event, tx, emit) => {
      const result = await closeForDeliveredOrder(ctx, tx, emit, event.data.orderId, new Date(event.data.deliveredAt), event);
      ctx.logger.info({ orderId: event.data.orderId, ...result }, 'order completed: delivery');
    }),
  ];
}
