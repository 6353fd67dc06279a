import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Outbox } from '@qc/shared/events';
import { stockedProductIds } from '../data/stock.repository';
import { findStore, storeIdTaken } from '../data/stores.repository';
import { SYSTEM_ACTORS, restock, setLowStockThreshold } from '../domain/stock';
import { DEFAULT_LOW_STOCK_THRESHOLD } from '../domain/stock-levels';
import { changeStore, registerStore } from '../domain/stores';
import { CreateStoreBody } from '../routes/stores.schemas';

/**
 * The parts of demo/city.json (location-service's file) and demo/catalog.json (product-service's)
 * used here; stores are checked with the admin API's own rules, plus their fixed ids.
 */
const DemoCity = z.object({ stores: z.array(CreateStoreBody.extend({ id: z.uuid() })) });
const DemoCatalog = z.object({ products: z.array(z.object({ id: z.uuid() })) });

export interface DemoData {
  city: z.output<typeof DemoCity>;
  catalog: z.output<typeof DemoCatalog>;
}

export async function readDemoData(directory: string): Promise<DemoData> {
  const read = async (file: string) => JSON.parse(await readFile(join(directory, file), 'utf8'));
  return { city: DemoCity.parse(await read('city.json')), catalog: DemoCatalog.parse(await read('catalog.json')) };
}

/**
 * The demo quantity of a product at a store, derived from both ids so that reseeding is stable
 * and stores differ: about 4 % out of stock, 6 % low (at or under the default threshold), the rest
 * 15–100 units.
 */
export function demoQuantity(storeId: string, productId: string): number {
  const n = createHash('sha256').update(`${storeId}/${productId}`).digest().readUInt32BE(0);
  const bucket = n % 100;
  if (bucket < 4) return 0;
  if (bucket < 10) return 1 + ((n >>> 8) % DEFAULT_LOW_STOCK_THRESHOLD);
  return 15 + ((n >>> 8) % 86);
}

export interface SeedSummary {
  storesCreated: number;
  storesChanged: number;
  storesTotal: number;
  itemsCreated: number;
  itemsTotal: number;
  outOfStock: number;
  low: number;
}

/**
 * Seeds the demo stores and their stock through the same domain functions as the admin API, so
 * the outbox holds the same events (location-service learns the stores from them). Idempotent:
 * a store is created once and updated only if its file entry changed (a retired one stays
 * retired); a stock row is created once and never reset, so orders placed since are kept.
 */
export async function seedDemo(outbox: Outbox, { city, catalog }: DemoData): Promise<SeedSummary> {
  const summary: SeedSummary = {
    storesCreated: 0,
    storesChanged: 0,
    storesTotal: city.stores.length,
    itemsCreated: 0,
    itemsTotal: city.stores.length * catalog.products.length,
    outOfStock: 0,
    low: 0,
  };
  for (const { id, ...fields } of city.stores) {
    const outcome = await outbox.transaction(async (tx, emit) => {
      if (!(await storeIdTaken(tx, id))) {
        await registerStore(tx, emit, fields, id);
        return 'created';
      }
      const before = await findStore(tx, id);
      if (!before) return 'retired';
      const after = await changeStore(tx, emit, id, fields);
      return after.updatedAt.getTime() === before.updatedAt.getTime() ? 'unchanged' : 'changed';
    });
    if (outcome === 'created') summary.storesCreated++;
    if (outcome === 'changed') summary.storesChanged++;
  }
  for (const { id: storeId } of city.stores) {
    const quantities = catalog.products.map(({ id: productId }) => ({ productId, quantity: demoQuantity(storeId, productId) }));
    summary.outOfStock += quantities.filter((q) => q.quantity === 0).length;
    summary.low += quantities.filter((q) => q.quantity > 0 && q.quantity <= DEFAULT_LOW_STOCK_THRESHOLD).length;
    summary.itemsCreated += await outbox.transaction(async (tx, emit) => {
      if (!(await findStore(tx, storeId))) return 0;
      const stocked = await stockedProductIds(tx, storeId);
      const missing = quantities.filter(({ productId }) => !stocked.has(productId));
      for (const { productId, quantity } of missing) {
        if (quantity === 0) await setLowStockThreshold(tx, emit, { storeId, productId, lowStockThreshold: DEFAULT_LOW_STOCK_THRESHOLD });
        else await restock(tx, emit, { storeId, productId, quantity, note: 'demo seed', actor: SYSTEM_ACTORS.demoSeed });
      }
      return missing.length;
    });
  }
  return summary;
}
