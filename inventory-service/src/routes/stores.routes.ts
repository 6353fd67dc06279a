import { Router } from 'express';
import { type z } from 'zod';
import { allow, anyone } from '@qc/shared/auth';
import { decodeCursor, ok, page, validate } from '@qc/shared/http';
import type { ServiceDeps } from '@qc/shared/service';
import type { InventoryConfig } from '../config';
import { readAvailability } from '../data/stock.repository';
import { findStore, listStores } from '../data/stores.repository';
import { storeNotFound } from '../domain/inventory.errors';
import { changeStore, registerStore, retireStore } from '../domain/stores';
import { BEARER_AUTH, okResponse, pageResponse } from '@qc/shared/openapi';
import { errors } from './envelope.schemas';
import {
  AvailabilityQuery,
  AvailabilityView,
  ChangeStoreBody,
  CreateStoreBody,
  ListStoresQuery,
  StoreParams,
  StoreView,
  toStoreView,
} from './stores.schemas';

type Params = z.output<typeof StoreParams>;

/** Dark stores: public reads (and the bulk availability other services call), admin writes. */
export function storesRoutes({ dataSource, outbox, openapi }: ServiceDeps, config: InventoryConfig): Router {
  const view = (store: Parameters<typeof toStoreView>[0]) => toStoreView(store, new Date(), config.STORE_TIMEZONE);
  const router = Router();

  openapi.registerPath({
    method: 'get',
    path: '/api/v1/stores',
    summary: 'Dark stores, oldest first (public)',
    request: { query: ListStoresQuery },
    responses: { 200: pageResponse('A page of stores', StoreView), ...errors(400) },
  });
  router.get('/api/v1/stores', anyone, validate({ query: ListStoresQuery }), async (req, res) => {
    const query = req.query as unknown as z.output<typeof ListStoresQuery>;
    const rows = await listStores(dataSource, { ...query, after: decodeCursor(query.cursor), limit: query.limit + 1 });
    const { items, meta } = page(rows, query.limit, (store) => store.id);
    res.json(ok(items.map(view), meta));
  });

  openapi.registerPath({
    method: 'get',
    path: '/api/v1/stores/{storeId}',
    summary: 'One dark store (public)',
    request: { params: StoreParams },
    responses: { 200: okResponse('The store', StoreView), ...errors(400, 404) },
  });
  router.get('/api/v1/stores/:storeId', anyone, validate({ params: StoreParams }), async (req, res) => {
    const { storeId } = req.params as unknown as Params;
    const store = await findStore(dataSource, storeId);
    if (!store) throw storeNotFound(storeId);
    res.json(ok(view(store)));
  });

  openapi.registerPath({
    method: 'get',
    path: '/api/v1/stores/{storeId}/availability',
    summary: 'Units available now at a store, for up to 100 products (public; product-service and cart call it)',
    description: 'Every product asked for is answered; a product the store has never stocked, or any product of an inactive store, is 0.',
    request: { params: StoreParams, query: AvailabilityQuery },
    responses: { 200: okResponse('Availability per product, in the order asked', AvailabilityView), ...errors(400, 404) },
  });
  router.get(
    '/api/v1/stores/:storeId/availability',
    anyone,
    validate({ params: StoreParams, query: AvailabilityQuery }),
    async (req, res) => {
      const { storeId } = req.params as unknown as Params;
      const { productIds } = req.query as unknown as z.output<typeof AvailabilityQuery>;
      const availability = await readAvailability(dataSource, storeId, productIds);
      if (!availability.found) throw storeNotFound(storeId);
      res.json(
        ok(
          productIds.map((productId) => ({ productId, available: availability.active ? (availability.available.get(productId) ?? 0) : 0 })),
        ),
      );
    },
  );

  openapi.registerPath({
    method: 'post',
    path: '/api/v1/stores',
    summary: 'Open a dark store (admin); announced as inventory.store_updated',
    security: BEARER_AUTH,
    request: { body: { content: { 'application/json': { schema: CreateStoreBody } } } },
    responses: { 201: okResponse('The new store', StoreView), ...errors(400, 401, 403) },
  });
  router.post('/api/v1/stores', allow('admin'), validate({ body: CreateStoreBody }), async (req, res) => {
    const fields = req.body as z.output<typeof CreateStoreBody>;
    const store = await outbox.transaction((tx, emit) => registerStore(tx, emit, fields));
    res.status(201).json(ok(view(store)));
  });

  openapi.registerPath({
    method: 'patch',
    path: '/api/v1/stores/{storeId}',
    summary: 'Change a dark store (admin); announced as inventory.store_updated',
    security: BEARER_AUTH,
    request: { params: StoreParams, body: { content: { 'application/json': { schema: ChangeStoreBody } } } },
    responses: { 200: okResponse('The store as changed', StoreView), ...errors(400, 401, 403, 404) },
  });
  router.patch('/api/v1/stores/:storeId', allow('admin'), validate({ params: StoreParams, body: ChangeStoreBody }), async (req, res) => {
    const { storeId } = req.params as unknown as Params;
    const changes = req.body as z.output<typeof ChangeStoreBody>;
    const store = await outbox.transaction((tx, emit) => changeStore(tx, emit, storeId, changes));
    res.json(ok(view(store)));
  });

  openapi.registerPath({
    method: 'delete',
    path: '/api/v1/stores/{storeId}',
    summary: 'Retire a dark store (admin): hidden from now on, announced as inactive',
    security: BEARER_AUTH,
    request: { params: StoreParams },
    responses: { 204: { description: 'Retired' }, ...errors(400, 401, 403, 404) },
  });
  router.delete('/api/v1/stores/:storeId', allow('admin'), validate({ params: StoreParams }), async (req, res) => {
    const { storeId } = req.params as unknown as Params;
    await outbox.transaction((tx, emit) => retireStore(tx, emit, storeId));
    res.status(204).end();
  });

  return router;
}
