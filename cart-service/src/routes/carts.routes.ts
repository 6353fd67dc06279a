import type { Router } from 'express';
import { answers, createRoutes, defineRoute } from '@qc/shared/http';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import { addItem, chooseAddress, clearCart, removeItem, setItemQuantity, viewCart } from '../domain/carts';
import type { CartContext } from '../domain/context';
import { AddItemBody, CartView, ChooseAddressBody, ItemParams, SetQuantityBody } from './carts.schemas';

const ME = '/api/v1/carts/me';
const PRICES_UNAVAILABLE = { 503: 'product-service is not answering, so the cart cannot be priced (DEPENDENCY_UNAVAILABLE)' };
const LIMITS = {
  422:
    'A limit or the stock refuses it: LINE_QUANTITY_LIMIT, CART_LINES_LIMIT, CART_UNITS_LIMIT, OUT_OF_STOCK, STOCK_INSUFFICIENT, ' +
    'or PRODUCT_UNAVAILABLE (no longer sold: remove it)',
};

/**
 * The signed-in customer's own cart. Customers only: a cart is a customer's private, unplaced
 * order; admins see what was ordered through order-service.
 */
export function cartsRoutes(ctx: CartContext, openapi: OpenAPIRegistry): Router {
  const routes = createRoutes(openapi);
  defineRoute(routes, {
    method: 'get',
    path: ME,
    summary: 'Your cart, re-priced now, with stock at your store and what changed on each line',
    access: ['customer'],
    response: answers.data('The cart (empty if you have not added anything)', CartView),
    errors: PRICES_UNAVAILABLE,
    handler: ({ principal }) => viewCart(ctx, principal.userId),
  });
  defineRoute(routes, {
    method: 'put',
    path: ME,
    summary: 'Deliver the cart to one of your addresses; the cart moves to the store that serves it',
    access: ['customer'],
    request: { body: ChooseAddressBody },
    response: answers.data('The cart, checked against the new store', CartView),
    errors: {
      404: 'Not one of your addresses (ADDRESS_NOT_FOUND)',
      422: 'No store delivers there (ADDRESS_NOT_SERVICEABLE)',
      503: 'user-, location- or product-service is not answering (DEPENDENCY_UNAVAILABLE)',
    },
    handler: ({ principal, body, req }) => chooseAddress(ctx, principal.userId, body.addressId, req.get('authorization') ?? ''),
  });
  defineRoute(routes, {
    method: 'delete',
    path: ME,
    summary: 'Empty your cart (the chosen address stays)',
    access: ['customer'],
    response: answers.empty('Emptied'),
    handler: ({ principal }) => clearCart(ctx, principal.userId),
  });
  defineRoute(routes, {
    method: 'post',
    path: `${ME}/items`,
    summary: 'Add units of a product to your cart',
    access: ['customer'],
    request: { body: AddItemBody },
    response: answers.data('The cart', CartView),
    errors: {
      404: 'The catalog does not sell the product: unknown or inactive (PRODUCT_NOT_FOUND)',
      409: 'The cart moved to another store meanwhile; retry (CART_STORE_CHANGED)',
      ...LIMITS,
      ...PRICES_UNAVAILABLE,
    },
    handler: ({ principal, body }) => addItem(ctx, principal.userId, body.productId, body.quantity),
  });
  defineRoute(routes, {
    method: 'put',
    path: `${ME}/items/{productId}`,
    summary: 'Set how many units of a product your cart holds (0 removes it)',
    access: ['customer'],
    request: { params: ItemParams, body: SetQuantityBody },
    response: answers.data('The cart', CartView),
    errors: {
      404: 'The catalog does not sell the product: unknown or inactive (PRODUCT_NOT_FOUND)',
      409: 'The cart moved to another store meanwhile; retry (CART_STORE_CHANGED)',
      ...LIMITS,
      ...PRICES_UNAVAILABLE,
    },
    handler: ({ principal, params, body }) => setItemQuantity(ctx, principal.userId, params.productId, body.quantity),
  });
  defineRoute(routes, {
    method: 'delete',
    path: `${ME}/items/{productId}`,
    summary: 'Remove a product from your cart',
    access: ['customer'],
    request: { params: ItemParams },
    response: answers.data('The cart', CartView),
    errors: { 404: 'The product is not in your cart (CART_LINE_NOT_FOUND)', ...PRICES_UNAVAILABLE },
    handler: ({ principal, params }) => removeItem(ctx, principal.userId, params.productId),
  });
  return routes.router;
}
