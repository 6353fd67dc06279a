/**
 * `npm run demo:riders`: demo delivery partners for `make run`, so live tracking has something to
 * show. For every store delivery-service knows, RIDERS_PER_STORE partners (fixed ids, created once,
 * without user accounts: they act through the use cases, not HTTP) go online at their store and,
 * once a second each: accept what they are offered, ride in a straight line to the store, pick up,
 * ride to the drop-off, and hand over with the customer's code; idle ones circle near the store.
 * Positions go through the same path as a real partner's report, so the customer's stream shows
 * them. Ctrl-C takes the idle riders offline. RIDER_SPEEDUP (default 4) makes the rides shorter.
 */
import { createHash } from 'node:crypto';
import type { Principal } from '@qc/shared/auth';
import { createDataSource, migrate } from '@qc/shared/db';
import { Outbox } from '@qc/shared/events';
import { eventsTopic, processEnv, serviceSpec } from '@qc/shared/fleet';
import { createLogger } from '@qc/shared/logging';
import { createRedis } from '@qc/shared/redis';
import { loadServiceConfig } from '@qc/shared/service';
import { findDelivery } from '../data/deliveries.repository';
import { PartnerPositions } from '../data/partner-positions.redis';
import { insertPartner } from '../data/partners.repository';
import { generatedKey } from '../data/service-keys.repository';
import { listKnownStores, type StoreRecord } from '../data/stores.repository';
import { TrackingLog } from '../data/tracking-log.redis';
import type { DeliveryContext } from '../domain/context';
import { acceptDelivery, completeDelivery, pickUpDelivery } from '../domain/deliveries';
import { OtpVault } from '../domain/delivery-otp';
import { haversineKm, type LatLng } from '../domain/eta';
import { goOffline, goOnline, partnerStatus, reportPosition } from '../domain/partners';
import { TrailWriter } from '../jobs/trail-writer';
import { definition } from '../service';

const RIDER_KMH = 20;
const NAMES = ['Ravi', 'Asha', 'Imran', 'Lakshmi', 'Arjun', 'Fatima', 'Kiran', 'Meena'];

/** A stable UUID-shaped id from a name, so a second run finds the same riders. */
function stableId(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `km` from `from` towards `to`, or `to` when it is nearer than that. */
function stepTowards(from: LatLng, to: LatLng, km: number): LatLng {
  const left = haversineKm(from, to);
  if (left <= km) return to;
  const f = km / left;
  return { lat: from.lat + (to.lat - from.lat) * f, lng: from.lng + (to.lng - from.lng) * f };
}

interface Rider {
  principal: Principal;
  store: StoreRecord & LatLng;
  at: LatLng;
  /** The angle of an idle rider's circle around the store. */
  angle: number;
}

async function main(): Promise<void> {
  const env = process.env.MYSQL_URL ? process.env : processEnv(serviceSpec(definition.name), process.env);
  const { config, settings } = loadServiceConfig(definition, env);
  const logger = createLogger('demo-riders', config.LOG_LEVEL);
  const ridersPerStore = Number(env.RIDERS_PER_STORE ?? 3);
  const speedup = Number(env.RIDER_SPEEDUP ?? 4);
  const dataSource = createDataSource({ url: config.MYSQL_URL, poolSize: 4, migrations: definition.migrations ?? [] });
  await dataSource.initialize();
  await migrate(dataSource);
  const redis = createRedis(config, logger);
  await redis.connect();
  const trail = new TrailWriter(dataSource, logger, settings.TRAIL_FLUSH_MS);
  trail.start();
  const vault = new OtpVault(settings.DELIVERY_OTP_KEY ?? (await generatedKey(dataSource, 'delivery-otp')));
  const ctx: DeliveryContext = {
    db: dataSource,
    outbox: new Outbox(dataSource, eventsTopic(definition.name)),
    settings,
    positions: new PartnerPositions(redis),
    tracking: new TrackingLog(redis, settings.TRACKING_HISTORY),
    trail,
    otp: async () => vault,
    logger,
    now: () => new Date(),
  };

  const riders: Rider[] = [];
  for (const store of await listKnownStores(dataSource)) {
    if (!store.active || store.lat === null || store.lng === null) continue;
    for (let i = 0; i < ridersPerStore; i++) {
      const name = NAMES[(riders.length + i) % NAMES.length]!;
      const userId = stableId(`demo-rider:${store.id}:${i}`);
      await insertPartner(dataSource, {
        id: stableId(`demo-partner:${store.id}:${i}`),
        userId,
        name: `${name} (demo)`,
        phone: '+919800000000',
        storeId: store.id,
        vehicle: 'EV_SCOOTER',
      });
      const principal: Principal = { userId, role: 'delivery_partner', sessionId: userId, issuedAt: 0, expiresAt: Number.MAX_SAFE_INTEGER };
      const at = { lat: store.lat + (i - 1) * 0.001, lng: store.lng };
      await goOnline(ctx, principal, at);
      riders.push({ principal, store: { ...store, lat: store.lat, lng: store.lng }, at, angle: i });
    }
  }
  if (riders.length === 0) throw new Error('delivery-service knows no store yet: start the fleet (make run) so it reads the stores');
  console.log(`${riders.length} demo riders online at ${riders.length / ridersPerStore} stores; Ctrl-C to stop`);

  const kmPerTick = (RIDER_KMH * speedup) / 3600;
  const ride = async (rider: Rider) => {
    const { delivery } = await partnerStatus(ctx, rider.principal);
    let target: LatLng;
    if (!delivery) {
      rider.angle += 0.3;
      target = { lat: rider.store.lat + 0.002 * Math.sin(rider.angle), lng: rider.store.lng + 0.002 * Math.cos(rider.angle) };
    } else if (delivery.status === 'ASSIGNED') {
      await acceptDelivery(ctx, rider.principal, delivery.orderId);
      return;
    } else if (delivery.status === 'ACCEPTED') {
      target = rider.store;
      if (haversineKm(rider.at, target) < 0.02) return void (await pickUpDelivery(ctx, rider.principal, delivery.orderId));
    } else {
      target = delivery.dropoff ?? { lat: rider.store.lat + 0.015, lng: rider.store.lng + 0.01 };
      if (haversineKm(rider.at, target) < 0.02) {
        const full = (await findDelivery(dataSource, delivery.id))!;
        if (!full.otpSealed) return;
        const cod = full.codDueAmount === null ? undefined : { amount: full.codDueAmount, currency: 'INR' as const };
        await completeDelivery(ctx, rider.principal, delivery.orderId, { otp: vault.unseal(full.id, full.otpSealed), codCollected: cod });
        logger.info({ orderId: delivery.orderId }, 'demo rider delivered');
        return;
      }
    }
    rider.at = stepTowards(rider.at, target, kmPerTick);
    await reportPosition(ctx, rider.principal, { ...rider.at, accuracy: 5 });
  };

  let stopping = false;
  process.once('SIGINT', () => (stopping = true));
  process.once('SIGTERM', () => (stopping = true));
  while (!stopping) {
    const started = Date.now();
    await Promise.all(riders.map((rider) => ride(rider).catch((err: unknown) => logger.warn({ err }, 'demo rider step failed'))));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1_000 - (Date.now() - started))));
  }
  for (const rider of riders) await goOffline(ctx, rider.principal).catch(() => undefined);
  await trail.stop();
  await redis.quit();
  await dataSource.destroy();
  console.log('demo riders offline');
}

main().catch((err: unknown) => {
  console.error(`demo riders: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
