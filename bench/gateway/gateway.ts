/**
 * Our gateway as production runs it: createGatewayApp with every middleware on (request id, access
 * log at info, metrics, helmet, CORS, body limit, Redis-backed rate limit, route, breaker,
 * round-robin, proxy), its logs going where a container's stdout would. The rate limit is real but
 * high enough never to trigger, under a key prefix of this run only.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@qc/shared/logging';
import { Metrics } from '@qc/shared/metrics';
import { createGatewayApp } from '../../api-gateway/dist/app.js';
import { loadGatewayConfig } from '../../api-gateway/dist/config.js';
import { createGatewayRedis } from '../../api-gateway/dist/rate-limit.js';

const config = loadGatewayConfig({
  ...process.env,
  UPSTREAM_PRODUCT_SERVICE: process.env.UPSTREAM_URL,
  RATE_LIMIT_MAX: String(1_000_000_000),
  RATE_LIMIT_PREFIX: `bench:gateway:${randomUUID()}:`,
});
const redis = createGatewayRedis(config.REDIS_URL);
await redis.connect();
const { app } = createGatewayApp({
  config,
  logger: createLogger('api-gateway', config.LOG_LEVEL),
  metrics: new Metrics('api-gateway'),
  redis,
});
const server = app.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
