import { z } from 'zod';
import { csv, flag, loadConfig, port, serviceEnv } from '@qc/shared/config';
import { GATEWAY, SERVICES, envPrefix } from '@qc/shared/fleet';

/** `order-service` → `UPSTREAM_ORDER_SERVICE`: where the gateway finds that service's instances. */
export function upstreamVariable(service: string): string {
  return `UPSTREAM_${envPrefix(service)}`;
}

const SIZE = /^(\d+)\s*(b|kb|mb)?$/i;
const UNITS = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;

/** The sizes express.json accepts (`100kb`, `1mb`, 1024-based) as bytes, so BODY_LIMIT means the same everywhere. */
const byteSize = z
  .string()
  .regex(SIZE, 'must be a size such as 512kb or 1mb')
  .transform((text) => {
    const [, amount, unit] = SIZE.exec(text)!;
    return Number(amount) * UNITS[(unit?.toLowerCase() ?? 'b') as keyof typeof UNITS];
  });

const milliseconds = z.coerce.number().int().min(1);

/** Services speak plain HTTP inside the network; TLS ends at the load balancer in front of the gateway. */
const instanceUrls = csv.pipe(z.array(z.url({ protocol: /^http$/, error: 'must be a comma-separated list of http:// URLs' })));

/** One variable per service, each one URL per instance; unset, the manifest's port on this host. */
const upstreamsShape = Object.fromEntries(
  SERVICES.map((service) => [upstreamVariable(service.name), instanceUrls.default([`http://127.0.0.1:${service.port}`])]),
);

const settings = serviceEnv
  .pick({
    NODE_ENV: true,
    LOG_LEVEL: true,
    HOST: true,
    REDIS_URL: true,
    REDIS_KEY_PREFIX: true,
    CORS_ORIGINS: true,
    SHUTDOWN_TIMEOUT_MS: true,
    JWT_ISSUER: true,
    JWT_AUDIENCE: true,
    JWKS_URL: true,
    TRUSTED_PROXIES: true,
  })
  .extend({
    PORT: port.default(GATEWAY.port),
    BODY_LIMIT: serviceEnv.shape.BODY_LIMIT.pipe(byteSize),
    RATE_LIMIT_WINDOW_MS: milliseconds.default(60_000),
    /** Requests one client (the signed-in user, else the IP address) may make per window. */
    RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(600),
    /** Redis key prefix of the counters; every replica of one gateway must use the same. */
    RATE_LIMIT_PREFIX: z.string().min(1).default('ratelimit:gateway:'),
    /**
     * How often a replica adds its counts to the shared ones in Redis and reads them back. A client
     * can pass RATE_LIMIT_MAX by what it sends each replica within one interval (SyncedRedisStore).
     */
    RATE_LIMIT_SYNC_MS: milliseconds.default(100),
    /**
     * The much stricter limit per IP address on the endpoints that check a secret (login, phone
     * codes, refresh, sign-up), against credential stuffing and code guessing.
     */
    AUTH_RATE_LIMIT_WINDOW_MS: milliseconds.default(60_000),
    AUTH_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(20),
    /** How long the gateway waits for a service's response headers. */
    UPSTREAM_TIMEOUT_MS: milliseconds.default(5_000),
    /** How long an open breaker rejects at once before letting one trial request through. */
    BREAKER_RESET_MS: milliseconds.default(10_000),
    /** Failure percentage, over the last 10 s, above which an instance's breaker opens. */
    BREAKER_ERROR_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
    /** Requests an instance must have had in the last 10 s before its breaker may open at all. */
    BREAKER_VOLUME: z.coerce.number().int().min(1).default(5),
    /** Deadline of each `/health/ready` and `/openapi.json` request the gateway sends to a service. */
    PROBE_TIMEOUT_MS: milliseconds.default(1_000),
    /** Memory for the gateway's cache of public answers (the catalog's); 0 turns it off. */
    RESPONSE_CACHE_MB: z.coerce.number().min(0).max(4096).default(64),
    /** Longest a cached answer is reused, whatever its max-age: how stale a catalog page may be here. */
    RESPONSE_CACHE_MAX_TTL_MS: z.coerce.number().int().min(0).default(5_000),
    /**
     * Whether a request a service answered gets an access line from the gateway too. The service
     * writes one under the same request id; the gateway always logs what it answers itself
     * (rejections, breaker and timeout answers, cached answers, its own endpoints), relayed 5xx
     * and clients that left.
     */
    LOG_RELAYED_REQUESTS: flag.default(false),
    /**
     * Bearer token that unlocks `/metrics` and the fleet detail of `/health` (ops-access.ts); unset,
     * nothing does. At least 32 characters: `openssl rand -hex 32`. Empty counts as unset.
     */
    OPS_TOKEN: z
      .union([z.literal(''), z.string().min(32, 'must be at least 32 characters (openssl rand -hex 32)')])
      .optional()
      .transform((token) => token || undefined),
    /** How long the merged API document is reused before the services are asked again. */
    OPENAPI_CACHE_MS: z.coerce.number().int().min(0).default(10_000),
    // The upstream variables are validated in their own object: their names come from the manifest, so
    // TypeScript cannot type them one by one next to the fixed settings.
    upstreams: z.object(upstreamsShape),
  });

export const gatewayEnv = z
  .preprocess((env) => ({ ...(env as object), upstreams: env }), settings)
  .transform(({ upstreams, ...rest }) => ({
    ...rest,
    /** Instance URLs of every service, by service name, in the order they were configured. */
    upstreams: new Map(SERVICES.map((service) => [service.name, upstreams[upstreamVariable(service.name)]!])),
  }));

export type GatewayConfig = z.output<typeof gatewayEnv>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): Readonly<GatewayConfig> {
  return loadConfig(gatewayEnv, env);
}
