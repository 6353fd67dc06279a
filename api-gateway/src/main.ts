import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { RevocationList } from '@qc/shared/auth';
import { GATEWAY } from '@qc/shared/fleet';
import { createLogger } from '@qc/shared/logging';
import { Metrics } from '@qc/shared/metrics';
import { Shutdown, closeServer } from '@qc/shared/runtime';
import { createGatewayApp } from './app';
import { loadGatewayConfig } from './config';
import { createGatewayRedis } from './rate-limit';

/** The only place that connects and listens. SIGTERM: stop accepting, finish requests, close. */
async function start(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger(GATEWAY.name, config.LOG_LEVEL);
  const metrics = new Metrics(GATEWAY.name);
  const shutdown = new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS);

  // Redis is required to start. Later outages: the general rate limit counts on each replica alone
  // until Redis is back, the strict one on sign-in fails open, and health warns.
  const redis = createGatewayRedis(config, logger);
  await redis.connect();

  const revocations = new RevocationList(redis, logger);
  await revocations.start();

  const gateway = createGatewayApp({ config, logger, metrics, redis, revocations });
  const server = gateway.app.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  // Longer than a load balancer's usual 60 s idle timeout, so it never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;

  shutdown
    .add('http', () => closeServer(server))
    .add('gateway', () => gateway.close())
    .add('redis', () => Promise.all([revocations.stop(), redis.quit()]));
  shutdown.installSignalHandlers();
  logger.info({ port: (server.address() as AddressInfo).port }, `${GATEWAY.name} listening`);
}

start().catch((err) => {
  console.error(`${GATEWAY.name} failed to start:`, err);
  process.exit(1);
});
