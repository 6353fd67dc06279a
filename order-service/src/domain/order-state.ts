import { AppError } from '@qc/shared/http';

/**
 * The order's state machine (DESIGN §5), the one place that says which move is legal:
 *
 *   PENDING ─► AWAITING_PAYMENT ─► CONFIRMED ─► PACKED ─► OUT_FOR_DELIVERY ─► DELIVERED
 *      └──────────────┴──────────────┴───────────┴──► CANCELLED (before pickup only)
 *
 * Commands (a customer's cancel, an admin's move) that ask for an illegal move get a 409; events
 * that would (late, duplicated, out of order) are ignored by the saga instead.
 */
export const ORDER_STATUSES = ['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED', 'PACKED', 'OUT_FOR_DELIVERY', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['AWAITING_PAYMENT', 'CANCELLED'],
  AWAITING_PAYMENT: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['PACKED', 'CANCELLED'],
  PACKED: ['OUT_FOR_DELIVERY', 'CANCELLED'],
  OUT_FOR_DELIVERY: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

export const PAYMENT_METHODS = ['WALLET', 'CARD', 'UPI', 'COD'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Why an order was cancelled; the code in `order.cancelled.reason` and on the order. */
export const CANCELLATION_REASONS = ['CUSTOMER_CANCELLED', 'ADMIN_CANCELLED', 'OUT_OF_STOCK', 'PAYMENT_FAILED', 'PAYMENT_TIMEOUT'] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** Whether the order can still be cancelled: anything before the rider picks it up. */
export function isCancellable(status: OrderStatus): boolean {
  return canMove(status, 'CANCELLED');
}

/** For commands: the move, or a 409 that names where the order is. */
export function assertMove(orderId: string, from: OrderStatus, to: OrderStatus): void {
  if (canMove(from, to)) return;
  if (to === 'CANCELLED') {
    throw new AppError('conflict', 'ORDER_NOT_CANCELLABLE', `Order ${orderId} is ${from} and can no longer be cancelled`, {
      details: [{ message: `status is ${from}`, status: from }],
    });
  }
  throw new AppError('conflict', 'ILLEGAL_TRANSITION', `Order ${orderId} cannot move from ${from} to ${to}`, {
    details: [{ message: `status is ${from}`, status: from, requested: to }],
  });
}
