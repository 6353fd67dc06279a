import { DataSource, type EntityManager, type EntitySchema, type EntitySchemaColumnOptions, type MigrationInterface } from 'typeorm';
import { uuidv7 } from 'uuidv7';
import { platformMigrations } from './platform-migrations';

export type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
export { DataSource, EntitySchema } from 'typeorm';
export { duplicateKeyOf, foreignKeyFailure, isTransientLockFailure } from './errors';
export { tableOptionsSql } from './ddl';

/** UUIDv7: time-ordered, so primary-key inserts stay append-only in InnoDB. */
export function newId(): string {
  return uuidv7();
}

export type MigrationClass = new () => MigrationInterface;

export interface DatabaseOptions {
  url: string;
  poolSize: number;
  /** The service's own migrations; the platform's (outbox, processed events) always run first. */
  migrations?: MigrationClass[];
  entities?: EntitySchema[];
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'mysql',
    url: options.url,
    poolSize: options.poolSize,
    // Times are stored and read as UTC whatever the server's zone.
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    entities: options.entities ?? [],
    migrations: [...platformMigrations, ...(options.migrations ?? [])],
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Failed queries surface as exceptions and are logged where they are handled; TypeORM's own
    // logger would also print expected ones (a redelivered event's duplicate key) as errors.
    logging: false,
  });
}

/** A MySQL pool at one moment: connections checked out and idle, requests queued for one, its size. */
export interface PoolUsage {
  inUse: number;
  idle: number;
  waiting: number;
  max: number;
}

/** The queues mysql2's pool keeps (lib/base/pool.js); it has no public API for its counts. */
interface Mysql2PoolQueues {
  _allConnections: { length: number };
  _freeConnections: { length: number };
  _connectionQueue: { length: number };
  config: { connectionLimit: number };
}

/**
 * How busy a DataSource's pool is (the saturation the dashboards show as pool use), read from
 * mysql2's own queues; undefined while TypeORM holds no pool (before initialize, after destroy).
 */
export function poolUsage(dataSource: DataSource): PoolUsage | undefined {
  const driver: object = dataSource.driver;
  // TypeORM's MysqlDriver types its pool as any.
  const pool = 'pool' in driver ? (driver.pool as Mysql2PoolQueues | undefined) : undefined;
  if (!pool?._allConnections) return undefined;
  const all = pool._allConnections.length;
  const idle = pool._freeConnections.length;
  return { inUse: all - idle, idle, waiting: pool._connectionQueue.length, max: pool.config.connectionLimit };
}

/**
 * Runs pending migrations under a MySQL named lock, so replicas starting together don't race each
 * other through the same DDL. MySQL DDL is not transactional; the lock is what keeps it single-file.
 */
export async function migrate(dataSource: DataSource, lockTimeoutSeconds = 60): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const lockName = `migrations:${dataSource.driver.database}`;
    const [{ acquired }] = await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [lockName, lockTimeoutSeconds]);
    if (Number(acquired) !== 1) throw new Error(`could not take the migration lock within ${lockTimeoutSeconds}s`);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  } finally {
    await runner.release();
  }
}

export async function pingDatabase(dataSource: DataSource): Promise<void> {
  await dataSource.query('SELECT 1');
}

/** A transaction-scoped manager; nothing outside data/ and the platform touches TypeORM itself. */
export type Tx = EntityManager;

type ColumnOptions = EntitySchemaColumnOptions;

/**
 * Columns every business table starts with (DESIGN §7), for TypeORM entity schemas: a UUIDv7 id
 * set by the application (`newId()`), and creation/update times in milliseconds, UTC.
 * The database keeps both times (see `commonColumnsSql`): TypeORM's own update-date column writes
 * `CURRENT_TIMESTAMP` without fractions, which would cut `updated_at` to whole seconds.
 */
export const commonColumns = {
  id: { type: 'char', length: 36, primary: true },
  createdAt: { name: 'created_at', type: 'datetime', precision: 3, insert: false, update: false },
  updatedAt: { name: 'updated_at', type: 'datetime', precision: 3, insert: false, update: false },
} satisfies Record<string, ColumnOptions>;

/** The DDL of `commonColumns`, for migrations: `CREATE TABLE x (${commonColumnsSql}, ...)`. */
export const commonColumnsSql = [
  'id CHAR(36) NOT NULL PRIMARY KEY',
  'created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)',
  'updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)',
].join(', ');

/** For rows that are hidden rather than deleted (TypeORM's `softDelete` fills it). */
export const softDeleteColumn = {
  deletedAt: { name: 'deleted_at', type: 'datetime', precision: 3, deleteDate: true, nullable: true },
} satisfies Record<string, ColumnOptions>;

/** Optimistic locking for rows that concurrent updates race on: TypeORM bumps it on every save. */
export const versionColumn = {
  version: { type: 'int', version: true },
} satisfies Record<string, ColumnOptions>;

/** A data source or a transaction's manager: repository functions run the same SQL on either. */
export type Queryable = Pick<EntityManager, 'query'>;

/** A DATETIME as the driver returns it (a Date, UTC), as ISO-8601 for the API. */
export function isoTime(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}
