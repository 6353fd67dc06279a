import { handle, type Subscription } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import { commitForOrder, releaseForOrder, reserveForOrder } from '../domain/reservations';

export interface OrderEventsOptions {
  logger: Logger;
  holdForMs: number;
}

/**
 * The checkout saga's inventory steps (DESIGN §5), each in the runner's transaction with its
 * processed-events record and its answering events, so a redelivered event changes nothing; the domain also checks the
 * reservation's state, so a late or out-of-order event changes nothing either.
 */
export function orderEventSubscriptions({ logger, holdForMs }: OrderEventsOptions): Subscription[] {
  return [
    handle('order.created', async (event, tx, emit) => {
      const result = await reserveForOrder(tx, emit, event.data, { now: new Date(), holdForMs, causedBy: event });
      logger.info({ orderId: event.data.orderId, ...result }, 'order reservation');
    }),
    handle('order.cancelled', async (event, tx, emit) => {
      const result = await releaseForOrder(tx, emit, event.data.orderId, event);
      logger.info({ orderId: event.data.orderId, ...result }, 'order cancelled: reservation');
    }),
    handle('order.confirmed', async (event, tx, emit) => {
      const result = await commitForOrder(tx, emit, event.data.orderId, event);
      if (result.outcome === 'ignored')
        logger.warn({ orderId: event.data.orderId, ...result }, 'order confirmed without a held reservation');
      else logger.info({ orderId: event.data.orderId, ...result }, 'order confirmed: reservation committed');
    }),
  ];
}
