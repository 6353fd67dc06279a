import { createDataSource, migrate, type DataSource } from '@qc/shared/db';
import { IdempotencyKeys, IdempotencyKeysTable1764806400000, expiredKeysPurge } from '@qc/shared/idempotency';
import { defineService } from '@qc/shared/service';
import { createTestSchema, eventually, memoryLogger, rootQuery, startServiceUnderTest, type TestSchema } from '@qc/shared/testing';

/**
 * Expired Idempotency-Key rows are purged on a schedule, in bounded batches, by the job a service
 * gets when its definition declares `idempotency`; keys within their retention, answered or still
 * in flight, stay (real MariaDB).
 */
jest.setTimeout(60_000);

const HOUR = 3_600_000;

/** `count` keys of `scope` past their retention (expired a day ago), half answered, half left in flight. */
async function expiredKeys(schema: TestSchema, scope: string, count: number): Promise<void> {
  const lockedAt = new Date(Date.now() - 49 * HOUR);
  const expiresAt = new Date(Date.now() - 24 * HOUR);
  const rows = Array.from({ length: count }, (_, i) => [
    scope,
    `expired-${i}`,
    'f'.repeat(64),
    i % 2 === 0 ? 'done' : 'in_flight',
    i % 2 === 0 ? 201 : null,
    i % 2 === 0 ? '{}' : null,
    lockedAt,
    expiresAt,
  ]);
  await rootQuery(
    `INSERT INTO \`${schema.name}\`.idempotency_keys (scope, idempotency_key, fingerprint, state, status_code, body, locked_at, expires_at) VALUES ?`,
    [rows],
  );
}

/** One key answered and one still in flight, both claimed now (within their retention). */
async function liveKeys(keys: IdempotencyKeys, scope: string): Promise<void> {
  const fingerprint = IdempotencyKeys.fingerprint('POST', '/api/v1/orders', { items: 1 });
  await keys.claim(scope, 'answered', fingerprint);
  await keys.complete(scope, 'answered', { status: 201, body: { orderId: 'o-1' } });
  await keys.claim(scope, 'in-flight', fingerprint);
}

async function keysOf(schema: TestSchema, scope: string): Promise<string[]> {
  const rows = (await rootQuery(`SELECT idempotency_key AS k FROM \`${schema.name}\`.idempotency_keys WHERE scope = ? ORDER BY k`, [
    scope,
  ])) as { k: string }[];
  return rows.map((r) => r.k);
}

describe('the expired-keys purge (real MariaDB)', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  let keys: IdempotencyKeys;

  beforeAll(async () => {
    schema = await createTestSchema('shared_idem_purge');
    dataSource = createDataSource({ url: schema.url, poolSize: 2, migrations: [IdempotencyKeysTable1764806400000] });
    await dataSource.initialize();
    await migrate(dataSource);
    keys = new IdempotencyKeys(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  it('when one purge deletes, then it deletes at most its limit of expired keys', async () => {
    await expiredKeys(schema, 'limit', 12);
    await liveKeys(keys, 'limit');
    expect(await keys.purgeExpired(new Date(), 5)).toBe(5);
    expect(await keysOf(schema, 'limit')).toHaveLength(2 + 7);
    await keys.purgeExpired(new Date(), 100);
    expect(await keysOf(schema, 'limit')).toEqual(['answered', 'in-flight']);
  });

  it('when the job runs over a backlog, then it deletes every expired key a bounded batch at a time and keeps the live ones', async () => {
    await expiredKeys(schema, 'backlog', 23);
    await liveKeys(keys, 'backlog');
    const { logger, lines } = memoryLogger('purge-test');
    const job = expiredKeysPurge(keys, logger, { batchSize: 10 });
    job.start(); // its first round runs at start, its next in an hour
    try {
      await eventually(async () => (await keysOf(schema, 'backlog')).length === 2);
    } finally {
      await job.stop();
    }
    expect(await keysOf(schema, 'backlog')).toEqual(['answered', 'in-flight']);
    const batches = lines()
      .filter((line) => line.msg === 'expired idempotency keys purged')
      .map((line) => line.purged);
    expect(batches).toEqual([10, 10, 3]);
  });
});

describe('a service that declares idempotency (real MariaDB, Redis, Kafka)', () => {
  const purgeEveryMs = 300;
  const definition = defineService({
    name: 'payment-service',
    migrations: [IdempotencyKeysTable1764806400000],
    idempotency: () => ({ purge: { intervalMs: purgeEveryMs, batchSize: 4 } }),
  });

  it('when it starts with expired keys and more expire while it runs, then it purges them at start and on its interval, keeping the live keys', async () => {
    const underTest = await startServiceUnderTest(definition, {
      label: 'shared_idem_service',
      beforeStart: async (schema) => {
        const ds = createDataSource({ url: schema.url, poolSize: 2, migrations: [IdempotencyKeysTable1764806400000] });
        await ds.initialize();
        try {
          await migrate(ds);
          await expiredKeys(schema, 'before-start', 9);
          await liveKeys(new IdempotencyKeys(ds), 'before-start');
        } finally {
          await ds.destroy();
        }
      },
    });
    const { schema, service } = underTest;
    try {
      await eventually(async () => (await keysOf(schema, 'before-start')).length === 2, 10_000, 50);
      expect(await keysOf(schema, 'before-start')).toEqual(['answered', 'in-flight']);

      // The routes' keys are the ones the platform built for the declaration.
      await liveKeys(service.deps.idempotency, 'while-running');
      await expiredKeys(schema, 'while-running', 6);
      await eventually(async () => (await keysOf(schema, 'while-running')).length === 2, 10_000, 50);
      expect(await keysOf(schema, 'while-running')).toEqual(['answered', 'in-flight']);
    } finally {
      await underTest.stop();
    }
  });
});

describe('a service that declares no idempotency', () => {
  const definition = defineService({ name: 'product-service', migrations: [] });

  it('when its deps are read for keys, then that stops with a message naming the declaration; spreading its deps does not', async () => {
    const underTest = await startServiceUnderTest(definition, { label: 'shared_no_keys' });
    try {
      const deps = underTest.service.deps;
      expect(() => deps.idempotency).toThrow(/product-service takes Idempotency-Key: its definition must declare `idempotency`/);
      expect(Object.keys({ ...deps })).not.toContain('idempotency');
    } finally {
      await underTest.stop();
    }
  });
});
