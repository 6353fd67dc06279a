import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Admin } from 'kafkajs';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import {
  FleetProcesses,
  GATEWAY,
  SERVICES,
  deleteTopics,
  dropDatabases,
  e2eNamespace,
  newRunId,
  passwordVariable,
  portOf,
  provisionDatabases,
  runStartedAt,
  runsNamedIn,
  serviceSpec,
  type FleetNamespace,
} from '@qc/shared/fleet';
import { createLogger } from '@qc/shared/logging';
import { createRedis, type Redis } from '@qc/shared/redis';
import { TEST_MYSQL_ROOT_URL, TEST_REDIS_URL, testKafka } from '@qc/shared/testing';
import { ProviderSink } from '../../notification-service/src/channels/provider-sink';
import { MailDev } from '../../notification-service/test/fixtures';

const root = resolve(__dirname, '../..');

/**
 * One end-to-end file's fleet, the only way the e2e files start one: the compiled services as
 * separate processes (FleetProcesses) in a namespace of the run's own (e2eNamespace: its schemas
 * and users with the run's own passwords, consumer groups, Redis prefix and Kafka topic prefix), on
 * the file's own port offset so that no two files' fleets ever share a port. Its topics are new and
 * empty and no other fleet reads or writes them, so its consumers start at their beginning. Each
 * file has its own fleet, so each can stop or break services as its tests need. notification-service
 * sends to the fleet's own MailDev (its inbox read through `mail`) and SMS/push sink, on free
 * ports, never to the ones `make run` starts.
 */
export interface FleetUnderTest {
  readonly run: string;
  readonly namespace: FleetNamespace;
  readonly fleet: FleetProcesses;
  /** The gateway's base URL. */
  readonly gateway: string;
  /** The SMTP server notification-service sends the fleet's emails to, read through MailDev's REST API. */
  readonly mail: MailDev;
  /** A member of the fleet's own base URL (the sandbox PSP's, say). */
  urlOf(name: string): string;
  /** Runs one of a service's commands (`dist/cli/*.js`) with the environment its process has; its stdout. */
  command(service: string, script: string, args?: string[]): Promise<string>;
  /**
   * Stops every process (those still running), drops the run's schemas and users, consumer groups,
   * topics and Redis keys, and stops MailDev and the sink.
   */
  stop(): Promise<void>;
}

export async function asRoot<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await createConnection({ uri: TEST_MYSQL_ROOT_URL });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

export interface FleetUnderTestOptions {
  /** Added to every member's port; each e2e file has its own. */
  portOffset: number;
  /** Where the processes' logs go, under `.infra/logs/`. */
  logs: string;
  /** Variables beyond the run's own (OPS_TOKEN, a service's setting). */
  env?: NodeJS.ProcessEnv;
}

export async function startFleetUnderTest({ portOffset, logs, env: extra = {} }: FleetUnderTestOptions): Promise<FleetUnderTest> {
  await removeAbandonedRuns();
  const run = newRunId();
  const namespace = e2eNamespace(run);
  const passwords = Object.fromEntries(SERVICES.map((s) => [passwordVariable(s), randomBytes(16).toString('hex')]));
  const sink = new ProviderSink();
  const [mail] = await Promise.all([MailDev.start(), sink.listen()]);
  const notifications = {
    SMTP_URL: mail.smtpUrl,
    SMS_PROVIDER_URL: `${sink.url}/sms`,
    PUSH_PROVIDER_URL: `${sink.url}/push`,
  };
  const env = { ...process.env, ...passwords, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...notifications, ...extra };
  const fleet = new FleetProcesses({ root, logDir: resolve(root, '.infra/logs', logs), env, portOffset, namespace });

  const stop = async () => {
    await fleet.stop();
    await Promise.all([mail.stop(), sink.close()]);
    await removeNamespace(namespace);
  };

  await asRoot((connection) => provisionDatabases(connection, namespace, env));
  try {
    await fleet.start();
  } catch (err) {
    // The failed start is the news, not a cleanup that fails after it.
    await stop().catch(() => undefined);
    throw err;
  }
  return {
    run,
    namespace,
    fleet,
    gateway: `http://127.0.0.1:${portOf(GATEWAY, portOffset)}`,
    mail,
    urlOf: (name) => `http://127.0.0.1:${portOf(serviceSpec(name), portOffset)}`,
    command: async (service, script, args = []) =>
      (await promisify(execFile)(process.execPath, [resolve(root, service, 'dist/cli', script), ...args], { env: fleet.envOf(service) }))
        .stdout,
    stop,
  };
}

/** No end-to-end run lasts this long: a namespace older than this was left by a run killed outright. */
const ABANDONED_AFTER_MS = 3 * 60 * 60 * 1_000;

/** Drops a run's schemas and users, deletes its topics and consumer groups and its Redis keys. */
async function removeNamespace(namespace: FleetNamespace): Promise<void> {
  await asRoot((connection) => dropDatabases(connection, namespace));
  await withKafkaAdmin(async (admin) => {
    // Topics first, so that a group the broker refuses to delete yet does not leave them behind.
    await deleteTopics(admin, namespace);
    const consumerGroups = new Set(SERVICES.map((s) => namespace.consumerGroup(s)));
    const ours = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => consumerGroups.has(g));
    await deleteGroupsOnceEmpty(admin, ours);
  });
  await withRedis(async (redis) => {
    const keys = await scanKeys(redis, `${namespace.redisKeyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  });
}

/**
 * Removes the namespaces of runs that started more than ABANDONED_AFTER_MS ago (their run ids say
 * when): what a run killed before its cleanup left behind. Runs still going are younger and kept.
 */
async function removeAbandonedRuns(now = Date.now()): Promise<void> {
  const names = [
    ...(await asRoot(async (connection) => {
      const [rows] = await connection.query<RowDataPacket[]>(
        "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'qce2e\\_%'",
      );
      return rows.map((row) => row.name as string);
    })),
    ...(await withKafkaAdmin(async (admin) => [...(await admin.listTopics()), ...(await admin.listGroups()).groups.map((g) => g.groupId)])),
    ...(await withRedis((redis) => scanKeys(redis, 'e2e:*'))),
  ];
  for (const run of runsNamedIn(names)) {
    if (now - runStartedAt(run) > ABANDONED_AFTER_MS) await removeNamespace(e2eNamespace(run));
  }
}

async function withKafkaAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka('e2e').admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

async function withRedis<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = createRedis(TEST_REDIS_URL, createLogger('e2e', 'silent'));
  await redis.connect();
  try {
    return await work(redis);
  } finally {
    await redis.quit();
  }
}

async function scanKeys(redis: Redis, match: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match, count: 1_000 })) keys.push(...(batch as string[]));
  return keys;
}

const NON_EMPTY_GROUP = 68;
const GROUP_ID_NOT_FOUND = 69;

/**
 * Deletes consumer groups, waiting for any the broker still counts a member in (a consumer that
 * left without saying so stays a member until its session times out, 30 s).
 */
async function deleteGroupsOnceEmpty(admin: Admin, groups: string[], timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let remaining = groups;
  while (remaining.length > 0) {
    try {
      await admin.deleteGroups(remaining);
      return;
    } catch (err) {
      const refused = (err as { groups?: { groupId: string; errorCode: number }[] }).groups;
      if (!refused || refused.some((g) => g.errorCode !== NON_EMPTY_GROUP && g.errorCode !== GROUP_ID_NOT_FOUND)) throw err;
      remaining = refused.filter((g) => g.errorCode === NON_EMPTY_GROUP).map((g) => g.groupId);
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
