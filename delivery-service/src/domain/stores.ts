import type { Tx } from '@qc/shared/db';
import { lockStore, saveStore, type StoreFields } from '../data/stores.repository';

/**
 * Keeps a store's position and preparation time as inventory-service announces them. An event
 * older than the one the row reflects changes nothing (events of one store arrive in order, but a
 * replay may bring old ones again).
 */
export async function recordStore(tx: Tx, storeId: string, fields: StoreFields, asOf: Date): Promise<'saved' | 'stale'> {
  const store = await lockStore(tx, storeId.toLowerCase());
  if (store.asOf && store.asOf > asOf) return 'stale';
  await saveStore(tx, store.id, fields, asOf);
  return 'saved';
}
