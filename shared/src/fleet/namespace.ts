import type { Admin } from 'kafkajs';
import type { Connection } from 'mysql2/promise';
import { SERVICES, databaseUser, envPrefix, type ServiceSpec } from './manifest';

/**
 * Where one fleet keeps its state on the shared MySQL, Redis and Kafka: each service's schema and
 * database user, each consuming service's consumer group, the prefix of every Redis key and the
 * prefix of every Kafka topic. `make run`'s fleet lives in RUN_NAMESPACE; the end-to-end tests
 * start a second fleet in a namespace of their own (e2eNamespace), so they never read or write a
 * developer's data, and neither fleet receives the other's events: an e2e run's order-service
 * publishes on `e2e.<run>.order.events`, which only that run's consumers read.
 */
export interface FleetNamespace {
  /** Names the namespace in messages. */
  readonly name: string;
  /** MySQL schema of a service (one with `spec.schema`). */
  schema(spec: ServiceSpec): string;
  /** The MySQL user a service connects as; it has rights on its own schema only. */
  databaseUser(spec: ServiceSpec): string;
  /** The Kafka consumer group of a consuming service (KAFKA_CONSUMER_GROUP). */
  consumerGroup(spec: ServiceSpec): string;
  /** REDIS_KEY_PREFIX of every process, the gateway's included; '' for none. */
  readonly redisKeyPrefix: string;
  /** KAFKA_TOPIC_PREFIX of every service: before every topic it creates, publishes on or reads; '' for none. */
  readonly kafkaTopicPrefix: string;
}

/** `make run`'s: the manifest's schemas (`qc_order`, …), users (`order_service`, …), unprefixed Redis keys and topics. */
export const RUN_NAMESPACE: FleetNamespace = {
  name: 'make run',
  schema: (spec) => ownSchema(spec),
  databaseUser: (spec) => databaseUser(spec.name),
  consumerGroup: (spec) => spec.name,
  redisKeyPrefix: '',
  kafkaTopicPrefix: '',
};

/**
 * One end-to-end run's: schemas and users `qce2e_<run>_<service>` (e.g. `qce2e_1a2b3c4d_order`),
 * consumer groups `e2e.<run>.<service>`, Redis keys under `e2e:<run>:`, topics under `e2e.<run>.`
 * (`e2e.1a2b3c4d.order.events`). `run` is 1–8 lower-case letters or digits, which keeps every user
 * name within MySQL's 32 characters.
 */
export function e2eNamespace(run: string): FleetNamespace {
  if (!/^[a-z0-9]{1,8}$/.test(run)) throw new Error(`an end-to-end run id is 1–8 lower-case letters or digits, not "${run}"`);
  const ownName = (spec: ServiceSpec) => `qce2e_${run}_${spec.name.replace(/-service$/, '').replace(/-/g, '_')}`;
  return {
    name: `end-to-end run ${run}`,
    schema: ownName,
    databaseUser: ownName,
    consumerGroup: (spec) => `e2e.${run}.${spec.name}`,
    redisKeyPrefix: `e2e:${run}:`,
    kafkaTopicPrefix: `e2e.${run}.`,
  };
}

/** The start second's digits in a run id: base 36 keeps it to 6 characters until 2038. */
const RUN_TIME_DIGITS = 6;

/**
 * A new end-to-end run id: the second it starts in base 36, then two random characters. A later
 * run reads the age of every namespace it finds from its id alone (runStartedAt), so it can remove
 * what a run killed outright left behind without touching a run still going.
 */
export function newRunId(now: number = Date.now()): string {
  const started = Math.floor(now / 1_000)
    .toString(36)
    .padStart(RUN_TIME_DIGITS, '0');
  const random = Math.floor(Math.random() * 36 ** 2)
    .toString(36)
    .padStart(2, '0');
  return `${started}${random}`;
}

/** When a run id says its run started (ms since the epoch). */
export function runStartedAt(run: string): number {
  return Number.parseInt(run.slice(0, RUN_TIME_DIGITS), 36) * 1_000;
}

const RUN_IN_NAME = [/^qce2e_([a-z0-9]{1,8})_/, /^e2e\.([a-z0-9]{1,8})\./, /^e2e:([a-z0-9]{1,8}):/];

/** The end-to-end runs named by schemas, users, topics, consumer groups or Redis keys, each once. */
export function runsNamedIn(names: Iterable<string>): Set<string> {
  const runs = new Set<string>();
  for (const name of names) {
    for (const pattern of RUN_IN_NAME) {
      const run = pattern.exec(name)?.[1];
      if (run) runs.add(run);
    }
  }
  return runs;
}

function ownSchema(spec: ServiceSpec): string {
  if (!spec.schema) throw new Error(`${spec.name} has no schema`);
  return spec.schema;
}

/** `ORDER_SERVICE_DB_PASSWORD`: the variable holding a service's database password. */
export function passwordVariable(spec: ServiceSpec): string {
  return `${envPrefix(spec.name)}_DB_PASSWORD`;
}

/**
 * Creates a namespace's schemas and one MySQL user per service with rights on its own schema only,
 * the passwords taken from `<SERVICE>_DB_PASSWORD` in `env`. Idempotent: existing schemas are kept,
 * passwords are (re)set to the ones given. `connection` is root's (or any user allowed to grant).
 */
export async function provisionDatabases(connection: Connection, namespace: FleetNamespace, env: NodeJS.ProcessEnv): Promise<void> {
  const missing = SERVICES.map(passwordVariable).filter((variable) => !env[variable]);
  if (missing.length > 0) throw new Error(`missing passwords: ${missing.join(', ')}`);
  for (const service of SERVICES) {
    const schema = namespace.schema(service);
    const user = namespace.databaseUser(service);
    const password = env[passwordVariable(service)]!;
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    // '%' and not 'localhost': the services may connect over TCP from another host or container.
    await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, '%', password]);
    await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [user, '%', password]);
    // `_` is a wildcard in a GRANT's database name: escaped, the grant covers this schema only.
    await connection.query(`GRANT ALL PRIVILEGES ON \`${schema.replace(/_/g, '\\_')}\`.* TO ?@?`, [user, '%']);
  }
}

/** Drops a namespace's schemas and users: the end of an end-to-end run, never `make run`'s. */
export async function dropDatabases(connection: Connection, namespace: FleetNamespace): Promise<void> {
  if (namespace === RUN_NAMESPACE) throw new Error("refusing to drop make run's schemas");
  for (const service of SERVICES) {
    await connection.query(`DROP DATABASE IF EXISTS \`${namespace.schema(service)}\``);
    await connection.query('DROP USER IF EXISTS ?@?', [namespace.databaseUser(service), '%']);
  }
}

/**
 * Deletes a namespace's topics (every topic on the broker under its prefix): the end of an
 * end-to-end run, never `make run`'s, whose prefix is every topic's. Returns the names deleted.
 */
export async function deleteTopics(admin: Admin, namespace: FleetNamespace): Promise<string[]> {
  if (namespace.kafkaTopicPrefix === '') throw new Error(`refusing to delete the unprefixed topics (${namespace.name})`);
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(namespace.kafkaTopicPrefix));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  return topics;
}
