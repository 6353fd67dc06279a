import type { Router } from 'express';
import { answers, createRoutes, defineRoute } from '@qc/shared/http';
import type { IdempotencyKeys } from '@qc/shared/idempotency';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import { findTopup } from '../data/topups.repository';
import type { PaymentContext } from '../domain/context';
import { topupNotFound } from '../domain/payment.errors';
import { startTopup, walletOf } from '../domain/wallet';
import { TopupBody, TopupParams, TopupView, WalletViewSchema, toTopupView, toWalletView } from './payments.schemas';

/** The caller's wallet: balance and entries, and top-ups through the provider. */
export function walletRoutes(ctx: PaymentContext, openapi: OpenAPIRegistry, idempotency: IdempotencyKeys): Router {
  const routes = createRoutes(openapi);

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/wallet',
    summary: 'The caller’s wallet: balance and recent entries',
    access: ['customer'],
    response: answers.data('The wallet (a zero balance before the first top-up)', WalletViewSchema),
    handler: async ({ principal }) => toWalletView(await walletOf(ctx.db, principal.userId)),
  });

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/wallet/topups',
    summary: 'Top up the wallet through the payment provider',
    description:
      'Creates a top-up and the provider’s payment intent; the customer’s app confirms it at `nextAction.url` with `clientSecret` (card or UPI). ' +
      'The wallet is credited when the provider’s webhook reports the money captured (`wallet.topup`).',
    access: ['customer'],
    idempotency,
    request: { body: TopupBody },
    response: answers.data('The top-up, waiting for the customer to confirm it with the provider', TopupView, 201),
    errors: { 503: 'The payment provider is unavailable' },
    handler: async ({ body, principal }) => {
      const { topup } = await startTopup(ctx, principal.userId, body.amount.amount);
      return toTopupView(topup, ctx.provider);
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/wallet/topups/{topupId}',
    summary: 'One of the caller’s top-ups',
    access: ['customer'],
    request: { params: TopupParams },
    response: answers.data('The top-up', TopupView),
    errors: { 404: 'No such top-up of the caller’s' },
    handler: async ({ params, principal }) => {
      const topup = await findTopup(ctx.db, params.topupId);
      if (topup?.userId !== principal.userId) throw topupNotFound(params.topupId);
      return toTopupView(topup, ctx.provider);
    },
  });

  return routes.router;
}
