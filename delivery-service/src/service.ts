import { eventsTopic } from '@qc/shared/fleet';
import { defineService, type BackgroundJob, type ServiceDeps } from '@qc/shared/service';
import { DeliverySettings } from './config';
import { deliveryEventSubscriptions } from './consumers/delivery-events.consumer';
import { orderEventSubscriptions } from './consumers/order-events.consumer';
import { storeEventSubscriptions } from './consumers/store-events.consumer';
import { DeliveryTables1765100000000 } from './data/migrations/1765100000000-delivery';
import { OrderOutcomes1765300000000 } from './data/migrations/1765300000000-order-outcomes';
import { PartnerPositions } from './data/partner-positions.redis';
import { generatedKey } from './data/service-keys.repository';
import { TrackingLog } from './data/tracking-log.redis';
import type { DeliveryContext } from './domain/context';
import { OtpVault } from './domain/delivery-otp';
import { dispatcher } from './jobs/dispatcher';
import { TrailWriter } from './jobs/trail-writer';
import { deliveriesRoutes } from './routes/deliveries.routes';
import { partnersRoutes } from './routes/partners.routes';
import { TrackingHub } from './tracking/tracking-hub';

/** What one running delivery-service shares between its routes, consumers and jobs. */
export interface DeliveryRuntime {
  ctx: DeliveryContext;
  hub: TrackingHub;
  trail: TrailWriter;
  dispatcher: BackgroundJob;
}

const runtimes = new WeakMap<ServiceDeps<DeliverySettings>, DeliveryRuntime>();

/** The runtime of a running service, built on first use (routes, consumers and jobs each ask). */
export function runtimeOf(deps: ServiceDeps<DeliverySettings>): DeliveryRuntime {
  let runtime = runtimes.get(deps);
  if (!runtime) {
    const { settings, logger, dataSource, redis } = deps;
    const trail = new TrailWriter(dataSource, logger, settings.TRAIL_FLUSH_MS);
    const tracking = new TrackingLog(redis, settings.TRACKING_HISTORY);
    // Loaded now, while the pool is free: loaded on first use, inside a transaction holding the
    // store's lock, it could wait for a connection held by transactions waiting for that lock.
    const loadVault = () =>
      (settings.DELIVERY_OTP_KEY ? Promise.resolve(settings.DELIVERY_OTP_KEY) : generatedKey(dataSource, 'delivery-otp')).then(
        (key) => new OtpVault(key),
      );
    let vault: Promise<OtpVault> | undefined;
    const otp = () =>
      (vault ??= loadVault().catch((err: unknown) => {
        vault = undefined; // the next use tries again
        throw err;
      }));
    otp().catch((err: unknown) => logger.warn({ err }, 'delivery-code key not loaded at start; loading on first use'));
    if (!settings.DELIVERY_OTP_KEY && deps.config.NODE_ENV === 'production') {
      logger.warn('DELIVERY_OTP_KEY is not set: the delivery-code key is kept in the database, beside the codes it protects');
    }
    const ctx: DeliveryContext = {
      db: dataSource,
      outbox: deps.outbox,
      settings,
      positions: new PartnerPositions(redis),
      tracking,
      trail,
      otp,
      logger,
      now: () => new Date(),
    };
    runtime = {
      ctx,
      trail,
      hub: new TrackingHub({ redis, log: tracking, logger, heartbeatMs: settings.TRACKING_HEARTBEAT_MS }),
      dispatcher: dispatcher({ ctx, redis, logger, intervalMs: settings.DISPATCH_INTERVAL_MS }),
    };
    runtimes.set(deps, runtime);
  }
  return runtime;
}

/**
 * delivery-service: partners and their live positions, assignment of confirmed orders to the
 * nearest free partner (queued when none is free), the hand-over with the customer's delivery code,
 * live tracking over Server-Sent Events, and each store's partner wait for location-service's ETA.
 */
export const definition = defineService({
  name: 'delivery-service',
  settings: DeliverySettings,
  migrations: [DeliveryTables1765100000000, OrderOutcomes1765300000000],
  routes: (deps) => {
    const { ctx, hub } = runtimeOf(deps);
    return [partnersRoutes(ctx, deps.openapi), deliveriesRoutes(ctx, hub, deps.openapi)];
  },
  consumes: {
    topics: [eventsTopic('order-service'), eventsTopic('inventory-service'), eventsTopic('delivery-service')],
    subscriptions: (deps) => {
      const { ctx } = runtimeOf(deps);
      return [...orderEventSubscriptions(ctx), ...storeEventSubscriptions(), ...deliveryEventSubscriptions(ctx)];
    },
  },
  background: (deps) => {
    const { hub, trail, dispatcher } = runtimeOf(deps);
    return [hub, trail, dispatcher];
  },
});
