import { Router, type Express, type RequestHandler } from 'express';
import { TokenVerifier, authenticate, remoteJwks, type RevocationList } from '@qc/shared/auth';
import { SERVICES } from '@qc/shared/fleet';
import { createHttpApp } from '@qc/shared/http';
import type { Logger } from '@qc/shared/logging';
import type { Metrics } from '@qc/shared/metrics';
import type { Redis } from '@qc/shared/redis';
import { limitBodySize } from './body-limit';
import type { GatewayConfig } from './config';
import { healthRoutes } from './health';
import { apiDocsRoutes } from './openapi';
import { hasOpsToken, requireOpsToken } from './ops-access';
import { address, exactRedisStore, rateLimitRejections, rateLimiter, userOrAddress, type RateLimitDeps } from './rate-limit';
import { ResponseCache } from './response-cache';
import { enforceAccess } from './routing/access-rules';
import { forwardRoutedRequests, forwardToUpstream } from './routing/forward';
import { RouteTable } from './routing/route-table';
import { createUpstreams, type Upstreams } from './routing/upstreams';
import { SyncedRedisStore } from './synced-store';

export interface GatewayDeps {
  config: Readonly<GatewayConfig>;
  logger: Logger;
  metrics: Metrics;
  /** From createGatewayRedis, connected; holds the rate-limit counters shared by every replica. */
  redis: Redis;
  /** Started; the sessions user-service has ended, whose tokens are refused. */
  revocations: RevocationList;
}

export interface Gateway {
  app: Express;
  upstreams: Upstreams;
  /** Adds this replica's latest rate-limit counts to the shared ones now, rather than at the next sync. */
  syncRateLimits(): Promise<void>;
  /**
   * Sends the unsent rate-limit counts, stops the key refresh and the breakers, and closes pooled
   * upstream connections (the caller closes the server before, and Redis after).
   */
  close(): Promise<void>;
}

/**
 * The endpoints that check a secret: the strict per-address limit applies to them on top of the
 * general one. Looked up in lower case, so that `/api/v1/auth/LOGIN` counts too whatever the service
 * makes of it (paths with `//` or a trailing slash never get this far: forwardRoutedRequests).
 */
const SECRET_CHECKING_PATHS = new Set(
  ['login', 'register', 'refresh', 'otp/request', 'otp/verify', 'password'].map((action) => `/api/v1/auth/${action}`),
);

/**
 * The gateway's middleware chain (DESIGN §2). From the shared HTTP app: request id (accepted or
 * created, echoed, forwarded), access log and metrics, CORS. Then, for every path a service
 * serves:
 *
 *   route → body size limit → token check → rate limits → role rule → response cache → breaker →
 *   round-robin → proxy
 *
 * and for any other path the shared chain goes on: security headers, the gateway's own endpoints
 * (health, metrics, API document and UI: probes and scrapes are never rate limited), 404.
 * `/metrics` and the fleet detail of `/health` need the operations token (ops-access.ts); the
 * API document, the liveness and readiness probes and the bare `/health` status are public.
 * Forwarded answers carry the security headers the answering service set (every service runs the
 * same shared chain); answers the gateway writes itself, errors included, get them here.
 *
 * The token is checked before the rate limit, which counts signed-in users by user and everyone
 * else by address; it only records the outcome, so a forged token still counts against its
 * address before the role rule refuses it. Bodies are streamed to the services, never parsed here.
 * It never listens: main.ts does.
 */
export function createGatewayApp({ config, logger, metrics, redis, revocations }: GatewayDeps): Gateway {
  const routes = new RouteTable(SERVICES);
  const upstreams = createUpstreams(config, { logger });
  const keys = remoteJwks(config.JWKS_URL, { logger });
  const verifier = new TokenVerifier({
    keys,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    revocations,
  });
  const limits: RateLimitDeps = { logger, rejections: rateLimitRejections(metrics) };
  const sharedCounts = new SyncedRedisStore({ redis, prefix: config.RATE_LIMIT_PREFIX, syncMs: config.RATE_LIMIT_SYNC_MS, logger });
  const general = rateLimiter(
    {
      name: 'general',
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      max: config.RATE_LIMIT_MAX,
      clientOf: userOrAddress,
      store: sharedCounts,
    },
    limits,
  );
  const secretChecking = rateLimiter(
    {
      name: 'auth',
      windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS,
      max: config.AUTH_RATE_LIMIT_MAX,
      clientOf: address,
      store: exactRedisStore(redis, `${config.RATE_LIMIT_PREFIX}auth:`),
    },
    limits,
  );
  const cache =
    config.RESPONSE_CACHE_MB > 0
      ? new ResponseCache({ maxBytes: config.RESPONSE_CACHE_MB * 1024 * 1024, maxTtlMs: config.RESPONSE_CACHE_MAX_TTL_MS, metrics })
      : undefined;
  const strictOnSecretChecks: RequestHandler = (req, res, next) =>
    req.method === 'POST' && SECRET_CHECKING_PATHS.has(req.path.toLowerCase()) ? secretChecking(req, res, next) : next();

  const opsCheck = hasOpsToken(config.OPS_TOKEN);
  const operational = [
    healthRoutes({ pools: upstreams.pools, redis, probeTimeoutMs: config.PROBE_TIMEOUT_MS, showsFleet: opsCheck }),
    Router().get('/metrics', requireOpsToken(opsCheck), metrics.handler()),
    apiDocsRoutes({ pools: upstreams.pools, routes, probeTimeoutMs: config.PROBE_TIMEOUT_MS, cacheMs: config.OPENAPI_CACHE_MS }),
  ];
  const forward = forwardRoutedRequests(routes, [
    limitBodySize(config.BODY_LIMIT),
    authenticate(verifier),
    general,
    strictOnSecretChecks,
    enforceAccess(),
    ...(cache ? [cache.serve()] : []),
    forwardToUpstream(upstreams.pools, logger),
  ]);

  const app = createHttpApp({
    logger,
    metrics,
    bodyLimit: `${config.BODY_LIMIT}b`,
    corsOrigins: config.CORS_ORIGINS,
    trustedProxies: config.TRUSTED_PROXIES,
    logRelayedAnswers: config.LOG_RELAYED_REQUESTS,
    forward,
    operational,
    routes: [],
  });
  return {
    app,
    upstreams,
    syncRateLimits: () => sharedCounts.sync(),
    close: async () => {
      await sharedCounts.shutdown();
      keys.stop();
      upstreams.close();
    },
  };
}
