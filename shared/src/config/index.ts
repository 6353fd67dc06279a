import { z } from 'zod';

/**
 * Configuration is read once at start from the environment, validated by zod and frozen. A bad
 * environment stops the process with one message that lists every problem, not just the first.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): Readonly<z.output<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return Object.freeze(result.data);
}

/** Comma-separated list, e.g. `KAFKA_BROKERS=a:9092,b:9092`. */
export const csv = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string()).min(1));

/** A TCP port; an empty value is an error, not port 0 (which would mean "any free port"). */
export const port = z.string().trim().min(1, 'must not be empty').transform(Number).pipe(z.number().int().min(0).max(65535));

/** Env booleans are strings: only `true`/`1` and `false`/`0` are accepted. */
export const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** proxy-addr's names for address ranges, allowed in TRUSTED_PROXIES next to addresses and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'] as const;
const proxyAddress = z.union([z.enum(PROXY_RANGE_NAMES), z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);
const MAX_PROXY_HOPS = 10;

/**
 * The proxies whose `X-Forwarded-For`/`-Proto` this process believes: a hop count (the N nearest
 * hops, for a process reachable only through them), or a list of addresses, CIDRs and proxy-addr's
 * range names. Empty means none: the client is the connection's own address, whatever it sends.
 */
export type TrustedProxies = number | readonly string[];

export const trustedProxies = z
  .string()
  .trim()
  .transform((text, ctx): TrustedProxies => {
    if (/^\d+$/.test(text)) {
      const hops = Number(text);
      if (hops <= MAX_PROXY_HOPS) return hops;
      ctx.addIssue({ code: 'custom', message: `a hop count must be at most ${MAX_PROXY_HOPS}` });
      return z.NEVER;
    }
    if (text === '') return [];
    const entries = text.split(',').map((entry) => entry.trim());
    for (const entry of entries.filter((e) => !proxyAddress.safeParse(e).success)) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address, a CIDR or one of ${PROXY_RANGE_NAMES.join(', ')}` });
    }
    return entries;
  });

export const mysqlUrl = z.url({ protocol: /^mysql$/, error: 'must be a mysql:// URL' });
export const redisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' });

/** Variables every service shares. Secrets (the database URL) have no default on purpose. */
export const serviceEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('0.0.0.0'),
  MYSQL_URL: mysqlUrl,
  MYSQL_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  /**
   * Put before every Redis key (and pub/sub channel) the process uses, so two fleets can share one
   * Redis without seeing each other's state; the end-to-end tests run theirs under `e2e:<run>:`.
   */
  REDIS_KEY_PREFIX: z
    .string()
    .max(64)
    .regex(/^[\w.:-]*$/, 'letters, digits and _ . : - only')
    .default(''),
  KAFKA_BROKERS: csv.default(['127.0.0.1:9092']),
  /**
   * Put before every topic name on the broker (`order.events` is `<prefix>order.events` there), so
   * two fleets can share one Kafka without answering each other's events; the end-to-end tests run
   * theirs under `e2e.<run>.`. Kafka's own topic characters only.
   */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9._-]*$/, 'letters, digits and . _ - only')
    .default(''),
  /** Consumer group; defaults to the service name. A separate group reads the topics independently. */
  KAFKA_CONSUMER_GROUP: z.string().min(1).optional(),
  BODY_LIMIT: z.string().default('100kb'),
  CORS_ORIGINS: csv.optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1_000),
  /** Access tokens (DESIGN §3): who signs them, who they are for, and where their public keys are. */
  JWT_ISSUER: z.string().min(1).default('quickcommerce'),
  JWT_AUDIENCE: z.string().min(1).default('quickcommerce-api'),
  JWKS_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8081/.well-known/jwks.json'),
  /** Whose forwarding headers count (trustedProxies); none by default (DESIGN §2). */
  TRUSTED_PROXIES: trustedProxies.default([]),
});
export type ServiceEnv = z.output<typeof serviceEnv>;
