import type { Queryable } from '@qc/shared/db';
import { handle, type Subscription } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import { recordOrderFact } from '../domain/popularity';
import type { OrderFact } from '../domain/sales';

/**
 * Units sold from order-service's events, each in the runner's transaction with its
 * processed-events record, so a redelivered event changes nothing; the order's sale row decides
 * whether it sold whatever order its events come in (domain/sales.ts).
 */
export function orderEventSubscriptions(logger: Logger): Subscription[] {
  const record = async (tx: Queryable, orderId: string, fact: OrderFact) => {
    const outcome = await recordOrderFact(tx, orderId, fact);
    if (outcome !== 'noted') logger.info({ orderId, fact: fact.kind, outcome }, 'order sale');
  };
  return [
    handle('order.confirmed', (event, tx) => record(tx, event.data.orderId, { kind: 'confirmed', lines: event.data.items })),
    handle('order.completed', (event, tx) =>
      record(tx, event.data.orderId, { kind: 'delivered', deliveredAt: new Date(event.data.deliveredAt) }),
    ),
    handle('order.cancelled', (event, tx) => record(tx, event.data.orderId, { kind: 'cancelled' })),
  ];
}
