import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig, serviceEnv } from '@qc/shared/config';
import { createLogger } from '@qc/shared/logging';
import { createRedis } from '@qc/shared/redis';
import { runCommand, type CommandContext } from '@qc/shared/service';
import { productSettings } from '../config';
import { seedCatalog, type CatalogSeed, type SeedSummary } from '../domain/seed-catalog';
import { NewCategoryBody } from '../routes/categories.schemas';
import { NewProductBody } from '../routes/products.schemas';
import { definition, wireCatalog } from '../service';

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
 * Creates the demo catalog's missing categories and products through the domain, so the outbox
 * holds the same events the API would write; the service's own relay publishes them. Cached reads
 * are invalidated through Redis when it answers; without it they expire by their TTL.
 */
export async function seedDemo({ dataSource, outbox, env }: CommandContext, path = DEFAULT_DEMO_CATALOG): Promise<SeedSummary> {
  const config = loadConfig(serviceEnv.pick({ LOG_LEVEL: true, REDIS_URL: true, REDIS_KEY_PREFIX: true }), env);
  const logger = createLogger('product-service', config.LOG_LEVEL);
  const seed = readDemoCatalog(path);
  const redis = createRedis(config, logger);
  try {
    await redis.connect().catch((err: unknown) => logger.warn({ err }, 'redis unavailable; catalog cache not invalidated'));
    const { catalog } = wireCatalog({ dataSource, outbox, redis, logger }, loadConfig(productSettings, env));
    return await seedCatalog(catalog, seed);
  } finally {
    redis.disconnect();
  }
}

/** `node product-service/dist/cli/seed-demo.js [catalog.json]` (make run runs it before inventory's and location's). */
if (require.main === module) {
  runCommand(definition, async (context) => {
    const { categories, products } = await seedDemo(context, process.argv[2] ? resolve(process.argv[2]) : DEFAULT_DEMO_CATALOG);
    return (
      `product-service demo seed: ${categories.created} categories and ${products.created} products created ` +
      `(${categories.existing} and ${products.existing} already there)`
    );
  });
}
