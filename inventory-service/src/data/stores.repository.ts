import type { DataSource, Tx } from '@qc/shared/db';

/** A dark store as stored (not deleted ones: those are invisible to every read here). */
export interface StoreRecord {
  id: string;
  name: string;
  address: string;
  pincode: string;
  lat: number;
  lng: number;
  opensAt: string;
  closesAt: string;
  preparationMinutes: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type StoreFields = Omit<StoreRecord, 'id' | 'createdAt' | 'updatedAt'>;

const COLUMNS = 'id, name, address, pincode, lat, lng, opens_at, closes_at, preparation_minutes, active, created_at, updated_at';

function toStore(row: Record<string, unknown>): StoreRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    address: String(row.address),
    pincode: String(row.pincode),
    lat: Number(row.lat),
    lng: Number(row.lng),
    opensAt: String(row.opens_at),
    closesAt: String(row.closes_at),
    preparationMinutes: Number(row.preparation_minutes),
    active: Number(row.active) === 1,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

/** The columns a store's fields are written to, in the order `storeValues` gives them. */
const STORE_COLUMNS = ['name', 'address', 'pincode', 'lat', 'lng', 'opens_at', 'closes_at', 'preparation_minutes', 'active'];
const INSERT_STORE = `INSERT INTO stores (id, ${STORE_COLUMNS.join(', ')}) VALUES (?${', ?'.repeat(STORE_COLUMNS.length)})`;
const UPDATE_STORE = `UPDATE stores SET ${STORE_COLUMNS.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`;

function storeValues({ name, address, pincode, lat, lng, opensAt, closesAt, preparationMinutes, active }: StoreFields): unknown[] {
  return [name, address, pincode, lat, lng, opensAt, closesAt, preparationMinutes, active];
}

export async function insertStore(tx: Tx, id: string, fields: StoreFields): Promise<void> {
  await tx.query(INSERT_STORE, [id, ...storeValues(fields)]);
}

export async function updateStore(tx: Tx, id: string, fields: StoreFields): Promise<void> {
  await tx.query(UPDATE_STORE, [...storeValues(fields), id]);
}

export async function markStoreDeleted(tx: Tx, id: string): Promise<void> {
  await tx.query('UPDATE stores SET deleted_at = CURRENT_TIMESTAMP(3), active = 0 WHERE id = ?', [id]);
}

/** The store, read with `FOR UPDATE` inside a transaction that is about to change it. */
export async function lockStore(tx: Tx, id: string): Promise<StoreRecord | undefined> {
  const rows: Record<string, unknown>[] = await tx.query(`SELECT ${COLUMNS} FROM stores WHERE id = ? AND deleted_at IS NULL FOR UPDATE`, [
    id,
  ]);
  return rows[0] && toStore(rows[0]);
}

export async function findStore(db: DataSource | Tx, id: string): Promise<StoreRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM stores WHERE id = ? AND deleted_at IS NULL`, [id]);
  return rows[0] && toStore(rows[0]);
}

export interface StoreQuery {
  active?: boolean | undefined;
  pincode?: string | undefined;
  /** Store id to continue after (UUIDv7, so creation order). */
  after?: string | undefined;
  limit: number;
}

export async function listStores(db: DataSource, query: StoreQuery): Promise<StoreRecord[]> {
  const where = ['deleted_at IS NULL'];
  const params: unknown[] = [];
  if (query.active !== undefined) {
    where.push('active = ?');
    params.push(query.active);
  }
  if (query.pincode !== undefined) {
    where.push('pincode = ?');
    params.push(query.pincode);
  }
  if (query.after !== undefined) {
    where.push('id > ?');
    params.push(query.after);
  }
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM stores WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, [
    ...params,
    query.limit,
  ]);
  return rows.map(toStore);
}

/** Whether the id is taken, by a live or a retired store (ids are never reused). */
export async function storeIdTaken(db: DataSource | Tx, id: string): Promise<boolean> {
  const rows: unknown[] = await db.query('SELECT 1 FROM stores WHERE id = ?', [id]);
  return rows.length > 0;
}
