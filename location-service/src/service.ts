import { eventsTopic } from '@qc/shared/fleet';
import { defineService, type ServiceDeps } from '@qc/shared/service';
import { locationSettings, type LocationSettings } from './config';
import { onStoreUpdated } from './consumers/store-updated.consumer';
import { readGazetteer } from './data/gazetteer.file';
import { migrations } from './data/migrations';
import { readPartnerWaits } from './data/partner-waits.redis';
import { loadServiceArea } from './data/service-area.loader';
import type { LocationContext } from './domain/context';
import { PartnerWaits } from './domain/partner-waits';
import { ServiceAreaCache } from './domain/service-area-cache';
import { locationsRoutes } from './routes/locations.routes';
import { zonesRoutes } from './routes/zones.routes';

/** Routes and consumers share one context (one in-memory service area), built on first use. */
const contexts = new WeakMap<ServiceDeps<LocationSettings>, LocationContext>();

function contextOf(deps: ServiceDeps<LocationSettings>): LocationContext {
  let ctx = contexts.get(deps);
  if (!ctx) {
    const { settings } = deps;
    const serviceArea = new ServiceAreaCache({
      load: () => loadServiceArea(deps.dataSource, settings),
      refreshMs: settings.SERVICE_AREA_REFRESH_MS,
      onReloadFailed: (err) => deps.logger.warn({ err }, 'service area reload failed; answering from the previous snapshot'),
    });
    ctx = {
      db: deps.dataSource,
      outbox: deps.outbox,
      settings,
      serviceArea,
      gazetteer: readGazetteer(settings.GAZETTEER_FILE),
      partnerWaits: new PartnerWaits({
        read: () => readPartnerWaits(deps.redis),
        refreshMs: settings.PARTNER_WAIT_REFRESH_MS,
        maxAgeMs: settings.PARTNER_WAIT_MAX_AGE_MS,
        onReadFailed: (err) => deps.logger.warn({ err }, 'partner waits not read; answering from the last ones'),
      }),
      now: () => new Date(),
    };
    contexts.set(deps, ctx);
  }
  return ctx;
}

/**
 * location-service: zones (polygons → store), serviceability with distance and ETA, offline
 * geocoding, and address validation. Stores are inventory-service's; it keeps a read model of them.
 */
export const definition = defineService({
  name: 'location-service',
  settings: locationSettings,
  migrations,
  routes: (deps) => {
    const ctx = contextOf(deps);
    return [zonesRoutes(ctx, deps.openapi), locationsRoutes(ctx, deps.openapi)];
  },
  consumes: {
    topics: [eventsTopic('inventory-service')],
    subscriptions: (deps) => [onStoreUpdated(contextOf(deps))],
  },
});
