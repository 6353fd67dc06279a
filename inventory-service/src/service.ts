import { eventsTopic } from '@qc/shared/fleet';
import { defineService, type ServiceDeps } from '@qc/shared/service';
import { InventoryConfig } from './config';
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
export const definition = defineService({
  name: 'inventory-service',
  settings: InventoryConfig,
  migrations: [InventoryTables1763700000000],
  routes: (deps) => [storesRoutes(deps), stockRoutes(deps), reservationsRoutes(deps)],
  consumes: {
    topics: [eventsTopic('order-service')],
    subscriptions: (deps) => orderEventSubscriptions({ logger: deps.logger, holdForMs: deps.settings.RESERVATION_TTL_SECONDS * 1000 }),
  },
  background: (deps) => [reservationSweeper(deps)],
});

/** The sweeper that expires unpaid reservations, as the service's settings configure it. */
export function reservationSweeper({ outbox, logger, settings }: ServiceDeps<InventoryConfig>): ReservationSweeper {
  return new ReservationSweeper({
    outbox,
    logger,
    intervalMs: settings.RESERVATION_SWEEP_INTERVAL_MS,
    batchSize: settings.RESERVATION_SWEEP_BATCH,
  });
}
