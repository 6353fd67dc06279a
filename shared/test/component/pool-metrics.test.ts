import { createDataSource, poolUsage, type DataSource, type QueryRunner } from '@qc/shared/db';
import { Metrics } from '@qc/shared/metrics';
import { createTestSchema, eventually, type TestSchema } from '@qc/shared/testing';

/** What a scrape of `metrics` says of the pool, by state. */
async function scrapedPool(metrics: Metrics): Promise<Record<string, number>> {
  const gauge = await metrics.registry.getSingleMetric('db_pool_connections')!.get();
  return Object.fromEntries(gauge.values.map((v) => [String(v.labels.state), v.value]));
}

describe('database pool use in /metrics (real MariaDB)', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  const runners: QueryRunner[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('shared_pool');
    dataSource = createDataSource({ url: schema.url, poolSize: 2 });
  });

  afterAll(async () => {
    await Promise.all(runners.map((r) => r.release()));
    if (dataSource.isInitialized) await dataSource.destroy();
    await schema.drop();
  }, 30_000);

  it('when no pool exists yet, then nothing is read and the gauge has no series', async () => {
    const metrics = new Metrics('pool-test');
    metrics.watchPool(() => poolUsage(dataSource));
    expect(poolUsage(dataSource)).toBeUndefined();
    expect(await scrapedPool(metrics)).toEqual({});
  });

  it('when both connections are checked out and a third query waits, then a scrape shows them in use, one waiting, of two', async () => {
    await dataSource.initialize();
    const metrics = new Metrics('pool-test');
    metrics.watchPool(() => poolUsage(dataSource));
    runners.push(dataSource.createQueryRunner(), dataSource.createQueryRunner());
    for (const runner of runners) await runner.connect();
    const waiting = dataSource.query('SELECT 1');
    // The query asks the pool for a connection a few ticks after the call.
    await eventually(async () => (await scrapedPool(metrics)).waiting === 1, 2_000, 10);
    expect(await scrapedPool(metrics)).toEqual({ in_use: 2, idle: 0, waiting: 1, max: 2 });

    await runners.shift()!.release();
    await waiting;
    await runners.shift()!.release();
    expect(await scrapedPool(metrics)).toEqual({ in_use: 0, idle: 2, waiting: 0, max: 2 });
  });
});
