import { domainEventTopics } from '@qc/shared/fleet';
import { defineService } from '@qc/shared/service';
import { CatalogClient } from './clients/catalog.client';
import { analyticsSettings } from './config';
import { storeRawEvent } from './consumers/raw-event.consumer';
import { RawEvents1763683300000 } from './data/migrations/1763683300000-raw-events';
import { Projections1765000000000 } from './data/migrations/1765000000000-projections';
import { RawEventsOrigin1766000000000 } from './data/migrations/1766000000000-raw-events-origin';
import { OrderZones1766000500000 } from './data/migrations/1766000500000-order-zones';
import { ZoneNames1766100000000 } from './data/migrations/1766100000000-zone-names';
import { DeliveryEnds1766200000000 } from './data/migrations/1766200000000-delivery-ends';
import { dashboardRoutes } from './routes/dashboard.routes';
import { eventsRoutes } from './routes/events.routes';
import { metricsRoutes } from './routes/metrics.routes';

/**
 * analytics-service: every event of every topic in a raw store, projected in the same transaction
 * into the facts the rollups read; the rollups' API for analysts, and their dashboard page.
 */
export const definition = defineService({
  name: 'analytics-service',
  settings: analyticsSettings,
  migrations: [
    RawEvents1763683300000,
    Projections1765000000000,
    RawEventsOrigin1766000000000,
    OrderZones1766000500000,
    ZoneNames1766100000000,
    DeliveryEnds1766200000000,
  ],
  routes: (deps) => [
    eventsRoutes(deps),
    dashboardRoutes(deps),
    metricsRoutes({ dataSource: deps.dataSource, logger: deps.logger, openapi: deps.openapi, catalog: new CatalogClient(deps.settings) }),
  ],
  consumes: { topics: domainEventTopics(), subscriptions: () => [storeRawEvent] },
});
