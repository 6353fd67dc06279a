import { handle, type Subscription } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import { collectCash } from '../domain/payments';

/**
 * Cash collected at the door (delivery.completed's `codCollected`) captures the order's COD payment,
 * in the consumer runner's transaction with its processed-events record, so a redelivery changes
 * nothing. A hand-over without cash (a prepaid order) has nothing to collect.
 */
export function deliveryEventSubscriptions(logger: Logger): Subscription[] {
  return [
    handle('delivery.completed', async (event, tx, emit) => {
      const { orderId, codCollected } = event.data;
      if (!codCollected) return;
      const outcome = await collectCash(tx, emit, { orderId, collected: codCollected.amount }, event);
      logger.info({ orderId, collected: codCollected.amount, outcome }, 'delivery completed: cash on delivery');
    }),
  ];
}
