import type { Queryable } from '@qc/shared/db';
import {
  addPairsSold,
  addUnitsSold,
  forgetSalesBefore,
  lockOrderSale,
  popularityDrift,
  saveOrderSale,
  setPopularity,
} from '../data/sales.repository';
import type { Catalog } from './catalog';
import { boughtTogether, learnSale, windowStart, type OrderFact } from './sales';

/**
 * Records one fact of an order's sale inside the consumer's transaction (with its processed-events
 * record), and adds or takes back its units and the pairs of products it bought together when that
 * settles whether it sold. Returns what it did.
 */
export async function recordOrderFact(tx: Queryable, orderId: string, fact: OrderFact): Promise<'counted' | 'taken back' | 'noted'> {
  const { sale, units } = learnSale(await lockOrderSale(tx, orderId), fact);
  await saveOrderSale(tx, orderId, sale);
  if (units === 'none') return 'noted';
  // learnSale only adds or removes a sale whose lines and delivery day are both known.
  const sign = units === 'add' ? 1 : -1;
  await addUnitsSold(tx, sale.deliveredOn!, sale.lines!, sign);
  await addPairsSold(tx, sale.deliveredOn!, boughtTogether(sale.lines!), sign);
  return units === 'add' ? 'counted' : 'taken back';
}

/** Rows of each kind forgotten per round, so one round never holds a long delete. */
const FORGET_BATCH = 5_000;

/**
 * Sets every product's popularity to its starting popularity plus its units sold in the window
 * ending `now`, and drops the catalog's cached reads when any changed, so listings sorted by it,
 * and the recommendations (every pair sold or forgotten moves its products' units too), are never
 * older than one refresh. Days, pairs and orders that fell out of the window are forgotten.
 * Returns how many products changed.
 */
export async function refreshPopularity(catalog: Catalog, now: Date = new Date()): Promise<number> {
  const since = windowStart(now);
  const drift = await popularityDrift(catalog.dataSource, since);
  for (let i = 0; i < drift.length; i += 500) await setPopularity(catalog.dataSource, drift.slice(i, i + 500));
  if (drift.length > 0) await catalog.changed();
  await forgetSalesBefore(catalog.dataSource, since, FORGET_BATCH);
  return drift.length;
}
