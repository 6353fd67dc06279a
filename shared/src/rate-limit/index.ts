import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitInfo, type Store } from 'express-rate-limit';
import { Counter } from 'prom-client';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { AppError } from '../http/errors';
import { logSparingly, type Logger } from '../logging';
import type { Metrics } from '../metrics';
import type { Redis } from '../redis';

/**
 * Rate limits counted in Redis, shared by every replica: the gateway's (per user and per address)
 * and the per-address limit services apply to their own routes that check a secret, in case a
 * request reaches them around the gateway.
 */

export interface RateLimitDeps {
  logger: Logger;
  /** From rateLimitRejections. */
  rejections: Counter<'policy'>;
}

export interface RateLimitPolicy {
  /** Names the policy in metrics and in the `RateLimit` headers. */
  name: string;
  windowMs: number;
  /** Requests one client may make per window. */
  max: number;
  /** Which client a request counts against. */
  clientOf: (req: Request) => string;
  /** Where the counts live, shared by every replica: the gateway's SyncedRedisStore, or exactRedisStore. */
  store: Store;
}

/**
 * Counts kept in Redis alone, one script call per request: exact across replicas, for the low-volume
 * limits where a burst past the limit matters (guessing passwords and codes). The gateway's general
 * limit uses its cheaper SyncedRedisStore.
 */
export function exactRedisStore(redis: Redis, prefix: string): Store {
  return new RedisStore({
    prefix,
    sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
  });
}

/**
 * The client's IP address: Express's `req.ip`, which honours the trusted proxies; IPv6 by /56
 * subnet, since one client holds a whole range (ipKeyGenerator).
 */
export function address(req: Request): string {
  return `ip:${ipKeyGenerator(req.ip ?? '')}`;
}

/** Rejections of every policy, one counter labelled by policy (prom-client allows one metric per name and registry). */
export function rateLimitRejections(metrics: Metrics): Counter<'policy'> {
  return new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests answered 429 because the client was over a rate limit',
    labelNames: ['policy'],
    registers: [metrics.registry],
  });
}

/**
 * `max` requests per client per window, counted in `policy.store` so every replica shares one
 * count. Answers carry the IETF draft-7 `RateLimit` and `RateLimit-Policy` headers (draft-8 adds a
 * partition key, a SHA-256 of the client's key on every request: 2 % of the gateway's CPU,
 * bench/gateway); a client over the limit gets 429 in the error envelope with `Retry-After`. If
 * the store fails (Redis down or slow, for the exact store) the request passes uncounted (fail
 * open): losing rate limiting for a while beats losing the API.
 */
export function rateLimiter(policy: RateLimitPolicy, { logger, rejections }: RateLimitDeps): RequestHandler {
  const windowSeconds = policy.windowMs / 1000;
  const rejected = rejections.labels(policy.name);
  return rateLimit({
    windowMs: policy.windowMs,
    limit: policy.max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: policy.clientOf,
    store: policy.store,
    passOnStoreError: true,
    logger: throttledLogger(logger),
    handler: (req, _res, next) => {
      rejected.inc();
      const info = (req as typeof req & { rateLimit: RateLimitInfo }).rateLimit;
      const retryAfterSeconds = Math.max(1, Math.ceil(((info.resetTime?.getTime() ?? Date.now()) - Date.now()) / 1000));
      next(
        new AppError('rate_limited', 'RATE_LIMITED', 'Too many requests', {
          retryAfterSeconds,
          details: [{ message: `at most ${info.limit} requests per ${windowSeconds} s`, retryAfterSeconds }],
        }),
      );
    },
  });
}

/** express-rate-limit logs every failed count; during an outage that would be one line per request. */
function throttledLogger(logger: Logger): {
  error: (error: unknown, message?: string) => void;
  warn: (error: unknown, message?: string) => void;
} {
  return {
    error: logSparingly((err: unknown, message?: string) => logger.error({ err }, message ?? 'rate limiter error')),
    warn: (err, message) => logger.warn({ err }, message ?? 'rate limiter warning'),
  };
}
