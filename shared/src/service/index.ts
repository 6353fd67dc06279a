import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Router, type Express } from 'express';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { DestinationStream } from 'pino';
import type { DataSource, EntitySchema } from 'typeorm';
import type { z } from 'zod';
import { RevocationList, TokenVerifier, authenticate, remoteJwks, type KeyResolver } from '../auth';
import { ConfigError, loadConfig, port, serviceEnv, type ServiceEnv } from '../config';
import { createDataSource, migrate, pingDatabase, poolUsage, type MigrationClass } from '../db';
import { EventConsumer, Outbox, OutboxRelay, createKafka, ensureTopics, topicOnBroker, type Subscription } from '../events';
import { deadLetterTopic, eventsTopic, serviceSpec } from '../fleet';
import { healthRouter, type HealthCheck } from '../health';
import { createHttpApp } from '../http';
import { IdempotencyKeys, expiredKeysPurge, type IdempotencySetup } from '../idempotency';
import { createLogger, type Logger } from '../logging';
import { Metrics } from '../metrics';
import { createOpenApiRegistry, generateDocument, type OpenAPIRegistry } from '../openapi';
import { createRedis, type Redis } from '../redis';
import { Shutdown, closeServer } from '../runtime';

/** A service's environment: the shared variables plus its port (by default the manifest's). */
export type ServiceConfig = ServiceEnv & { PORT: number };

/** Everything a service's routes and consumers are given; built once in `runService`. */
export interface ServiceDeps<Settings = unknown> {
  name: string;
  config: ServiceConfig;
  /** The service's own settings, parsed by its definition's `settings` schema. */
  settings: Settings;
  /** The environment the service was started with. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  metrics: Metrics;
  dataSource: DataSource;
  redis: Redis;
  outbox: Outbox;
  openapi: OpenAPIRegistry;
  /** Checks access tokens; `authenticate` runs it on every request before the routes. */
  verifier: TokenVerifier;
  /** Ended sessions, whose access tokens are refused; shared by every process through Redis. */
  revocations: RevocationList;
  /**
   * The Idempotency-Key store of a service whose definition declares `idempotency`. Reading it in
   * any other service stops the start: its routes would otherwise run without their keys.
   */
  idempotency: IdempotencyKeys;
}

/**
 * What makes one service different from another; the rest (config, pools, migrations, outbox
 * relay, consumers, health, metrics, docs, shutdown) is the same for all eleven.
 */
export interface ServiceDefinition<Settings = unknown> {
  name: string;
  /**
   * The zod schema of the service's own environment variables. They are checked with the shared
   * ones at start, before anything connects; a bad value stops the start with every problem listed.
   */
  settings?: z.ZodType<Settings>;
  migrations?: MigrationClass[];
  entities?: EntitySchema[];
  /** Business routes (declared with `defineRoute`, which also documents them). */
  routes?(deps: ServiceDeps<Settings>): Router[];
  /**
   * Topics this service consumes (logical names, `order.events`; the platform reads them under
   * KAFKA_TOPIC_PREFIX) and what it does with each event type.
   */
  consumes?: { topics: string[]; subscriptions(deps: ServiceDeps<Settings>): Subscription[] };
  /** Work the service does on its own schedule (sweepers): started after the consumer, stopped right after it. */
  background?(deps: ServiceDeps<Settings>): BackgroundJob[];
  /**
   * Declares that the service's routes take `Idempotency-Key` (with `IdempotencyKeysTable…` in its
   * `migrations`), answering the keys' options (`{}` for the defaults). The platform then gives the
   * routes `deps.idempotency` and runs `expiredKeysPurge` as one of the background jobs.
   */
  idempotency?(settings: Settings): IdempotencySetup;
  /**
   * Where access-token keys come from; by default user-service's JWKS (JWKS_URL). user-service
   * itself signs the tokens and reads its own keys.
   */
  accessKeys?: (dataSource: DataSource) => Promise<KeyResolver>;
}

/** Declares a service; inference carries the settings' type into `routes`, `consumes` and `background`. */
export function defineService<Settings>(definition: ServiceDefinition<Settings>): ServiceDefinition<Settings> {
  return definition;
}

