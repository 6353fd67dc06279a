import { createConnection } from 'mysql2/promise';
import { createDataSource, migrate, newId, pingDatabase, type DataSource, type MigrationInterface, type QueryRunner } from '@qc/shared/db';
import { createTestSchema, rootQuery, type TestSchema } from '@qc/shared/testing';

/** A service's own migration, to see it run after the platform's. */
class Widgets1800000000000 implements MigrationInterface {
  name = 'Widgets1800000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE widgets (id CHAR(36) NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE widgets');
  }
}

const PLATFORM = 'PlatformTables1763683200000';

describe('database migrations (real MariaDB)', () => {
  const schemas: TestSchema[] = [];
  const dataSources: DataSource[] = [];

  async function freshDatabase(migrations = [Widgets1800000000000]): Promise<{ schema: TestSchema; open: () => Promise<DataSource> }> {
    const schema = await createTestSchema('shared_db');
    schemas.push(schema);
    const open = async () => {
      const dataSource = createDataSource({ url: schema.url, poolSize: 4, migrations });
      dataSources.push(dataSource);
      await dataSource.initialize();
      return dataSource;
    };
    return { schema, open };
  }

  const tablesOf = async (schema: TestSchema) =>
    (
      (await rootQuery('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?', [schema.name])) as {
        name: string;
      }[]
    )
      .map((r) => r.name)
      .sort();

  afterAll(async () => {
    await Promise.all(dataSources.filter((d) => d.isInitialized).map((d) => d.destroy()));
    await Promise.all(schemas.map((s) => s.drop()));
  }, 30_000);

  it('when a fresh schema is migrated, then the platform tables come first, then the service’s own', async () => {
    const { schema, open } = await freshDatabase();
    const dataSource = await open();
    expect(await migrate(dataSource)).toEqual([PLATFORM, 'Widgets1800000000000']);
    expect(await tablesOf(schema)).toEqual(['migrations', 'outbox', 'processed_events', 'widgets']);
    await pingDatabase(dataSource);
  });

  it('when migrated twice, then the second run applies nothing and changes nothing', async () => {
    const { schema, open } = await freshDatabase();
    const dataSource = await open();
    await migrate(dataSource);
    const id = newId();
    await dataSource.query('INSERT INTO widgets (id, name) VALUES (?, ?)', [id, 'kept']);
    expect(await migrate(dataSource)).toEqual([]);
    expect(await tablesOf(schema)).toEqual(['migrations', 'outbox', 'processed_events', 'widgets']);
    expect(await dataSource.query('SELECT name FROM widgets WHERE id = ?', [id])).toEqual([{ name: 'kept' }]);
  });

  it('when two replicas migrate the same schema at once, then both succeed and each migration runs once', async () => {
    const { schema, open } = await freshDatabase();
    const [a, b] = await Promise.all([open(), open()]);
    const results = await Promise.all([migrate(a), migrate(b)]);
    expect(results.flat().sort()).toEqual([PLATFORM, 'Widgets1800000000000']);
    const rows = (await rootQuery(`SELECT name FROM \`${schema.name}\`.migrations ORDER BY id`)) as { name: string }[];
    expect(rows.map((r) => r.name)).toEqual([PLATFORM, 'Widgets1800000000000']);
  });

  it('when another session holds the migration lock, then migrate waits for it and gives up at its timeout', async () => {
    const { schema, open } = await freshDatabase();
    const dataSource = await open();
    const holder = await createConnection({ uri: schema.url });
    try {
      const [[held]] = (await holder.query('SELECT GET_LOCK(?, 5) AS ok', [`migrations:${schema.name}`])) as unknown as [[{ ok: number }]];
      expect(Number(held.ok)).toBe(1);
      const started = Date.now();
      await expect(migrate(dataSource, 1)).rejects.toThrow(/could not take the migration lock within 1s/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(await tablesOf(schema)).toEqual([]);
      await holder.query('SELECT RELEASE_LOCK(?)', [`migrations:${schema.name}`]);
      expect(await migrate(dataSource, 1)).toEqual([PLATFORM, 'Widgets1800000000000']);
    } finally {
      await holder.end();
    }
  });

  it('when the platform tables exist, then the outbox and processed-events ledger enforce their keys', async () => {
    const { open } = await freshDatabase([]);
    const dataSource = await open();
    await migrate(dataSource);
    const id = newId();
    await dataSource.query('INSERT INTO processed_events (consumer, event_id, event_type) VALUES (?, ?, ?)', ['c', id, 'order.created']);
    await expect(
      dataSource.query('INSERT INTO processed_events (consumer, event_id, event_type) VALUES (?, ?, ?)', ['c', id, 'order.created']),
    ).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    // Another consumer records the same event independently.
    await dataSource.query('INSERT INTO processed_events (consumer, event_id, event_type) VALUES (?, ?, ?)', [
      'other',
      id,
      'order.created',
    ]);
    await dataSource.query(
      "INSERT INTO outbox (id, topic, message_key, event_type, payload, headers) VALUES (?, 't', 'k', 'x', '{}', '{}')",
      [id],
    );
    const [row] = await dataSource.query('SELECT attempts, published_at, next_attempt_at <= NOW(3) AS due FROM outbox WHERE id = ?', [id]);
    expect(row).toMatchObject({ attempts: 0, published_at: null });
    expect(Number(row.due)).toBe(1);
  });

  it('when ids are made, then they are UUIDv7 and sort by creation time', () => {
    const ids = Array.from({ length: 50 }, () => newId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
