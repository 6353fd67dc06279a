import type { Router } from 'express';
import { answers, createRoutes, defineRoute, withStatus } from '@qc/shared/http';
import type { IdempotencyKeys } from '@qc/shared/idempotency';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import { findPayment } from '../data/payments.repository';
import { refundsOfPayment } from '../data/refunds.repository';
import type { PaymentContext } from '../domain/context';
import { paymentNotFound } from '../domain/payment.errors';
import { startOnlinePayment } from '../domain/payments';
import { refundPayment } from '../domain/refunds';
import { PaymentParams, PaymentView, RefundBody, RefundView, StartPaymentBody, toPaymentView, toRefundView } from './payments.schemas';

/** Paying an order by card or UPI, reading a payment, and refunds (admins). */
export function paymentsRoutes(ctx: PaymentContext, openapi: OpenAPIRegistry, idempotency: IdempotencyKeys): Router {
  const routes = createRoutes(openapi);
  const viewOf = async (paymentId: string) => {
    const payment = await findPayment(ctx.db, paymentId);
    if (!payment) throw paymentNotFound(paymentId);
    return toPaymentView(payment, await refundsOfPayment(ctx.db, paymentId), ctx.provider);
  };

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/payments',
    summary: 'Start paying an order by card or UPI',
    description:
      'Creates the order’s payment and the provider’s payment intent (once per order: a second call answers the same payment with 200). ' +
      'An order placed a moment ago whose events have not reached payment-service yet is read from order-service with the caller’s token. ' +
      'The customer’s app then confirms it at `nextAction.url` with `clientSecret` and a test card or UPI id; the provider’s webhook settles it.',
    access: ['customer'],
    idempotency,
    request: { body: StartPaymentBody },
    response: answers.data('The payment, waiting for the customer to confirm it with the provider', PaymentView, 201),
    errors: {
      404: 'No such order of the caller’s',
      409: 'The order is not waiting for payment, or its payment is already settled',
      422: 'The order is not paid by card or UPI',
      503: 'The payment provider is unavailable, or order-service is (asked about an order whose events have not arrived yet)',
    },
    handler: async ({ body, principal, req }) => {
      const payer = { userId: principal.userId, authorization: req.get('authorization') ?? '' };
      const { payment, created } = await startOnlinePayment(ctx, payer, body.orderId);
      const view = await viewOf(payment.id);
      return created ? view : withStatus(200, view);
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/payments/{paymentId}',
    summary: 'One payment with its refunds (its customer, or an admin)',
    access: ['customer', 'admin'],
    request: { params: PaymentParams },
    response: answers.data('The payment', PaymentView),
    errors: { 404: 'No such payment of the caller’s' },
    handler: async ({ params, principal }) => {
      const view = await viewOf(params.paymentId);
      if (principal.role !== 'admin' && view.userId !== principal.userId) throw paymentNotFound(params.paymentId);
      return view;
    },
  });

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/payments/{paymentId}/refunds',
    summary: 'Refund a payment, in full or in part, to the method paid with or to the wallet (admin)',
    description:
      'Never more than is left of what was captured, however many requests run at once. A refund to the wallet (or of a wallet payment) is done at once; ' +
      'one to a card or UPI is `PENDING` until the provider takes it, retried until it does. `payment.refunded` follows.',
    access: ['admin'],
    idempotency,
    request: { params: PaymentParams, body: RefundBody },
    response: answers.data('The refund', RefundView, 201),
    errors: { 404: 'No such payment', 422: 'More than is left to refund, or nothing was captured' },
    handler: async ({ params, body, principal }) => {
      const refund = await refundPayment(ctx, params.paymentId, {
        amount: body.amount?.amount,
        destination: body.destination,
        reason: body.reason,
        requestedBy: principal.userId,
      });
      return toRefundView(refund);
    },
  });

  return routes.router;
}
