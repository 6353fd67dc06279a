import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../http/errors';
import { logSparingly, type Logger } from '../logging';

export { Redis } from 'ioredis';

/** Where a process's Redis is and the prefix of its keys (the two settings of `serviceEnv`). */
export interface RedisSettings {
  REDIS_URL: string;
  REDIS_KEY_PREFIX: string;
}

/**
 * A Redis client that fails fast instead of queueing commands while disconnected, so a Redis
 * outage turns into quick errors (and 503s) rather than requests that hang. Its connection errors
 * go to `logger`, one line per ten seconds while they repeat: without a listener, ioredis writes
 * every failed reconnect to stderr as unstructured text. `options` adds to these.
 *
 * Given the settings, every key gets REDIS_KEY_PREFIX (ioredis' `keyPrefix`): in plain commands,
 * MULTI, and the KEYS of Lua scripts (EVAL/EVALSHA, `defineCommand`). ioredis does not prefix
 * pub/sub channels, nor the pattern of KEYS/SCAN (whose answers do carry the prefix): code using
 * those adds `redis.options.keyPrefix` itself (RevocationList does). A bare URL means no prefix.
 */
export function createRedis(target: string | RedisSettings, logger: Logger, options: RedisOptions = {}): Redis {
  const [url, keyPrefix] = typeof target === 'string' ? [target, ''] : [target.REDIS_URL, target.REDIS_KEY_PREFIX];
  const redis = new Redis(url, {
    keyPrefix,
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
