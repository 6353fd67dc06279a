import { newId, type Tx } from '@qc/shared/db';
import type { Emit } from '@qc/shared/events';
import {
  findStore,
  insertStore,
  listStores,
  lockStore,
  markStoreDeleted,
  updateStore,
  type StoreFields,
  type StoreQuery,
  type StoreRecord,
} from '../data/stores.repository';
import { inventoryEvent } from './events';
import type { Inventory } from './inventory';
import { storeNotFound } from './inventory.errors';

export type { StoreFields, StoreQuery, StoreRecord } from '../data/stores.repository';

/** location-service keeps every store's position, hours and preparation time from this event. */
function storeUpdated(store: StoreFields & { id: string }) {
  const { id, name, lat, lng, preparationMinutes, opensAt, closesAt, active } = store;
  return inventoryEvent('inventory.store_updated', { storeId: id, name, lat, lng, preparationMinutes, opensAt, closesAt, active }, id);
}

/** Stores that are not retired, oldest first (store ids are UUIDv7). */
export function browseStores({ dataSource }: Inventory, query: StoreQuery): Promise<StoreRecord[]> {
  return listStores(dataSource, query);
}

/** A store that is not retired; 404 otherwise. */
export async function storeOf({ dataSource }: Inventory, storeId: string): Promise<StoreRecord> {
  const store = await findStore(dataSource, storeId);
  if (!store) throw storeNotFound(storeId);
  return store;
}

/** Opens a dark store and announces it. */
export function openStore({ outbox }: Inventory, details: StoreFields): Promise<StoreRecord> {
  return outbox.transaction((tx, emit) => registerStore(tx, emit, details));
}

/** Changes a store's details and announces them; 404 for an unknown or retired store. */
export function changeStoreDetails({ outbox }: Inventory, storeId: string, changes: Partial<StoreFields>): Promise<StoreRecord> {
  return outbox.transaction((tx, emit) => changeStore(tx, emit, storeId, changes));
}

/** A new dark store, in the caller's transaction; the demo seeder passes the fixed id its data file names. */
export async function registerStore(tx: Tx, emit: Emit, details: StoreFields, id: string = newId()): Promise<StoreRecord> {
  const fields = asStored(details);
  await insertStore(tx, id, fields);
  emit(storeUpdated({ id, ...fields }));
  return (await lockStore(tx, id))!;
}

/** Changes a store's details in the caller's transaction; a change that changes nothing writes and emits nothing. */
export async function changeStore(tx: Tx, emit: Emit, storeId: string, changes: Partial<StoreFields>): Promise<StoreRecord> {
  const store = await lockStore(tx, storeId);
  if (!store) throw storeNotFound(storeId);
  const next = asStored({ ...fieldsOf(store), ...changes });
  if (sameFields(fieldsOf(store), next)) return store;
  await updateStore(tx, storeId, next);
  emit(storeUpdated({ id: storeId, ...next }));
  return (await lockStore(tx, storeId))!;
}

/**
 * Removes a store from service for good (soft delete, so its ledger and reservations keep their
 * store). It is announced as inactive, so location-service stops routing addresses to it; held
 * reservations still commit, release or expire as usual.
 */
export function retireStore({ outbox }: Inventory, storeId: string): Promise<void> {
  return outbox.transaction(async (tx, emit) => {
    const store = await lockStore(tx, storeId);
    if (!store) throw storeNotFound(storeId);
    await markStoreDeleted(tx, storeId);
    emit(storeUpdated({ ...store, active: false }));
  });
}

function fieldsOf(store: StoreRecord): StoreFields {
  const { name, address, pincode, lat, lng, opensAt, closesAt, preparationMinutes, active } = store;
  return { name, address, pincode, lat, lng, opensAt, closesAt, preparationMinutes, active };
}

/** Coordinates as the DECIMAL(9,6) columns keep them (about 10 cm), so re-applying the same details is a no-op. */
function asStored(fields: StoreFields): StoreFields {
  const micro = (degrees: number) => Math.round(degrees * 1e6) / 1e6;
  return { ...fields, lat: micro(fields.lat), lng: micro(fields.lng) };
}

function sameFields(a: StoreFields, b: StoreFields): boolean {
  return (Object.keys(a) as (keyof StoreFields)[]).every((key) => a[key] === b[key]);
}
