import type { Router } from 'express';
import { answers, createRoutes, decodeCursor, defineRoute, page, withStatus } from '@qc/shared/http';
import type { IdempotencyKeys } from '@qc/shared/idempotency';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import type { OrderContext } from '../domain/context';
import { advanceOrder, cancelOrder } from '../domain/order-lifecycle';
import { orderFor, reorder, searchOrders, type Reader } from '../domain/orders';
import { placeOrder, quoteOrder } from '../domain/place-order';
import {
  AdvanceBody,
  CancelBody,
  ListOrdersQuery,
  OrderParams,
  OrderView,
  PlaceOrderBody,
  QuoteBody,
  QuoteView,
  ReorderView,
  toOrderView,
  toQuoteView,
} from './orders.schemas';

const readerOf = (principal: { userId: string; role: string }): Reader => ({
  userId: principal.userId,
  isAdmin: principal.role === 'admin',
});

/** The caller's own Authorization header, relayed to cart- and user-service for their cart and address. */
const authorizationOf = (req: { get(name: string): string | undefined }) => req.get('authorization') ?? '';

/** Checkout, the customer's orders, and the admin's view and moves of every order. */
export function ordersRoutes(ctx: OrderContext, openapi: OpenAPIRegistry, idempotency: IdempotencyKeys): Router {
  const routes = createRoutes(openapi);
  const view = async (orderId: string, reader: Reader) => toOrderView(await orderFor(ctx, orderId, reader));

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/orders',
    summary: 'Place an order from your cart (or the lines given) to one of your addresses',
    description:
      'Prices come from the catalog, the store from the address. The order starts PENDING; inventory reserves its stock and ' +
      'it moves on by events (order.created → inventory.reserved → AWAITING_PAYMENT → payment → CONFIRMED).',
    access: ['customer'],
    idempotency,
    request: { body: PlaceOrderBody },
    response: answers.data('The order, PENDING', OrderView, 201),
    errors: {
      422: 'Empty cart, an address that is not yours or not served, a closed store, a product not for sale, or a coupon that does not apply',
      503: 'A service the order needs is unavailable',
    },
    handler: async ({ body, principal, req }) => {
      const key = req.get('idempotency-key')!;
      const order = await placeOrder(ctx, body, { userId: principal.userId, authorization: authorizationOf(req) }, key);
      return withStatus(201, await view(order.id, readerOf(principal)));
    },
  });

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/orders/quote',
    summary: 'Price an order without placing it: items, MRP savings, coupon, fees, taxes, total',
    access: ['customer'],
    request: { body: QuoteBody },
    response: answers.data('The priced order', QuoteView),
    errors: { 422: 'As placing the order would answer', 503: 'A service the quote needs is unavailable' },
    handler: async ({ body, principal, req }) =>
      toQuoteView(await quoteOrder(ctx, body, { userId: principal.userId, authorization: authorizationOf(req) })),
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/orders',
    summary: 'Orders, newest first: your own, or (admins) everyone’s by status, user, store and time',
    access: ['customer', 'admin'],
    request: { query: ListOrdersQuery },
    response: answers.page('A page of orders', OrderView),
    handler: async ({ query, principal }) => {
      const { cursor, limit, ...filters } = query;
      const rows = await searchOrders(ctx, readerOf(principal), { ...filters, before: decodeCursor(cursor), limit: limit + 1 });
      const { items, meta } = page(rows, limit, (row) => row.order.id);
      return { items: items.map(toOrderView), meta };
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/orders/{orderId}',
    summary: 'One order with its price breakdown and status history (your own; admins any)',
    access: ['customer', 'admin'],
    request: { params: OrderParams },
    response: answers.data('The order', OrderView),
    errors: { 404: 'No such order of yours' },
    handler: ({ params, principal }) => view(params.orderId, readerOf(principal)),
  });

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/orders/{orderId}/cancel',
    summary: 'Cancel an order before the rider picks it up (yours; admins any)',
    description: 'Emits order.cancelled: inventory releases the stock, payment-service refunds what it captured.',
    access: ['customer', 'admin'],
    request: { params: OrderParams, body: CancelBody },
    response: answers.data('The cancelled order', OrderView),
    errors: { 404: 'No such order of yours', 409: 'Already out for delivery, delivered or cancelled (ORDER_NOT_CANCELLABLE)' },
    handler: async ({ params, body, principal }) => {
      const reader = readerOf(principal);
      await cancelOrder(ctx, params.orderId, { ...reader, note: body.reason });
      return view(params.orderId, reader);
    },
  });

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/orders/{orderId}/reorder',
    summary: 'Put an earlier order’s lines into your cart again (at today’s prices)',
    access: ['customer'],
    request: { params: OrderParams },
    response: answers.data('The lines added to the cart, and those it would not take', ReorderView),
    errors: { 404: 'No such order of yours', 503: 'cart-service is unavailable' },
    handler: ({ params, principal, req }) =>
      reorder(ctx, params.orderId, { userId: principal.userId, authorization: authorizationOf(req) }),
  });

  const moves = [
    { verb: 'pack', to: 'PACKED', summary: 'Mark a confirmed order packed (admin)' },
    { verb: 'dispatch', to: 'OUT_FOR_DELIVERY', summary: 'Hand a packed order to the rider (admin; until delivery-service does it)' },
    { verb: 'deliver', to: 'DELIVERED', summary: 'Mark an order delivered (admin; until delivery-service does it); emits order.completed' },
  ] as const;
  for (const { verb, to, summary } of moves) {
    defineRoute(routes, {
      method: 'post',
      path: `/api/v1/orders/{orderId}/${verb}`,
      summary,
      access: ['admin'],
      request: { params: OrderParams, body: AdvanceBody },
      response: answers.data('The order', OrderView),
      errors: { 404: 'No such order', 409: 'The order is not where this move starts (ILLEGAL_TRANSITION), or changed since read' },
      handler: async ({ params, body, principal }) => {
        await advanceOrder(ctx, params.orderId, to, { userId: principal.userId, note: body.note, expectedVersion: body.version });
        return view(params.orderId, readerOf(principal));
      },
    });
  }

  return routes.router;
}
