import type { Redis } from '@qc/shared/redis';

/** The hash delivery-service publishes each store's partner wait in (its PARTNER_WAIT_KEY); same key prefix. */
const PARTNER_WAIT_KEY = 'delivery:partner-wait';

export function readPartnerWaits(redis: Redis): Promise<Record<string, string>> {
  return redis.hgetall(PARTNER_WAIT_KEY);
}
