import { Router, type Express } from 'express';
import { SERVICES } from '@qc/shared/fleet';
import { createHttpApp } from '@qc/shared/http';
import type { Logger } from '@qc/shared/logging';
import type { Metrics } from '@qc/shared/metrics';
import type { Redis } from '@qc/shared/redis';
import { limitBodySize } from './body-limit';
import type { GatewayConfig } from './config';
import { healthRoutes } from './health';
import { apiDocsRoutes } from './openapi';
import { rateLimiter } from './rate-limit';
import { forwardToUpstream, resolveRoute } from './routing/forward';
import { RouteTable } from './routing/route-table';
import { createUpstreams, type Upstreams } from './routing/upstreams';

export interface GatewayDeps {
  config: Readonly<GatewayConfig>;
  logger: Logger;
  metrics: Metrics;
  /** From createGatewayRedis, connected; holds the rate-limit counters shared by every replica. */
  redis: Redis;
}

export interface Gateway {
  app: Express;
  upstreams: Upstreams;
  /** Stops the breakers and closes pooled upstream connections (the caller closes the server and Redis). */
  close(): void;
}

/**
 * The gateway's middleware chain (DESIGN §2). From the shared HTTP app: request id (accepted or
 * created, echoed, forwarded), access log and metrics, security headers, CORS. Then the gateway's
 * own endpoints (health, metrics, API document and UI: probes and scrapes are never rate limited),
 * and for everything else:
 *
 *   body size limit → rate limit → route → [authentication slot] → breaker → round-robin → proxy
 *
 * Bodies are streamed to the services, never parsed here. It never listens: main.ts does.
 */
export function createGatewayApp({ config, logger, metrics, redis }: GatewayDeps): Gateway {
  const routes = new RouteTable(SERVICES);
  const upstreams = createUpstreams(config, { metrics, logger });

  const operational = [
    healthRoutes({ pools: upstreams.pools, redis, probeTimeoutMs: config.PROBE_TIMEOUT_MS }),
    Router().get('/metrics', metrics.handler()),
    apiDocsRoutes({ pools: upstreams.pools, routes, probeTimeoutMs: config.PROBE_TIMEOUT_MS, cacheMs: config.OPENAPI_CACHE_MS }),
  ];
  const proxied = Router().use(
    limitBodySize(config.BODY_LIMIT),
    rateLimiter({ config, redis, metrics, logger }),
    resolveRoute(routes),
    // Authentication slot: JWT verification (user-service's JWKS, cached) and the route's role rule
    // belong here, after the cheap rejections above and before any upstream is touched.
    forwardToUpstream(upstreams.pools, logger),
  );

  const app = createHttpApp({
    logger,
    metrics,
    bodyLimit: `${config.BODY_LIMIT}b`,
    corsOrigins: config.CORS_ORIGINS,
    // Mounted before the shared body parser: the proxied chain streams bodies and must see them unread.
    operational: [...operational, proxied],
    routes: [],
  });
  return { app, upstreams, close: () => upstreams.close() };
}
