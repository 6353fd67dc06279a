import { InventoryClient, LocationClient } from '@qc/shared/clients';
import type { DataSource } from '@qc/shared/db';
import type { Outbox } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import type { Logger } from '@qc/shared/logging';
import type { Redis } from '@qc/shared/redis';
import { defineService } from '@qc/shared/service';
import { productSettings, type ProductSettings } from './config';
import { orderEventSubscriptions } from './consumers/order-events.consumer';
import { Catalog1763856000000 } from './data/migrations/1763856000000-catalog';
import { Sales1766300000000 } from './data/migrations/1766300000000-sales';
import { BoughtTogether1766400000000 } from './data/migrations/1766400000000-bought-together';
import { ResponseCache } from './data/response-cache';
import type { Catalog } from './domain/catalog';
import { popularityRefresher } from './jobs/popularity-refresher';
import { categoryRoutes } from './routes/categories.routes';
import { productRoutes } from './routes/products.routes';

/**
 * The catalog's use cases wired to their stores. The read cache is namespaced by schema, so
 * deployments (and test runs) sharing one Redis never read each other's entries.
 */
export function wireCatalog(
  deps: { dataSource: DataSource; outbox: Outbox; redis: Redis; logger: Logger },
  settings: ProductSettings,
): { catalog: Catalog; cache: ResponseCache } {
  const cache = new ResponseCache(
    deps.redis,
    `product-service:catalog:${deps.dataSource.driver.database ?? 'default'}`,
    settings.CATALOG_CACHE_TTL_SECONDS,
    deps.logger,
  );
  const catalog: Catalog = {
    dataSource: deps.dataSource,
    write: (work) => deps.outbox.transaction(work),
    changed: () => cache.invalidate(),
  };
  return { catalog, cache };
}

/**
 * product-service: the category tree and the product catalog (admin CRUD with events through the
 * outbox), the public listing with filters, sorting, full-text search and typeahead, cached in
 * Redis, with live availability at the caller's dark store from location and inventory, and
 * popularity from the units delivered orders sold and "often bought together" recommendations from
 * the products they sold together (order-service's events).
 */
export const definition = defineService({
  name: 'product-service',
  settings: productSettings,
  migrations: [Catalog1763856000000, Sales1766300000000, BoughtTogether1766400000000],
  routes: (deps) => {
    const { settings } = deps;
    const { catalog, cache } = wireCatalog(deps, settings);
    const location = new LocationClient(settings.LOCATION_SERVICE_URL, settings.AVAILABILITY_TIMEOUT_MS);
    const availability = {
      stock: new InventoryClient(settings.INVENTORY_SERVICE_URL, settings.AVAILABILITY_TIMEOUT_MS),
      stores: { storeServing: async (lat: number, lng: number) => (await location.storeFor({ lat, lng }))?.storeId ?? null },
      logger: deps.logger,
    };
    const maxAgeSeconds = settings.PUBLIC_MAX_AGE_SECONDS;
    return [
      categoryRoutes({ catalog, cache, maxAgeSeconds, openapi: deps.openapi }),
      productRoutes({ catalog, cache, availability, maxAgeSeconds, openapi: deps.openapi }),
    ];
  },
  consumes: {
    topics: [eventsTopic('order-service')],
    subscriptions: (deps) => orderEventSubscriptions(deps.logger),
  },
  background: (deps) => [popularityRefresher(wireCatalog(deps, deps.settings).catalog, deps.logger, deps.settings.POPULARITY_REFRESH_MS)],
});
