import { Router } from 'express';
import { type z } from 'zod';
import { allow, principalOf } from '@qc/shared/auth';
import type { Tx } from '@qc/shared/db';
import type { Emit } from '@qc/shared/events';
import { decodeCursor, ok, page, validate } from '@qc/shared/http';
import type { ServiceDeps } from '@qc/shared/service';
import { listMovements } from '../data/movements.repository';
import { findStock, listStock, type StockRecord } from '../data/stock.repository';
import { findStore } from '../data/stores.repository';
import { stockNotFound, storeNotFound } from '../domain/inventory.errors';
import { adjustStock, restock, setLowStockThreshold } from '../domain/stock';
import { BEARER_AUTH, okResponse, pageResponse } from '@qc/shared/openapi';
import { errors } from './envelope.schemas';
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

type ItemParams = z.output<typeof StockItemParams>;
const ITEM = '/api/v1/inventory/stores/{storeId}/stock/{productId}';

/** Stock per (store, product) and its movement ledger; admins only. */
export function stockRoutes({ dataSource, outbox, openapi }: ServiceDeps): Router {
  const router = Router();
  const requireStore = async (storeId: string) => {
    if (!(await findStore(dataSource, storeId))) throw storeNotFound(storeId);
  };
  const change = (work: (tx: Tx, emit: Emit) => Promise<StockRecord>) => outbox.transaction(work).then((stock) => ok(toStockView(stock)));

  openapi.registerPath({
    method: 'get',
    path: '/api/v1/inventory/stores/{storeId}/stock',
    summary: 'Stock of a store by product id (admin)',
    security: BEARER_AUTH,
    request: { params: StoreStockParams, query: ListStockQuery },
    responses: { 200: pageResponse('A page of stock items', StockView), ...errors(400, 401, 403, 404) },
  });
  router.get(
    '/api/v1/inventory/stores/:storeId/stock',
    allow('admin'),
    validate({ params: StoreStockParams, query: ListStockQuery }),
    async (req, res) => {
      const { storeId } = req.params as unknown as z.output<typeof StoreStockParams>;
      const query = req.query as unknown as z.output<typeof ListStockQuery>;
      await requireStore(storeId);
      const rows = await listStock(dataSource, { storeId, level: query.level, after: decodeCursor(query.cursor), limit: query.limit + 1 });
      const { items, meta } = page(rows, query.limit, (stock) => stock.productId);
      res.json(ok(items.map(toStockView), meta));
    },
  );

  openapi.registerPath({
    method: 'get',
    path: ITEM,
    summary: 'One stock item (admin)',
    security: BEARER_AUTH,
    request: { params: StockItemParams },
    responses: { 200: okResponse('The stock item', StockView), ...errors(400, 401, 403, 404) },
  });
  router.get(
    '/api/v1/inventory/stores/:storeId/stock/:productId',
    allow('admin'),
    validate({ params: StockItemParams }),
    async (req, res) => {
      const key = req.params as unknown as ItemParams;
      const stock = await findStock(dataSource, key);
      if (!stock) throw stockNotFound(key.storeId, key.productId);
      res.json(ok(toStockView(stock)));
    },
  );

  openapi.registerPath({
    method: 'put',
    path: ITEM,
    summary: 'Set the low-stock threshold (admin); starts stocking the product at zero if the store never had it',
    security: BEARER_AUTH,
    request: { params: StockItemParams, body: { content: { 'application/json': { schema: StockSettingsBody } } } },
    responses: { 200: okResponse('The stock item', StockView), ...errors(400, 401, 403, 404) },
  });
  router.put(
    '/api/v1/inventory/stores/:storeId/stock/:productId',
    allow('admin'),
    validate({ params: StockItemParams, body: StockSettingsBody }),
    async (req, res) => {
      const key = req.params as unknown as ItemParams;
      const { lowStockThreshold } = req.body as z.output<typeof StockSettingsBody>;
      res.json(await change((tx, emit) => setLowStockThreshold(tx, emit, { ...key, lowStockThreshold })));
    },
  );

  openapi.registerPath({
    method: 'post',
    path: `${ITEM}/restock`,
    summary: 'Book goods in (admin): on hand rises; a ledger row records who',
    security: BEARER_AUTH,
    request: { params: StockItemParams, body: { content: { 'application/json': { schema: RestockBody } } } },
    responses: { 200: okResponse('The stock item after the restock', StockView), ...errors(400, 401, 403, 404) },
  });
  router.post(
    '/api/v1/inventory/stores/:storeId/stock/:productId/restock',
    allow('admin'),
    validate({ params: StockItemParams, body: RestockBody }),
    async (req, res) => {
      const key = req.params as unknown as ItemParams;
      const body = req.body as z.output<typeof RestockBody>;
      const actor = principalOf(req).userId;
      res.json(await change((tx, emit) => restock(tx, emit, { ...key, ...body, actor })));
    },
  );

  openapi.registerPath({
    method: 'post',
    path: `${ITEM}/adjustments`,
    summary: 'Correct on-hand stock (admin): damage, expiry, loss, a recount; 422 below zero or below what orders hold',
    security: BEARER_AUTH,
    request: { params: StockItemParams, body: { content: { 'application/json': { schema: AdjustmentBody } } } },
    responses: { 200: okResponse('The stock item after the adjustment', StockView), ...errors(400, 401, 403, 404, 422) },
  });
  router.post(
    '/api/v1/inventory/stores/:storeId/stock/:productId/adjustments',
    allow('admin'),
    validate({ params: StockItemParams, body: AdjustmentBody }),
    async (req, res) => {
      const key = req.params as unknown as ItemParams;
      const body = req.body as z.output<typeof AdjustmentBody>;
      const actor = principalOf(req).userId;
      res.json(await change((tx, emit) => adjustStock(tx, emit, { ...key, ...body, actor })));
    },
  );

  openapi.registerPath({
    method: 'get',
    path: '/api/v1/inventory/stores/{storeId}/movements',
    summary: 'The movement ledger of a store, newest first (admin)',
    security: BEARER_AUTH,
    request: { params: StoreStockParams, query: ListMovementsQuery },
    responses: { 200: pageResponse('A page of movements', MovementView), ...errors(400, 401, 403, 404) },
  });
  router.get(
    '/api/v1/inventory/stores/:storeId/movements',
    allow('admin'),
    validate({ params: StoreStockParams, query: ListMovementsQuery }),
    async (req, res) => {
      const { storeId } = req.params as unknown as z.output<typeof StoreStockParams>;
      const query = req.query as unknown as z.output<typeof ListMovementsQuery>;
      await requireStore(storeId);
      const rows = await listMovements(dataSource, {
        storeId,
        productId: query.productId,
        before: decodeCursor(query.cursor),
        limit: query.limit + 1,
      });
      const { items, meta } = page(rows, query.limit, (movement) => movement.id);
      res.json(ok(items.map(toMovementView), meta));
    },
  );

  return router;
}
