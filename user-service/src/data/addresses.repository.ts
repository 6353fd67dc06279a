import { isoTime, type Queryable } from '@qc/shared/db';
import { optional } from './db';

export interface AddressFields {
  label: string;
  line1: string;
  line2: string | null;
  city: string;
  pincode: string;
  lat: number;
  lng: number;
}

export interface AddressRow extends AddressFields {
  id: string;
  userId: string;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = 'id, user_id, label, line1, line2, city, pincode, lat, lng, is_default, created_at, updated_at';

function toAddress(row: Record<string, unknown>): AddressRow {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    label: String(row.label),
    line1: String(row.line1),
    line2: optional(row.line2),
    city: String(row.city),
    pincode: String(row.pincode),
    lat: Number(row.lat),
    lng: Number(row.lng),
    isDefault: Number(row.is_default) === 1,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

/** A user's addresses, oldest first. Every query is scoped to the owner: another user's id finds nothing. */
export async function listAddresses(db: Queryable, userId: string): Promise<AddressRow[]> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM addresses WHERE user_id = ? ORDER BY id`, [userId]);
  return rows.map(toAddress);
}

export async function findAddress(db: Queryable, userId: string, id: string): Promise<AddressRow | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM addresses WHERE user_id = ? AND id = ?`, [userId, id]);
  return rows[0] && toAddress(rows[0]);
}

export async function insertAddress(
  db: Queryable,
  address: AddressFields & { id: string; userId: string; isDefault: boolean },
): Promise<void> {
  await db.query(
    'INSERT INTO addresses (id, user_id, label, line1, line2, city, pincode, lat, lng, is_default) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      address.id,
      address.userId,
      address.label,
      address.line1,
      address.line2,
      address.city,
      address.pincode,
      address.lat,
      address.lng,
      address.isDefault,
    ],
  );
}

const COLUMN_OF: Record<keyof AddressFields, string> = {
  label: 'label',
  line1: 'line1',
  line2: 'line2',
  city: 'city',
  pincode: 'pincode',
  lat: 'lat',
  lng: 'lng',
};

export async function updateAddress(db: Queryable, userId: string, id: string, changes: Partial<AddressFields>): Promise<void> {
  const entries = (Object.keys(COLUMN_OF) as (keyof AddressFields)[]).filter((field) => changes[field] !== undefined);
  if (entries.length === 0) return;
  await db.query(`UPDATE addresses SET ${entries.map((field) => `${COLUMN_OF[field]} = ?`).join(', ')} WHERE user_id = ? AND id = ?`, [
    ...entries.map((field) => changes[field]),
    userId,
    id,
  ]);
}

/** Makes one address the default and every other address of the user not. */
export async function makeDefault(db: Queryable, userId: string, id: string): Promise<void> {
  await db.query('UPDATE addresses SET is_default = (id = ?) WHERE user_id = ?', [id, userId]);
}

export async function deleteAddress(db: Queryable, userId: string, id: string): Promise<void> {
  await db.query('DELETE FROM addresses WHERE user_id = ? AND id = ?', [userId, id]);
}
