import { eventsTopic } from '@qc/shared/fleet';
import type { ServiceDefinition, ServiceDeps } from '@qc/shared/service';
import { inventoryConfig } from './config';
import { orderEventSubscriptions } from './consumers/order-events.consumer';
import { InventoryTables1763700000000 } from './data/migrations/1763700000000-inventory';
import { ReservationSweeper } from './jobs/reservation-sweeper';
import { reservationsRoutes } from './routes/reservations.routes';
import { stockRoutes } from './routes/stock.routes';
import { storesRoutes } from './routes/stores.routes';

/**
 * inventory-service: dark stores, stock per (store, product) with its movement ledger, bulk
 * availability for the catalog and cart, and the checkout saga's reservations (DESIGN §4–6).
 */
export const definition: ServiceDefinition = {
  name: 'inventory-service',
  migrations: [InventoryTables1763700000000],
  routes: (deps) => {
    const config = inventoryConfig(deps.env);
    return [storesRoutes(deps, config), stockRoutes(deps), reservationsRoutes(deps)];
  },
  consumes: {
    topics: [eventsTopic('order-service')],
    subscriptions: (deps) =>
      orderEventSubscriptions({ logger: deps.logger, holdForMs: inventoryConfig(deps.env).RESERVATION_TTL_SECONDS * 1000 }),
  },
  background: (deps) => [reservationSweeper(deps)],
};

/** The sweeper that expires unpaid reservations, configured from the service's environment. */
export function reservationSweeper(deps: ServiceDeps): ReservationSweeper {
  const config = inventoryConfig(deps.env);
  return new ReservationSweeper({
    outbox: deps.outbox,
    logger: deps.logger,
    intervalMs: config.RESERVATION_SWEEP_INTERVAL_MS,
    batchSize: config.RESERVATION_SWEEP_BATCH,
  });
}
