import { AppError } from '@qc/shared/http';

export const orderNotFound = (orderId: string) => new AppError('not_found', 'ORDER_NOT_FOUND', `Order ${orderId} does not exist`);

export const paymentNotFound = (paymentId: string) => new AppError('not_found', 'PAYMENT_NOT_FOUND', `Payment ${paymentId} does not exist`);

export const topupNotFound = (topupId: string) => new AppError('not_found', 'TOPUP_NOT_FOUND', `Top-up ${topupId} does not exist`);

export const notPaidOnline = (method: string) =>
  new AppError('rule_violation', 'PAYMENT_METHOD_NOT_ONLINE', `This order is paid by ${method}, not through the payment provider`);

export const orderNotAwaitingPayment = (status: string) =>
  new AppError('conflict', 'ORDER_NOT_AWAITING_PAYMENT', `The order is ${status}; it can be paid once it is AWAITING_PAYMENT`);

export const paymentAlreadySettled = (status: string) =>
  new AppError('conflict', 'PAYMENT_ALREADY_SETTLED', `The order's payment is already ${status}`);

export const nothingToRefund = (status: string) =>
  new AppError('rule_violation', 'PAYMENT_NOT_REFUNDABLE', `A ${status} payment has captured nothing to refund`);

export const refundExceedsCaptured = (requested: number, refundable: number) =>
  new AppError('rule_violation', 'REFUND_EXCEEDS_CAPTURED', `Refund of ${requested} paise asked; ${refundable} paise is left to refund`, {
    details: [{ path: 'body.amount', message: `at most ${refundable}`, refundable }],
  });

export const invalidWebhookSignature = (why: string) => new AppError('unauthenticated', 'WEBHOOK_SIGNATURE_INVALID', why);

export const staleWebhook = () =>
  new AppError('unauthenticated', 'WEBHOOK_TIMESTAMP_STALE', 'The webhook was signed too long ago (or in the future)');
