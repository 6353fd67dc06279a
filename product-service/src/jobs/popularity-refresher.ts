import type { Logger } from '@qc/shared/logging';
import { PeriodicJob, type BackgroundJob } from '@qc/shared/service';
import type { Catalog } from '../domain/catalog';
import { refreshPopularity } from '../domain/popularity';

/**
 * Brings popularity up to date with the units sold, every `intervalMs` and once at start (the
 * window moves on while the service is down too). Any number of replicas may run it: each sets
 * the same values, and one that finds them set changes nothing and drops no cache.
 */
export function popularityRefresher(catalog: Catalog, logger: Logger, intervalMs: number): BackgroundJob {
  return new PeriodicJob({
    name: 'popularity-refresher',
    logger,
    intervalMs,
    roundAtStart: true,
    round: async () => {
      const changed = await refreshPopularity(catalog);
      if (changed > 0) logger.debug({ changed }, 'popularity refreshed');
    },
  });
}
