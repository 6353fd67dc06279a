import { type Queryable } from '@qc/shared/db';
import type { ServingStore } from '../domain/service-area';

export interface StoreRow extends ServingStore {
  name: string;
  active: boolean;
}

/** The time of the event the stored row reflects, or undefined when the store is not known. Locks the row. */
export async function lockStoreVersion(db: Queryable, storeId: string): Promise<{ asOf: Date | null } | undefined> {
  const rows: { as_of: Date | null }[] = await db.query('SELECT as_of FROM stores WHERE id = ? FOR UPDATE', [storeId]);
  return rows[0] && { asOf: rows[0].as_of };
}

export async function insertStore(db: Queryable, store: StoreRow, asOf: Date | null): Promise<void> {
  await db.query(
    'INSERT INTO stores (id, name, lat, lng, preparation_minutes, opens_at, closes_at, active, as_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [store.id, store.name, store.lat, store.lng, store.preparationMinutes, store.opensAt, store.closesAt, store.active, asOf],
  );
}

export async function updateStore(db: Queryable, store: StoreRow, asOf: Date | null): Promise<void> {
  await db.query(
    'UPDATE stores SET name = ?, lat = ?, lng = ?, preparation_minutes = ?, opens_at = ?, closes_at = ?, active = ?, as_of = ? WHERE id = ?',
    [store.name, store.lat, store.lng, store.preparationMinutes, store.opensAt, store.closesAt, store.active, asOf, store.id],
  );
}

/** Every active store, for the serviceability snapshot. */
export async function listActiveStores(db: Queryable): Promise<ServingStore[]> {
  const rows: Record<string, unknown>[] = await db.query(
    'SELECT id, lat, lng, preparation_minutes, opens_at, closes_at FROM stores WHERE active = 1',
  );
  return rows.map((r) => ({
    id: String(r.id),
    lat: Number(r.lat),
    lng: Number(r.lng),
    preparationMinutes: Number(r.preparation_minutes),
    opensAt: String(r.opens_at),
    closesAt: String(r.closes_at),
  }));
}
