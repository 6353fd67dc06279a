import type { Router } from 'express';
import { answers, createRoutes, decodeCursor, defineRoute, page } from '@qc/shared/http';
import type { ServiceDeps } from '@qc/shared/service';
import { adjustStock, changeLowStockThreshold, movementsOfStore, restockItem, stockItem, stockOfStore } from '../domain/stock';
import {
  AdjustmentBody,
  ListMovementsQuery,
  ListStockQuery,
  MovementView,
  RestockBody,
  StockItemParams,
  StockSettingsBody,
  StockView,
  StoreStockParams,
  toMovementView,
  toStockView,
} from './stock.schemas';

const ITEM = '/api/v1/inventory/stores/{storeId}/stock/{productId}';
const NO_STORE = 'No such store';
const NO_ITEM = 'No such store, or the store has never stocked the product';

/** Stock per (store, product) and its movement ledger; admins only. */
export function stockRoutes(deps: ServiceDeps): Router {
  const routes = createRoutes(deps.openapi);

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/inventory/stores/{storeId}/stock',
    summary: 'Stock of a store by product id (admin)',
    access: ['admin'],
    request: { params: StoreStockParams, query: ListStockQuery },
    response: answers.page('A page of stock items', StockView),
    errors: { 404: NO_STORE },
    handler: async ({ params, query }) => {
      const rows = await stockOfStore(deps, {
        storeId: params.storeId,
        level: query.level,
        after: decodeCursor(query.cursor),
        limit: query.limit + 1,
      });
      const { items, meta } = page(rows, query.limit, (stock) => stock.productId);
      return { items: items.map(toStockView), meta };
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: ITEM,
    summary: 'One stock item (admin)',
    access: ['admin'],
    request: { params: StockItemParams },
    response: answers.data('The stock item', StockView),
    errors: { 404: NO_ITEM },
    handler: async ({ params }) => toStockView(await stockItem(deps, params)),
  });

  defineRoute(routes, {
    method: 'put',
    path: ITEM,
    summary: 'Set the low-stock threshold (admin); starts stocking the product at zero if the store never had it',
    access: ['admin'],
    request: { params: StockItemParams, body: StockSettingsBody },
    response: answers.data('The stock item', StockView),
    errors: { 404: NO_STORE },
    handler: async ({ params, body }) => toStockView(await changeLowStockThreshold(deps, { ...params, ...body })),
  });

  defineRoute(routes, {
    method: 'post',
    path: `${ITEM}/restock`,
    summary: 'Book goods in (admin): on hand rises; a ledger row records who',
    access: ['admin'],
    request: { params: StockItemParams, body: RestockBody },
    response: answers.data('The stock item after the restock', StockView),
    errors: { 404: NO_STORE },
    handler: async ({ params, body, principal }) => toStockView(await restockItem(deps, { ...params, ...body, actor: principal.userId })),
  });

  defineRoute(routes, {
    method: 'post',
    path: `${ITEM}/adjustments`,
    summary: 'Correct on-hand stock (admin): damage, expiry, loss, a recount; 422 below zero or below what orders hold',
    access: ['admin'],
    request: { params: StockItemParams, body: AdjustmentBody },
    response: answers.data('The stock item after the adjustment', StockView),
    errors: { 404: NO_ITEM, 422: 'A stock rule refuses the change' },
    handler: async ({ params, body, principal }) => toStockView(await adjustStock(deps, { ...params, ...body, actor: principal.userId })),
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/inventory/stores/{storeId}/movements',
    summary: 'The movement ledger of a store, newest first (admin)',
    access: ['admin'],
    request: { params: StoreStockParams, query: ListMovementsQuery },
    response: answers.page('A page of movements', MovementView),
    errors: { 404: NO_STORE },
    handler: async ({ params, query }) => {
      const rows = await movementsOfStore(deps, {
        storeId: params.storeId,
        productId: query.productId,
        before: decodeCursor(query.cursor),
        limit: query.limit + 1,
      });
      const { items, meta } = page(rows, query.limit, (movement) => movement.id);
      return { items: items.map(toMovementView), meta };
    },
  });

  return routes.router;
}
