import type { Redis } from '@qc/shared/redis';

/**
 * The expected wait for a free partner at each store, for location-service's ETA: a Redis hash
 * `delivery:partner-wait`, store id → `{"minutes": 4, "at": <epoch ms>}`. Both services use the
 * fleet's key prefix, so they read and write the same key.
 */
export const PARTNER_WAIT_KEY = 'delivery:partner-wait';

export async function publishPartnerWaits(redis: Redis, waits: Map<string, number>, at: Date): Promise<void> {
  if (waits.size === 0) return;
  const fields = Object.fromEntries([...waits].map(([storeId, minutes]) => [storeId, JSON.stringify({ minutes, at: at.getTime() })]));
  await redis.hset(PARTNER_WAIT_KEY, fields);
}
