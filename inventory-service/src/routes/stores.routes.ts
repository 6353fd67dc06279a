import type { Router } from 'express';
import { answers, createRoutes, decodeCursor, defineRoute, page } from '@qc/shared/http';
import type { ServiceDeps } from '@qc/shared/service';
import type { InventoryConfig } from '../config';
import { availabilityAt } from '../domain/stock';
import { browseStores, changeStoreDetails, openStore, retireStore, storeOf, type StoreRecord } from '../domain/stores';
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

const NO_STORE = 'No such store';

/** Dark stores: public reads (and the bulk availability other services call), admin writes. */
export function storesRoutes(deps: ServiceDeps<InventoryConfig>): Router {
  const routes = createRoutes(deps.openapi);
  const view = (store: StoreRecord) => toStoreView(store, new Date(), deps.settings.STORE_TIMEZONE);

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/stores',
    summary: 'Dark stores, oldest first (public)',
    access: 'anyone',
    request: { query: ListStoresQuery },
    response: answers.page('A page of stores', StoreView),
    handler: async ({ query }) => {
      const { cursor, limit, ...filters } = query;
      const rows = await browseStores(deps, { ...filters, after: decodeCursor(cursor), limit: limit + 1 });
      const { items, meta } = page(rows, limit, (store) => store.id);
      return { items: items.map(view), meta };
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/stores/{storeId}',
    summary: 'One dark store (public)',
    access: 'anyone',
    request: { params: StoreParams },
    response: answers.data('The store', StoreView),
    errors: { 404: NO_STORE },
    handler: async ({ params }) => view(await storeOf(deps, params.storeId)),
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/stores/{storeId}/availability',
    summary: 'Units available now at a store, for up to 100 products (public; product-service and cart call it)',
    description: 'Every product asked for is answered; a product the store has never stocked, or any product of an inactive store, is 0.',
    access: 'anyone',
    request: { params: StoreParams, query: AvailabilityQuery },
    response: answers.data('Availability per product, in the order asked', AvailabilityView),
    errors: { 404: NO_STORE },
    handler: ({ params, query }) => availabilityAt(deps, params.storeId, query.productIds),
  });

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/stores',
    summary: 'Open a dark store (admin); announced as inventory.store_updated',
    access: ['admin'],
    request: { body: CreateStoreBody },
    response: answers.data('The new store', StoreView, 201),
    handler: async ({ body }) => view(await openStore(deps, body)),
  });

  defineRoute(routes, {
    method: 'patch',
    path: '/api/v1/stores/{storeId}',
    summary: 'Change a dark store (admin); announced as inventory.store_updated',
    access: ['admin'],
    request: { params: StoreParams, body: ChangeStoreBody },
    response: answers.data('The store as changed', StoreView),
    errors: { 404: NO_STORE },
    handler: async ({ params, body }) => view(await changeStoreDetails(deps, params.storeId, body)),
  });

  defineRoute(routes, {
    method: 'delete',
    path: '/api/v1/stores/{storeId}',
    summary: 'Retire a dark store (admin): hidden from now on, announced as inactive',
    access: ['admin'],
    request: { params: StoreParams },
    response: answers.empty('Retired'),
    errors: { 404: NO_STORE },
    handler: ({ params }) => retireStore(deps, params.storeId),
  });

  return routes.router;
}
