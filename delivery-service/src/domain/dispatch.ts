import { countQueuedByStore, recentDeliveryMinutes } from '../data/deliveries.repository';
import { publishPartnerWaits } from '../data/partner-waits.redis';
import { countOnlinePartners } from '../data/partners.repository';
import { listKnownStores } from '../data/stores.repository';
import type { Redis } from '@qc/shared/redis';
import { serveQueue } from './assignment';
import type { DeliveryContext } from './context';
import { partnerWaitMinutes } from './partner-wait';

/**
 * Serves every store that has deliveries queued: the safety net behind the assignments made as
 * partners come online or free up (one made on another replica while this store's queue was
 * locked, a transaction that failed). Returns how many deliveries were offered.
 */
export async function serveAllQueues(ctx: DeliveryContext): Promise<number> {
  let offered = 0;
  for (const storeId of (await countQueuedByStore(ctx.db)).keys()) {
    offered += (await ctx.outbox.transaction((tx, emit) => serveQueue(ctx, tx, emit, storeId))).length;
  }
  return offered;
}

/**
 * Each known store's expected wait for a partner, from its free and busy partners, its queue and
 * its recent turnaround, published for location-service's ETA.
 */
export async function publishWaits(ctx: DeliveryContext, redis: Redis): Promise<Map<string, number>> {
  const [stores, loads, queued, turnaround] = await Promise.all([
    listKnownStores(ctx.db),
    countOnlinePartners(ctx.db),
    countQueuedByStore(ctx.db),
    recentDeliveryMinutes(ctx.db),
  ]);
  const waits = new Map<string, number>();
  for (const store of stores) {
    const load = loads.find((l) => l.storeId === store.id) ?? { free: 0, busy: 0 };
    const minutes = partnerWaitMinutes(
      {
        ...load,
        queued: queued.get(store.id) ?? 0,
        turnaroundMinutes: turnaround.get(store.id) ?? ctx.settings.AVERAGE_DELIVERY_MINUTES,
      },
      ctx.settings.NO_PARTNER_WAIT_MINUTES,
    );
    waits.set(store.id, minutes);
  }
  await publishPartnerWaits(redis, waits, ctx.now());
  return waits;
}
