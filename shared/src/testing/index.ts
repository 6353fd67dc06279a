import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { createConnection } from 'mysql2/promise';
import { ConfigError } from '../config';
import { createLogger, type Logger } from '../logging';

/**
 * Helpers for component and end-to-end tests. Tests run against the real MariaDB/MySQL, Redis and
 * Kafka; each test file owns a throwaway schema so parallel workers never see each other's rows.
 */
export const TEST_MYSQL_ROOT_URL = process.env.MYSQL_ROOT_URL ?? 'mysql://root@127.0.0.1:3306';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

export interface TestSchema {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestSchema(label: string): Promise<TestSchema> {
  const name = `qct_${label.replace(/\W/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await rootQuery(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const url = new URL(TEST_MYSQL_ROOT_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: async () => void (await rootQuery(`DROP DATABASE IF EXISTS \`${name}\``)) };
}

export async function rootQuery(sql: string, params: unknown[] = []): Promise<unknown> {
  const connection = await createConnection({ uri: TEST_MYSQL_ROOT_URL, multipleStatements: false });
  try {
    const [rows] = await connection.query(sql, params);
    return rows;
  } finally {
    await connection.end();
  }
}

/** Environment for `runService` in a test: its own schema, a free port, quiet logs. */
export function testServiceEnv(schema: TestSchema, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    MYSQL_URL: schema.url,
    MYSQL_POOL_SIZE: '4',
    REDIS_URL: TEST_REDIS_URL,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS,
    OUTBOX_POLL_MS: '200',
    KAFKA_CONSUMER_GROUP: testConsumerGroup(schema),
    ...overrides,
  };
}

/** Polls until `probe` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A port on 127.0.0.1 that nothing listens on: bound once, then closed. Stands for a dependency
 * that is down (connections refused), or a port to start a server on later.
 */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The consumer group of a service under test: its own, so test runs never share partitions. */
export function testConsumerGroup(schema: TestSchema): string {
  return `test.${schema.name}`;
}

export function testKafka(clientId = 'test'): Kafka {
  return new Kafka({ clientId, brokers: TEST_KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
}

/**
 * Commits a new consumer group's offsets at the current end of its topics, so a service under
 * test reads what the test publishes rather than every earlier run's history. A topic that does
 * not exist yet has no history: it is passed over (the service creates it empty).
 */
export async function skipHistory(groupId: string, topics: string[]): Promise<void> {
  const admin = testKafka('test-skip-history').admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of topics.filter((t) => existing.has(t))) {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * A logger that writes to memory, so a test reads exactly the JSON lines that would reach stdout;
 * `destination` also takes a running service's lines (runService's third argument).
 */
export function memoryLogger(
  service = 'test',
  level = 'info',
): { logger: Logger; lines: () => Record<string, unknown>[]; raw: () => string; destination: Writable } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const raw = () => chunks.join('');
  const lines = () =>
    raw()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger: createLogger(service, level, destination), lines, raw, destination };
}

/** The problems a configuration loader reports; fails the test when it loads without complaint. */
export function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

export { TestTokenIssuer, type TestTokenClaims } from './token-issuer';
export { startServiceUnderTest, outboxEvents, type ServiceUnderTest, type ServiceUnderTestOptions } from './service-under-test';
