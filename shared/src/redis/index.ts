import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../http/errors';
import { logSparingly, type Logger } from '../logging';

export { Redis } from 'ioredis';

/**
 * A Redis client that fails fast instead of queueing commands while disconnected, so a Redis
 * outage turns into quick errors (and 503s) rather than requests that hang. Its connection errors
 * go to `logger`, one line per ten seconds while they repeat: without a listener, ioredis writes
 * every failed reconnect to stderr as unstructured text. `options` adds to these.
 */
export function createRedis(url: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...options,
  });
  redis.on(
    'error',
    logSparingly((err: Error) => logger.warn({ err }, 'Redis connection failed; reconnecting')),
  );
  return redis;
}

/**
 * For work that cannot be done without Redis (login lockout counts, phone codes, ending sessions):
 * a Redis failure becomes a 503 with `Retry-After` instead of a 500, which would say it is a bug.
 */
export async function requireRedis<T>(work: Promise<T>, what: string): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', `${what} is unavailable right now`, { retryAfterSeconds: 2, cause: err });
  }
}
