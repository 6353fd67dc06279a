import { AddressesClient, CatalogClient, InventoryClient, LocationClient } from '@qc/shared/clients';
import { eventsTopic } from '@qc/shared/fleet';
import { defineService, type ServiceDeps } from '@qc/shared/service';
import { cartSettings, type CartSettings } from './config';
import { orderEventSubscriptions } from './consumers/order-events.consumer';
import { CartCache } from './data/cart-cache';
import { CartTables1765100000000 } from './data/migrations/1765100000000-carts';
import type { CartContext } from './domain/context';
import { cartsRoutes } from './routes/carts.routes';

/** Routes and the consumer share one context (one set of clients and breakers), built on first use. */
const contexts = new WeakMap<ServiceDeps<CartSettings>, CartContext>();

function contextOf(deps: ServiceDeps<CartSettings>): CartContext {
  let ctx = contexts.get(deps);
  if (!ctx) {
    const { settings } = deps;
    const timeout = settings.DEPENDENCY_TIMEOUT_MS;
    const catalog = new CatalogClient(settings.PRODUCT_SERVICE_URL, timeout);
    const location = new LocationClient(settings.LOCATION_SERVICE_URL, timeout);
    const addresses = new AddressesClient(settings.USER_SERVICE_URL, timeout);
    ctx = {
      db: deps.dataSource,
      outbox: deps.outbox,
      cache: new CartCache(deps.redis, settings.CART_CACHE_TTL_SECONDS, deps.logger),
      catalog: { quotes: (productIds) => catalog.products(productIds) },
      stock: new InventoryClient(settings.INVENTORY_SERVICE_URL, timeout),
      stores: { storeServing: async (lat, lng) => (await location.storeFor({ lat, lng }))?.storeId ?? null },
      addresses: { addressOf: (addressId, authorization) => addresses.address(addressId, authorization) },
      limits: {
        maxLineQuantity: settings.CART_MAX_LINE_QUANTITY,
        maxLines: settings.CART_MAX_LINES,
        maxUnits: settings.CART_MAX_UNITS,
      },
      logger: deps.logger,
    };
    contexts.set(deps, ctx);
  }
  return ctx;
}

/**
 * cart-service: one active cart per customer, at the store that delivers to their chosen address;
 * hot in Redis, durable in MySQL; re-priced and stock-checked on every read; emptied when the
 * order placed from it is confirmed.
 */
export const definition = defineService({
  name: 'cart-service',
  settings: cartSettings,
  migrations: [CartTables1765100000000],
  routes: (deps) => [cartsRoutes(contextOf(deps), deps.openapi)],
  consumes: {
    topics: [eventsTopic('order-service')],
    subscriptions: (deps) => orderEventSubscriptions(contextOf(deps)),
  },
});
