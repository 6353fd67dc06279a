import { handle, type Subscription } from '@qc/shared/events';
import { clearCartForOrder } from '../domain/carts';
import type { CartContext } from '../domain/context';

/**
 * order.confirmed empties the cart the order came from, in the runner's transaction with its
 * processed-events record and `cart.cleared`: a redelivered event changes nothing, not even a cart
 * the customer has filled again since. Not before: an order that fails payment leaves the cart as it was.
 */
export function orderEventSubscriptions(ctx: Pick<CartContext, 'cache' | 'logger'>): Subscription[] {
  return [
    handle('order.confirmed', async (event, tx, emit) => {
      const outcome = await clearCartForOrder(ctx, tx, emit, event.data, event);
      ctx.logger.info({ orderId: event.data.orderId, userId: event.data.userId, outcome }, 'order confirmed: cart');
    }),
  ];
}
