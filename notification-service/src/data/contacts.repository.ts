import type { Queryable } from '@qc/shared/db';

/** What the service knows of a user to reach them, kept from user-service's events. */
export interface ContactRecord {
  userId: string;
  email: string | null;
  phone: string | null;
  name: string | null;
  role: string;
  status: string;
}

/** The fields an event may set; absent means unchanged, `null` means removed. */
export type ContactChange = Partial<Omit<ContactRecord, 'userId'>>;

const FIELDS = { email: 'email', phone: 'phone', name: 'name', role: 'role', status: 'status' } as const;

function toContact(row: Record<string, unknown>): ContactRecord {
  const text = (value: unknown) => (value === null ? null : String(value));
  return {
    userId: String(row.user_id),
    email: text(row.email),
    phone: text(row.phone),
    name: text(row.name),
    role: String(row.role),
    status: String(row.status),
  };
}

/**
 * Writes what an event says about a user: the given fields on an existing row, or a new row (a
 * change that arrives for a user registered before this service kept contacts starts one).
 */
export async function saveContact(db: Queryable, userId: string, change: ContactChange): Promise<void> {
  const given = (Object.keys(FIELDS) as (keyof typeof FIELDS)[]).filter((field) => change[field] !== undefined);
  const columns = ['user_id', 'role', ...given.filter((f) => f !== 'role').map((f) => FIELDS[f])];
  const values = [userId, change.role ?? 'customer', ...given.filter((f) => f !== 'role').map((f) => change[f])];
  const updates = given.map((f) => `${FIELDS[f]} = VALUES(${FIELDS[f]})`);
  await db.query(
    `INSERT INTO contacts (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
     ON DUPLICATE KEY UPDATE ${updates.length > 0 ? updates.join(', ') : 'user_id = user_id'}`,
    values,
  );
}

export async function findContact(db: Queryable, userId: string): Promise<ContactRecord | undefined> {
  const [row] = await db.query('SELECT * FROM contacts WHERE user_id = ?', [userId]);
  return row ? toContact(row) : undefined;
}

/** The account a phone number belongs to, if any (one-time codes go to phones, not to users). */
export async function findContactByPhone(db: Queryable, phone: string): Promise<ContactRecord | undefined> {
  const [row] = await db.query('SELECT * FROM contacts WHERE phone = ? ORDER BY updated_at DESC LIMIT 1', [phone]);
  return row ? toContact(row) : undefined;
}
