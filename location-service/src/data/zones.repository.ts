import { isoTime, type Queryable } from '@qc/shared/db';
import type { Polygon } from '../domain/geometry';
import type { ServedZone } from '../domain/service-area';

export interface ZoneFields {
  name: string;
  storeId: string;
  polygon: Polygon;
  active: boolean;
}

/** Whether location-service knows the zone's store, and whether it is active. */
export type StoreStatus = 'active' | 'inactive' | 'unknown';

export interface ZoneRow extends ZoneFields {
  id: string;
  storeStatus: StoreStatus;
  createdAt: string;
  updatedAt: string;
}

const SELECT_ZONE = `
  SELECT z.id, z.name, z.store_id, z.polygon, z.active, z.created_at, z.updated_at, s.active AS store_active
  FROM zones z LEFT JOIN stores s ON s.id = z.store_id`;

function toZone(row: Record<string, unknown>): ZoneRow {
  return {
    id: String(row.id),
    name: String(row.name),
    storeId: String(row.store_id),
    polygon: JSON.parse(String(row.polygon)) as Polygon,
    active: Number(row.active) === 1,
    storeStatus: row.store_active === null ? 'unknown' : Number(row.store_active) === 1 ? 'active' : 'inactive',
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

export async function insertZone(db: Queryable, zone: ZoneFields & { id: string }): Promise<void> {
  await db.query('INSERT INTO zones (id, name, store_id, polygon, active) VALUES (?, ?, ?, ?, ?)', [
    zone.id,
    zone.name,
    zone.storeId,
    JSON.stringify(zone.polygon),
    zone.active,
  ]);
}

/** A zone that is not deleted. */
export async function findZone(db: Queryable, id: string): Promise<ZoneRow | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`${SELECT_ZONE} WHERE z.id = ? AND z.deleted_at IS NULL`, [id]);
  return rows[0] && toZone(rows[0]);
}

/** Whether a zone with this id was ever created, deleted ones included. */
export async function zoneIdTaken(db: Queryable, id: string): Promise<boolean> {
  const rows: unknown[] = await db.query('SELECT 1 FROM zones WHERE id = ?', [id]);
  return rows.length > 0;
}

export interface ZoneQuery {
  storeId?: string | undefined;
  /** Zone id to continue after; ids are UUIDv7, so this is creation order. */
  after?: string | undefined;
  limit: number;
}

export async function listZones(db: Queryable, query: ZoneQuery): Promise<ZoneRow[]> {
  const where = ['z.deleted_at IS NULL'];
  const params: unknown[] = [];
  if (query.storeId) {
    where.push('z.store_id = ?');
    params.push(query.storeId);
  }
  if (query.after) {
    where.push('z.id > ?');
    params.push(query.after);
  }
  const rows: Record<string, unknown>[] = await db.query(`${SELECT_ZONE} WHERE ${where.join(' AND ')} ORDER BY z.id LIMIT ?`, [
    ...params,
    query.limit,
  ]);
  return rows.map(toZone);
}

const COLUMN_OF: Record<keyof ZoneFields, string> = { name: 'name', storeId: 'store_id', polygon: 'polygon', active: 'active' };

/** Changes the given fields of a zone that is not deleted (no such zone: nothing happens). */
export async function updateZone(db: Queryable, id: string, changes: Partial<ZoneFields>): Promise<void> {
  const fields = (Object.keys(COLUMN_OF) as (keyof ZoneFields)[]).filter((field) => changes[field] !== undefined);
  if (fields.length === 0) return;
  const values = fields.map((field) => (field === 'polygon' ? JSON.stringify(changes.polygon) : changes[field]));
  await db.query(`UPDATE zones SET ${fields.map((field) => `${COLUMN_OF[field]} = ?`).join(', ')} WHERE id = ? AND deleted_at IS NULL`, [
    ...values,
    id,
  ]);
}

/** Hides a zone; false when there was no such zone to delete. */
export async function softDeleteZone(db: Queryable, id: string): Promise<boolean> {
  const result: { affectedRows: number } = await db.query(
    'UPDATE zones SET deleted_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND deleted_at IS NULL',
    [id],
  );
  return result.affectedRows > 0;
}

/** The zones serviceability considers: active and not deleted (their stores are checked by the snapshot). */
export async function listServedZones(db: Queryable): Promise<ServedZone[]> {
  const rows: Record<string, unknown>[] = await db.query('SELECT id, store_id, polygon FROM zones WHERE active = 1 AND deleted_at IS NULL');
  return rows.map((r) => ({ id: String(r.id), storeId: String(r.store_id), polygon: JSON.parse(String(r.polygon)) as Polygon }));
}
