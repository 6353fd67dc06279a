import type { Queryable } from '@qc/shared/db';

/** A dark store as delivery-service knows it from inventory's events; no position until its first event. */
export interface StoreRecord {
  id: string;
  name: string | null;
  lat: number | null;
  lng: number | null;
  preparationMinutes: number | null;
  active: boolean;
  asOf: Date | null;
}

export type StoreFields = Omit<StoreRecord, 'id' | 'asOf'>;

function toStore(row: Record<string, unknown>): StoreRecord {
  const num = (v: unknown) => (v === null ? null : Number(v));
  return {
    id: String(row.id),
    name: row.name === null ? null : String(row.name),
    lat: num(row.lat),
    lng: num(row.lng),
    preparationMinutes: num(row.preparation_minutes),
    active: Boolean(row.active),
    asOf: (row.as_of as Date | null) ?? null,
  };
}

const COLUMNS = 'id, name, lat, lng, preparation_minutes, active, as_of';

/**
 * The store's row, locked: every assignment at a store runs under this lock, so a store's queue is
 * served strictly first come, first served and two assignments never race for its free partners.
 * A store not heard of yet gets a row without a position first. Lock first, insert only when
 * missing: an insert-ignore on an existing row takes a shared lock, and two transactions each
 * holding one while asking for the exclusive lock would deadlock.
 */
export async function lockStore(tx: Queryable, storeId: string): Promise<StoreRecord> {
  const select = () => tx.query(`SELECT ${COLUMNS} FROM stores WHERE id = ? FOR UPDATE`, [storeId]) as Promise<Record<string, unknown>[]>;
  let rows = await select();
  if (!rows[0]) {
    await tx.query('INSERT IGNORE INTO stores (id) VALUES (?)', [storeId]);
    rows = await select();
  }
  return toStore(rows[0]!);
}

export async function findStore(db: Queryable, storeId: string): Promise<StoreRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM stores WHERE id = ?`, [storeId]);
  return rows[0] && toStore(rows[0]);
}

export async function saveStore(tx: Queryable, storeId: string, fields: StoreFields, asOf: Date): Promise<void> {
  await tx.query('UPDATE stores SET name = ?, lat = ?, lng = ?, preparation_minutes = ?, active = ?, as_of = ? WHERE id = ?', [
    fields.name,
    fields.lat,
    fields.lng,
    fields.preparationMinutes,
    fields.active,
    asOf,
    storeId,
  ]);
}

export async function listKnownStores(db: Queryable): Promise<StoreRecord[]> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM stores WHERE lat IS NOT NULL ORDER BY id`);
  return rows.map(toStore);
}