/**
 * The shared environment and the service's own settings, checked together so one message lists
 * every bad variable.
 */
export function loadServiceConfig<Settings>(
  definition: ServiceDefinition<Settings>,
  env: NodeJS.ProcessEnv,
): { config: ServiceConfig; settings: Settings } {
  const shared = serviceEnv.extend({ PORT: port.default(serviceSpec(definition.name).port) });
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const config = attempt(() => loadConfig(shared, env));
  const settings = attempt(() => (definition.settings ? loadConfig(definition.settings, env) : undefined));
  if (problems.length > 0) throw new ConfigError(problems);
  return { config: config!, settings: settings as Settings };
}

/**
 * Work a service runs on its own schedule; `stop` resolves once a round in progress has finished.
 * `PeriodicJob` is the loop that runs one.
 */
export interface BackgroundJob {
  start(): void;
  stop(): Promise<void>;
}

/** What the platform's readiness checks ask. */
export interface PlatformDependencies {
  dataSource: DataSource;
  redis: Redis;
  admin: Admin;
  relay: OutboxRelay;
}

export function platformHealthChecks({ dataSource, redis, admin, relay }: PlatformDependencies): HealthCheck[] {
  return [
    { name: 'mysql:connection', check: () => pingDatabase(dataSource) },
    { name: 'redis:connection', check: async () => void (await redis.ping()) },
    {
      name: 'kafka:connection',
      check: async () => ({ observedValue: (await admin.describeCluster()).brokers.length, observedUnit: 'brokers' }),
    },
    {
      name: 'outbox:backlog',
      critical: false,
      check: async () => {
        const pending = await relay.backlog();
        return { observedValue: pending, observedUnit: 'events', status: pending > 10_000 ? 'warn' : 'pass' };
      },
    },
  ];
}

/** Builds the Express app from its dependencies. It never listens or connects: `runService` does. */
export function createServiceApp<Settings>(
  definition: ServiceDefinition<Settings>,
  deps: ServiceDeps<Settings>,
  checks: HealthCheck[],
): Express {
  const routes = definition.routes?.(deps) ?? [];
  const document = generateDocument(deps.openapi, deps.name);
  const docs = Router().get('/openapi.json', (_req, res) => void res.json(document));
  return createHttpApp({
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: deps.config.BODY_LIMIT,
    corsOrigins: deps.config.CORS_ORIGINS,
    trustedProxies: deps.config.TRUSTED_PROXIES,
    operational: [healthRouter(deps.name, checks), Router().get('/metrics', deps.metrics.handler()), docs],
    authenticate: authenticate(deps.verifier),
    routes,
  });
}

export interface RunningService<Settings = unknown> {
  server: Server;
  port: number;
  deps: ServiceDeps<Settings>;
  kafka: Kafka;
  producer: Producer;
  relay: OutboxRelay;
  shutdown: Shutdown;
  /** Runs the graceful shutdown steps (what SIGTERM runs), without exiting the process. */
  stop(): Promise<void>;
}

/**
 * Starts one service: config, logger, MySQL pool and migrations, Redis, Kafka topics, producer,
 * outbox relay, consumers, then HTTP. Registers the shutdown steps in reverse order of need. Every
 * topic it creates, publishes on or reads is named on the broker with KAFKA_TOPIC_PREFIX before it.
 */
