import { handle, type Subscription } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import {
  awaitPayment,
  cancelForShortage,
  completeDelivery,
  confirmPayment,
  expireUnpaid,
  failPayment,
  recordDeliveryFailure,
  recordRefund,
  startDelivery,
} from '../domain/order-lifecycle';

/**
 * The checkout saga's answers from inventory and payment, and delivery's progress (DESIGN §5), each in the runner's
 * transaction with its processed-events record and the events it emits, so a redelivered event
 * changes nothing; the domain also checks the order's state, so a late or out-of-order one changes
 * nothing either.
 */
export function sagaSubscriptions(logger: Logger): Subscription[] {
  const log = (event: string, orderId: string, result: object) => logger.info({ orderId, ...result }, `order saga: ${event}`);
  return [
    handle('inventory.reserved', async (event, tx, emit) => {
      log(event.type, event.data.orderId, await awaitPayment(tx, emit, event.data.orderId, new Date(event.data.expiresAt), event));
    }),
    handle('inventory.reservation_failed', async (event, tx, emit) => {
      log(event.type, event.data.orderId, await cancelForShortage(tx, emit, event.data.orderId, event));
    }),
    handle('inventory.reservation_expired', async (event, tx, emit) => {
      log(event.type, event.data.orderId, await expireUnpaid(tx, emit, event.data.orderId, event));
    }),
    handle('payment.completed', async (event, tx, emit) => {
      log(event.type, event.data.orderId, await confirmPayment(tx, emit, event.data.orderId, event));
    }),
    handle('payment.failed', async (event, tx, emit) => {
      log(event.type, event.data.orderId, await failPayment(tx, emit, event.data.orderId, event.data.reason, event));
    }),
    handle('payment.refunded', async (event, tx) => {
      const { orderId, refundId, amount, refundedTotal } = event.data;
      log(event.type, orderId, await recordRefund(tx, { orderId, refundId, amount: amount.amount, refundedTotal: refundedTotal?.amount }));
    }),
    // delivery.scheduled is not read: an assigned partner does not move the order.
    handle('delivery.started', async (event, tx, emit) => {
      log(event.type, event.data.orderId, await startDelivery(tx, emit, event.data.orderId, event.data.partnerId, event));
    }),
    handle('delivery.completed', async (event, tx, emit) => {
      const { orderId, partnerId, deliveredAt } = event.data;
      log(event.type, orderId, await completeDelivery(tx, emit, { orderId, partnerId, deliveredAt: new Date(deliveredAt) }, event));
    }),
    handle('delivery.failed', async (event, tx) => {
      log(event.type, event.data.orderId, await recordDeliveryFailure(tx, event.data.orderId, event.data.reason, event.data.partnerId));
    }),
  ];
}
