import { handle, type Subscription } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import { followOrderCancelled, followOrderUpdated, recordOrder } from '../domain/payments';

/**
 * payment-service's part of the checkout saga (DESIGN §5), each step in the consumer runner's
 * transaction with its processed-events record and the events it answers with, so a redelivered
 * event changes nothing; the domain checks the order's and the payment's state, so late and
 * out-of-order events change nothing either.
 */
export function orderEventSubscriptions(logger: Logger): Subscription[] {
  return [
    handle('order.created', async (event, tx) => {
      const outcome = await recordOrder(tx, event.data, event);
      if (outcome === 'unknown_method')
        logger.warn({ orderId: event.data.orderId, method: event.data.paymentMethod }, 'order with an unknown payment method');
    }),
    handle('order.updated', async (event, tx, emit) => {
      const outcome = await followOrderUpdated(tx, emit, event.data, event);
      if (outcome !== 'followed')
        logger.info({ orderId: event.data.orderId, status: event.data.status, outcome }, 'order update: wallet payment');
    }),
    handle('order.cancelled', async (event, tx, emit) => {
      const outcome = await followOrderCancelled(tx, emit, event.data, event);
      logger.info({ orderId: event.data.orderId, outcome }, 'order cancelled: payment');
    }),
  ];
}
