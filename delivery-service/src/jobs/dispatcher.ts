import type { Logger } from '@qc/shared/logging';
import type { Redis } from '@qc/shared/redis';
import { PeriodicJob } from '@qc/shared/service';
import type { DeliveryContext } from '../domain/context';
import { withdrawUnansweredOffers } from '../domain/deliveries';
import { publishWaits, serveAllQueues } from '../domain/dispatch';

export interface DispatcherOptions {
  ctx: DeliveryContext;
  redis: Redis;
  logger: Logger;
  intervalMs: number;
}

/**
 * On an interval (the shared `PeriodicJob`: the first round at the first tick, one at a time, a
 * failed one logged and tried again at the next): withdraws offers nobody accepted in time, serves
 * every store's queue (the retry behind the assignments made as partners free up), and publishes
 * each store's partner wait. Any number of replicas may run it: each step takes the store's lock.
 */
export function dispatcher({ ctx, redis, logger, intervalMs }: DispatcherOptions): PeriodicJob {
  return new PeriodicJob({
    name: 'dispatcher',
    logger,
    intervalMs,
    round: async () => {
      const withdrawn = await withdrawUnansweredOffers(ctx);
      const offered = await serveAllQueues(ctx);
      await publishWaits(ctx, redis);
      if (withdrawn > 0 || offered > 0) logger.info({ withdrawn, offered }, 'dispatch round');
    },
  });
}
