import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig, serviceEnv } from '@qc/shared/config';
import { createDataSource, migrate } from '@qc/shared/db';
import { Outbox } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { createLogger } from '@qc/shared/logging';
import { createRedis } from '@qc/shared/redis';
import { commandEnv } from '@qc/shared/service';
import { loadProductSettings } from '../config';
import { seedCatalog, type CatalogSeed, type SeedSummary } from '../domain/seed-catalog';
import { NewCategoryBody } from '../routes/categories.schemas';
import { NewProductBody } from '../routes/products.schemas';
import { migrations, wireCatalog } from '../service';

/** The demo file, checked with the API's own request schemas plus the fixed ids and popularity. */
export const DemoCatalogFile = z.strictObject({
  categories: z.array(NewCategoryBody.extend({ id: z.uuid(), parentId: z.uuid().nullable(), position: z.number().int().min(0) })),
  products: z.array(NewProductBody.extend({ id: z.uuid(), popularity: z.number().int().min(0).optional() })),
});

/** `demo/catalog.json` at the repository root, from `product-service/dist/cli/` or `src/cli/`. */
export const DEFAULT_DEMO_CATALOG = resolve(__dirname, '../../../demo/catalog.json');

export function readDemoCatalog(path: string): CatalogSeed {
  const parsed = DemoCatalogFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`${path} is not a valid demo catalog:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

/**
 * Runs product-service's migrations, then creates the demo catalog's missing categories and
 * products through the domain. The service's own relay publishes the events from the outbox.
 */
export async function seedDemo(env: NodeJS.ProcessEnv, path = DEFAULT_DEMO_CATALOG): Promise<SeedSummary> {
  const config = loadConfig(serviceEnv, env);
  const settings = loadProductSettings(env);
  const logger = createLogger('product-service', config.LOG_LEVEL);
  const seed = readDemoCatalog(path);
  const dataSource = createDataSource({ url: config.MYSQL_URL, poolSize: 2, migrations });
  await dataSource.initialize();
  const redis = createRedis(config.REDIS_URL);
  try {
    await migrate(dataSource);
    // Without Redis the seed still runs; a running service's cached reads then expire by TTL.
    await redis.connect().catch((err: unknown) => logger.warn({ err }, 'redis unavailable; catalog cache not invalidated'));
    const { catalog } = wireCatalog(
      { dataSource, outbox: new Outbox(dataSource, eventsTopic('product-service')), redis, logger },
      settings,
    );
    return await seedCatalog(catalog, seed);
  } finally {
    redis.disconnect();
    await dataSource.destroy();
  }
}

if (require.main === module) {
  seedDemo(commandEnv('product-service'), process.argv[2] ? resolve(process.argv[2]) : DEFAULT_DEMO_CATALOG).then(
    ({ categories, products }) => {
      console.log(
        `product-service demo seed: ${categories.created} categories and ${products.created} products created ` +
          `(${categories.existing} and ${products.existing} already there)`,
      );
    },
    (err: unknown) => {
      console.error('product-service demo seed failed:', err);
      process.exit(1);
    },
  );
}
