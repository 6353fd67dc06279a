import type { Queryable } from '@qc/shared/db';

export const VEHICLES = ['BICYCLE', 'EV_SCOOTER', 'SCOOTER', 'MOTORBIKE'] as const;
export type Vehicle = (typeof VEHICLES)[number];
export type PartnerStatus = 'OFFLINE' | 'ONLINE';

export interface PartnerRecord {
  id: string;
  userId: string;
  name: string;
  phone: string;
  storeId: string;
  vehicle: Vehicle;
  status: PartnerStatus;
  activeDeliveryId: string | null;
  availableSince: Date | null;
  completedCount: number;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS =
  'id, user_id, name, phone, store_id, vehicle, status, active_delivery_id, available_since, completed_count, created_at, updated_at';

function toPartner(row: Record<string, unknown>): PartnerRecord {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    name: String(row.name),
    phone: String(row.phone),
    storeId: String(row.store_id),
    vehicle: row.vehicle as Vehicle,
    status: row.status as PartnerStatus,
    activeDeliveryId: row.active_delivery_id === null ? null : String(row.active_delivery_id),
    availableSince: (row.available_since as Date | null) ?? null,
    completedCount: Number(row.completed_count),
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

export type NewPartner = Pick<PartnerRecord, 'id' | 'userId' | 'name' | 'phone' | 'storeId' | 'vehicle'>;

/** False when the user is a partner already (the unique user id decides). */
export async function insertPartner(tx: Queryable, partner: NewPartner): Promise<boolean> {
  try {
    await tx.query('INSERT INTO partners (id, user_id, name, phone, store_id, vehicle) VALUES (?, ?, ?, ?, ?, ?)', [
      partner.id,
      partner.userId,
      partner.name,
      partner.phone,
      partner.storeId,
      partner.vehicle,
    ]);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return false;
    throw err;
  }
}

export async function findPartner(db: Queryable, id: string): Promise<PartnerRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM partners WHERE id = ?`, [id]);
  return rows[0] && toPartner(rows[0]);
}

export async function findPartnerOfUser(db: Queryable, userId: string, lock = false): Promise<PartnerRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM partners WHERE user_id = ?${lock ? ' FOR UPDATE' : ''}`, [
    userId,
  ]);
  return rows[0] && toPartner(rows[0]);
}

export async function lockPartner(tx: Queryable, id: string): Promise<PartnerRecord | undefined> {
  const rows: Record<string, unknown>[] = await tx.query(`SELECT ${COLUMNS} FROM partners WHERE id = ? FOR UPDATE`, [id]);
  return rows[0] && toPartner(rows[0]);
}

/**
 * Free partners of a store (online, no delivery), locked, among `candidates` (nearest first, as the
 * position index ranked them) or, without candidates, those free the longest. `excluded` are
 * partners who turned this delivery down.
 */
export async function lockFreePartners(
  tx: Queryable,
  storeId: string,
  options: { candidates?: string[]; excluded: string[]; limit: number },
): Promise<PartnerRecord[]> {
  const where = ['store_id = ?', "status = 'ONLINE'", 'active_delivery_id IS NULL'];
  const params: unknown[] = [storeId];
  if (options.candidates) {
    if (options.candidates.length === 0) return [];
    where.push('id IN (?)');
    params.push(options.candidates);
  }
  if (options.excluded.length > 0) {
    where.push('id NOT IN (?)');
    params.push(options.excluded);
  }
  params.push(options.limit);
  const rows: Record<string, unknown>[] = await tx.query(
    `SELECT ${COLUMNS} FROM partners WHERE ${where.join(' AND ')} ORDER BY available_since, id LIMIT ? FOR UPDATE`,
    params,
  );
  return rows.map(toPartner);
}

export async function setPartnerStatus(tx: Queryable, id: string, status: PartnerStatus, availableSince: Date | null): Promise<void> {
  await tx.query('UPDATE partners SET status = ?, available_since = ? WHERE id = ?', [status, availableSince, id]);
}

export async function takeDelivery(tx: Queryable, id: string, deliveryId: string): Promise<void> {
  await tx.query('UPDATE partners SET active_delivery_id = ?, available_since = NULL WHERE id = ?', [deliveryId, id]);
}

/** The partner is free again; `completed` counts a hand-over. Free since now only while online. */
export async function releasePartner(tx: Queryable, id: string, now: Date, completed: boolean): Promise<void> {
  await tx.query(
    `UPDATE partners SET active_delivery_id = NULL, available_since = IF(status = 'ONLINE', ?, NULL),
       completed_count = completed_count + ? WHERE id = ?`,
    [now, completed ? 1 : 0, id],
  );
}

export interface StoreLoad {
  storeId: string;
  free: number;
  busy: number;
}

/** Online partners per store, free and busy. */
export async function countOnlinePartners(db: Queryable): Promise<StoreLoad[]> {
  const rows: { store_id: string; free: string | number; busy: string | number }[] = await db.query(
    `SELECT store_id, SUM(active_delivery_id IS NULL) AS free, SUM(active_delivery_id IS NOT NULL) AS busy
       FROM partners WHERE status = 'ONLINE' GROUP BY store_id`,
  );
  return rows.map((r) => ({ storeId: r.store_id, free: Number(r.free), busy: Number(r.busy) }));
}

export async function listPartners(db: Queryable, query: { storeId?: string | undefined; after?: string | undefined; limit: number }) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.storeId) {
    where.push('store_id = ?');
    params.push(query.storeId);
  }
  if (query.after) {
    where.push('id > ?');
    params.push(query.after);
  }
  params.push(query.limit);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${COLUMNS} FROM partners ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`,
    params,
  );
  return rows.map(toPartner);
}
