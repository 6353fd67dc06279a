import type { RequestHandler } from 'express';
import { rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { Counter } from 'prom-client';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { AppError } from '@qc/shared/http';
import type { Logger } from '@qc/shared/logging';
import type { Metrics } from '@qc/shared/metrics';
import { createRedis, type Redis } from '@qc/shared/redis';
import type { GatewayConfig } from './config';

/** Redis answers in well under a millisecond; one that takes longer is treated as down. */
const COMMAND_TIMEOUT_MS = 200;
/** While Redis is down every request fails to count; one log line per interval says so. */
const STORE_ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * The gateway's Redis client: the shared one (fail fast while disconnected), plus what one command
 * per request needs. Auto-pipelining writes the commands issued in the same tick together, one
 * syscall instead of one each, on both sides; the command deadline keeps a stuck Redis from
 * stalling requests (the limiter then fails open).
 */
export function createGatewayRedis(url: string): Redis {
  return createRedis(url).duplicate({ enableAutoPipelining: true, commandTimeout: COMMAND_TIMEOUT_MS });
}

export interface RateLimitDeps {
  config: Pick<GatewayConfig, 'RATE_LIMIT_WINDOW_MS' | 'RATE_LIMIT_MAX' | 'RATE_LIMIT_PREFIX'>;
  /** From createGatewayRedis, connected. */
  redis: Redis;
  metrics: Metrics;
  logger: Logger;
}

/**
 * RATE_LIMIT_MAX requests per client per window, counted in Redis so every gateway replica shares
 * one count. Answers carry the IETF draft-8 `RateLimit` and `RateLimit-Policy` headers; a client
 * over the limit gets 429 in the error envelope with `Retry-After`. If Redis is down or slow the
 * request passes uncounted (fail open): losing rate limiting for a while beats losing the API.
 * Redis is asked once per request (one EVALSHA); see createGatewayRedis for why that stays cheap.
 * Clients are told apart by IP address (Express's `req.ip`, which honours the trusted proxies)
 * until authentication arrives.
 */
export function rateLimiter({ config, redis, metrics, logger }: RateLimitDeps): RequestHandler {
  const rejections = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests answered 429 because the client was over its rate limit',
    registers: [metrics.registry],
  });
  const windowSeconds = config.RATE_LIMIT_WINDOW_MS / 1000;
  return rateLimit({
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    limit: config.RATE_LIMIT_MAX,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // The policy's name in the RateLimit headers, computed once rather than per request.
    identifier: `${config.RATE_LIMIT_MAX}-in-${windowSeconds}s`,
    store: new RedisStore({
      prefix: config.RATE_LIMIT_PREFIX,
      sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
    }),
    passOnStoreError: true,
    logger: throttledLogger(logger),
    handler: (req, _res, next) => {
      rejections.inc();
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
  let lastErrorAt = 0;
  return {
    error: (err, message) => {
      if (Date.now() - lastErrorAt < STORE_ERROR_LOG_INTERVAL_MS) return;
      lastErrorAt = Date.now();
      logger.error({ err }, message ?? 'rate limiter error');
    },
    warn: (err, message) => logger.warn({ err }, message ?? 'rate limiter warning'),
  };
}