export async function runService<Settings>(
  definition: ServiceDefinition<Settings>,
  env: NodeJS.ProcessEnv = process.env,
  /** Where log lines go instead of stdout (tests read them). */
  logDestination?: DestinationStream,
): Promise<RunningService<Settings>> {
  const { config, settings } = loadServiceConfig(definition, env);
  const logger = createLogger(definition.name, config.LOG_LEVEL, logDestination);
  const metrics = new Metrics(definition.name);
  const shutdown = new Shutdown(logger, config.SHUTDOWN_TIMEOUT_MS);

  const dataSource = createDataSource({
    url: config.MYSQL_URL,
    poolSize: config.MYSQL_POOL_SIZE,
    migrations: definition.migrations ?? [],
    entities: definition.entities ?? [],
  });
  await dataSource.initialize();
  metrics.watchPool(() => poolUsage(dataSource));
  const applied = await migrate(dataSource);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');

  const redis = createRedis(config, logger);
  await redis.connect();
  const revocations = new RevocationList(redis, logger);
  await revocations.start();
  const verifier = new TokenVerifier({
    keys: definition.accessKeys ? await definition.accessKeys(dataSource) : remoteJwks(config.JWKS_URL, { logger }),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    revocations,
  });

  const kafka = createKafka(definition.name, config.KAFKA_BROKERS, logger);
  const admin = kafka.admin();
  await admin.connect();
  const onBroker = (topic: string) => topicOnBroker(config.KAFKA_TOPIC_PREFIX, topic);
  const ownTopic = onBroker(eventsTopic(definition.name));
  await ensureTopics(admin, [ownTopic, onBroker(deadLetterTopic(definition.name)), ...(definition.consumes?.topics ?? []).map(onBroker)]);
  const producer = kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();

  const relay = new OutboxRelay({ dataSource, producer, logger, metrics, pollMs: config.OUTBOX_POLL_MS });
  const outbox = new Outbox(dataSource, ownTopic, () => relay.wake());
  const idempotencySetup = definition.idempotency?.(settings);
  const idempotency = idempotencySetup && new IdempotencyKeys(dataSource, idempotencySetup);
  const deps: ServiceDeps<Settings> = {
    name: definition.name,
    config,
    settings,
    env,
    logger,
    metrics,
    dataSource,
    redis,
    outbox,
    openapi: createOpenApiRegistry(),
    verifier,
    revocations,
    idempotency: idempotency!,
  };
  if (!idempotency) {
    // Not enumerable, so spreading the deps (a command's, a test's) does not trip it.
    Object.defineProperty(deps, 'idempotency', {
      enumerable: false,
      get: () => {
        throw new Error(`${definition.name} takes Idempotency-Key: its definition must declare \`idempotency\``);
      },
    });
  }

  const app = createServiceApp(definition, deps, platformHealthChecks({ dataSource, redis, admin, relay }));
  const server = app.listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  // Keep-alive longer than the gateway's agent, so the gateway never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;

  relay.start();
  let consumer: EventConsumer | undefined;
  if (definition.consumes) {
    consumer = new EventConsumer({
      name: definition.name,
      groupId: config.KAFKA_CONSUMER_GROUP ?? definition.name,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      kafka,
      producer,
      dataSource,
      outbox,
      logger,
      metrics,
      topics: definition.consumes.topics,
      subscriptions: definition.consumes.subscriptions(deps),
    });
    await consumer.start();
  }
  const jobs = [
    ...(idempotency ? [expiredKeysPurge(idempotency, logger, idempotencySetup?.purge)] : []),
    ...(definition.background?.(deps) ?? []),
  ];
  for (const job of jobs) job.start();

  // In the order they run: stop taking requests, stop consuming (offsets committed) and the
  // background jobs, flush the relay, then close the clients and pools the earlier steps still needed.
  shutdown
    .add('http', () => closeServer(server))
    .add('consumer', () => consumer?.stop())
    .add('background jobs', () => Promise.all(jobs.map((job) => job.stop())))
    .add('outbox relay', () => relay.stop())
    .add('kafka', () => Promise.all([producer.disconnect(), admin.disconnect()]))
    .add('redis', () => Promise.all([revocations.stop(), redis.quit()]))
    .add('mysql', () => dataSource.destroy());

  const boundPort = (server.address() as AddressInfo).port;
  logger.info({ port: boundPort }, `${definition.name} listening`);
  return { server, port: boundPort, deps, kafka, producer, relay, shutdown, stop: () => shutdown.run() };
}

/** main.ts of every service: start, install signal handlers, exit non-zero on a failed start. */
export function main<Settings>(definition: ServiceDefinition<Settings>): void {
  runService(definition)
    .then((running) => running.shutdown.installSignalHandlers())
    .catch((err) => {
      console.error(`${definition.name} failed to start:`, err);
      process.exit(1);
    });
}

export { runCommand, type CommandContext } from './command';
export { PeriodicJob, type PeriodicJobOptions } from './periodic-job';
