import { AddressesClient, CatalogClient, LocationClient } from '@qc/shared/clients';
import { eventsTopic } from '@qc/shared/fleet';
import { IdempotencyKeysTable1764806400000 } from '@qc/shared/idempotency';
import { defineService, type ServiceDeps } from '@qc/shared/service';
import { CartClient } from './clients/cart.client';
import { orderSettings, type OrderSettings } from './config';
import { sagaSubscriptions } from './consumers/saga.consumer';
import { OrderTables1764900000000 } from './data/migrations/1764900000000-orders';
import { OrderZone1766000500000 } from './data/migrations/1766000500000-order-zone';
import type { OrderContext } from './domain/context';
import { feeSettingsOf } from './domain/pricing';
import { couponsRoutes } from './routes/coupons.routes';
import { ordersRoutes } from './routes/orders.routes';

/** The use cases' context, wired to the other services from the settings. */
export function orderContext(deps: ServiceDeps<OrderSettings>): OrderContext {
  const { settings } = deps;
  const timeout = settings.DEPENDENCY_TIMEOUT_MS;
  const catalog = new CatalogClient(settings.PRODUCT_SERVICE_URL, timeout);
  return {
    db: deps.dataSource,
    outbox: deps.outbox,
    fees: feeSettingsOf(settings),
    // Orders price in paise: the catalog's Money read as its amount.
    catalog: {
      products: async (productIds) =>
        new Map([...(await catalog.products(productIds))].map(([id, p]) => [id, { ...p, price: p.price.amount, mrp: p.mrp.amount }])),
    },
    addresses: new AddressesClient(settings.USER_SERVICE_URL, timeout),
    stores: new LocationClient(settings.LOCATION_SERVICE_URL, timeout),
    carts: new CartClient(settings.CART_SERVICE_URL, timeout),
    now: () => new Date(),
  };
}

/**
 * order-service: checkout (quote and place, with Idempotency-Key), the pricing engine and its
 * coupons, the order state machine, and the checkout saga's order side (DESIGN §5): it owns the
 * order's state and moves it on inventory's, payment's and delivery's events.
 */
export const definition = defineService({
  name: 'order-service',
  settings: orderSettings,
  migrations: [IdempotencyKeysTable1764806400000, OrderTables1764900000000, OrderZone1766000500000],
  idempotency: (settings) => ({ retentionHours: settings.IDEMPOTENCY_RETENTION_HOURS }),
  routes: (deps) => {
    const ctx = orderContext(deps);
    return [ordersRoutes(ctx, deps.openapi, deps.idempotency), couponsRoutes(ctx, deps.openapi)];
  },
  consumes: {
    topics: [eventsTopic('inventory-service'), eventsTopic('payment-service'), eventsTopic('delivery-service')],
    subscriptions: (deps) => sagaSubscriptions(deps.logger),
  },
});
