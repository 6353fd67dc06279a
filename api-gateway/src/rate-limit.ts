import type { Request } from 'express';
import type { Logger } from '@qc/shared/logging';
import { address } from '@qc/shared/rate-limit';
import { createRedis, type Redis, type RedisSettings } from '@qc/shared/redis';

// The limiter and its exact store moved to the platform: services limit their own auth routes with them too.
export {
  address,
  exactRedisStore,
  rateLimitRejections,
  rateLimiter,
  type RateLimitDeps,
  type RateLimitPolicy,
} from '@qc/shared/rate-limit';

/** Redis answers in well under a millisecond; one that takes longer is treated as down. */
const COMMAND_TIMEOUT_MS = 200;

/**
 * The gateway's Redis client: the shared one (fail fast while disconnected), plus what frequent
 * small commands need. Auto-pipelining writes the commands issued in the same tick together, one
 * syscall instead of one each, on both sides; the command deadline keeps a stuck Redis from
 * stalling requests (the exact limiter then fails open).
 */
export function createGatewayRedis(target: string | RedisSettings, logger: Logger): Redis {
  return createRedis(target, logger, { enableAutoPipelining: true, commandTimeout: COMMAND_TIMEOUT_MS });
}

/**
 * Who a request counts against: the signed-in user (however many addresses they come from), else
 * the address (address()).
 */
export function userOrAddress(req: Request): string {
  return req.principal ? `user:${req.principal.userId}` : address(req);
}
