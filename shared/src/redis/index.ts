import { Redis } from 'ioredis';

export { Redis } from 'ioredis';

/**
 * A Redis client that fails fast instead of queueing commands while disconnected, so a Redis
 * outage turns into quick errors (and 503s) rather than requests that hang.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}
