import type { RequestHandler } from 'express';
import { address, exactRedisStore, rateLimiter, rateLimitRejections } from '@qc/shared/rate-limit';
import type { ServiceDeps } from '@qc/shared/service';
import type { UserSettings } from '../config';

/**
 * The per-address limit on the routes that check a secret (sign-up, login, refresh, phone codes,
 * password, phone and email changes). The gateway applies the same limit to the `/api/v1/auth` ones;
 * this one holds when a request reaches the service around the gateway, and is the only per-address
 * limit on the phone and email changes. Counted exactly in Redis, so every replica shares it.
 * Behind the gateway, `req.ip` is the client's only when TRUSTED_PROXIES names the gateway.
 */
export function authRateLimit({ redis, logger, metrics, settings }: ServiceDeps<UserSettings>): RequestHandler {
  return rateLimiter(
    {
      name: 'auth',
      windowMs: settings.AUTH_RATE_LIMIT_WINDOW_MS,
      max: settings.AUTH_RATE_LIMIT_MAX,
      clientOf: address,
      store: exactRedisStore(redis, `${settings.AUTH_RATE_LIMIT_PREFIX}auth:`),
    },
    { logger, rejections: rateLimitRejections(metrics) },
  );
}
