/**
 * Our gateway as production runs it: createGatewayApp with every middleware on (request id, access
 * log at info: for what the gateway answers itself, and with LOG_RELAYED_REQUESTS=true for every
 * request; metrics, CORS, route, body limit, token check, rate limits, role rule, response cache,
 * breaker, round-robin, proxy; security headers on its own answers), its logs going to a pipe that
 * another process reads, as a container's stdout does (startServer). The general rate limit is
 * real (counted in memory, shared through Redis) but high enough never to trigger, under a key
 * prefix of this run only. Every service's upstream is the benchmark's one upstream. Tokens are
 * signed by a test issuer whose JWKS this process serves (fetched once); it reports a customer
 * token with its port.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { RevocationList } from '@qc/shared/auth';
import { SERVICES, envPrefix } from '@qc/shared/fleet';
import { createLogger } from '@qc/shared/logging';
import { Metrics } from '@qc/shared/metrics';
import { TestTokenIssuer } from '@qc/shared/testing';
import { createGatewayApp } from '../../api-gateway/dist/app.js';
import { loadGatewayConfig } from '../../api-gateway/dist/config.js';
import { createGatewayRedis } from '../../api-gateway/dist/rate-limit.js';

const issuer = await TestTokenIssuer.start();
const config = loadGatewayConfig({
  ...process.env,
  ...Object.fromEntries(SERVICES.map((service) => [`UPSTREAM_${envPrefix(service.name)}`, process.env.UPSTREAM_URL])),
  JWKS_URL: issuer.jwksUrl,
  RATE_LIMIT_MAX: String(1_000_000_000),
  RATE_LIMIT_PREFIX: `bench:gateway:${randomUUID()}:`,
});
const logger = createLogger('api-gateway', config.LOG_LEVEL);
const redis = createGatewayRedis(config.REDIS_URL, logger);
await redis.connect();
const revocations = new RevocationList(redis, logger);
await revocations.start();
const { app } = createGatewayApp({ config, logger, metrics: new Metrics('api-gateway'), redis, revocations });
const server = app.listen(0, '127.0.0.1', () =>
  process.send!({ port: (server.address() as AddressInfo).port, token: issuer.token({ expiresInSeconds: 900 }) }),
);
