import { isoTime, type Queryable } from '@qc/shared/db';
import type { Role } from '@qc/shared/auth';
import { optional } from './db';

export type UserStatus = 'active' | 'disabled';

/** Which messages go on which channel is notification-service's (its `/preferences`), not kept here. */
export interface Preferences {
  language: string;
  marketing: boolean;
}

export interface UserRow {
  id: string;
  email: string | null;
  phone: string | null;
  name: string | null;
  passwordHash: string | null;
  role: Role;
  status: UserStatus;
  preferences: Preferences;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = 'id, email, phone, name, password_hash, role, status, preferences, created_at, updated_at';

function toUser(row: Record<string, unknown>): UserRow {
  return {
    id: String(row.id),
    email: optional(row.email),
    phone: optional(row.phone),
    name: optional(row.name),
    passwordHash: optional(row.password_hash),
    role: row.role as Role,
    status: row.status as UserStatus,
    preferences: JSON.parse(String(row.preferences)),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

async function findOne(db: Queryable, where: string, params: unknown[], lock: boolean): Promise<UserRow | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM users WHERE ${where}${lock ? ' FOR UPDATE' : ''}`, params);
  return rows[0] && toUser(rows[0]);
}

export function findUserById(db: Queryable, id: string, options: { lock?: boolean } = {}): Promise<UserRow | undefined> {
  return findOne(db, 'id = ?', [id], options.lock ?? false);
}

export function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  return findOne(db, 'email = ?', [email], false);
}

export function findUserByPhone(db: Queryable, phone: string): Promise<UserRow | undefined> {
  return findOne(db, 'phone = ?', [phone], false);
}

export interface NewUser {
  id: string;
  email: string | null;
  phone: string | null;
  name: string | null;
  passwordHash: string | null;
  role: Role;
  preferences: Preferences;
}

export async function insertUser(db: Queryable, user: NewUser): Promise<void> {
  await db.query('INSERT INTO users (id, email, phone, name, password_hash, role, preferences) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    user.id,
    user.email,
    user.phone,
    user.name,
    user.passwordHash,
    user.role,
    JSON.stringify(user.preferences),
  ]);
}

export interface ProfileChanges {
  name?: string | undefined;
  email?: string | undefined;
  phone?: string | null | undefined;
  preferences?: Preferences | undefined;
}

export async function updateProfile(db: Queryable, id: string, changes: ProfileChanges): Promise<void> {
  const columns: [string, unknown][] = [];
  if (changes.name !== undefined) columns.push(['name', changes.name]);
  if (changes.email !== undefined) columns.push(['email', changes.email]);
  if (changes.phone !== undefined) columns.push(['phone', changes.phone]);
  if (changes.preferences !== undefined) columns.push(['preferences', JSON.stringify(changes.preferences)]);
  if (columns.length === 0) return;
  await db.query(`UPDATE users SET ${columns.map(([column]) => `${column} = ?`).join(', ')}, version = version + 1 WHERE id = ?`, [
    ...columns.map(([, value]) => value),
    id,
  ]);
}

export async function setPasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db.query('UPDATE users SET password_hash = ?, version = version + 1 WHERE id = ?', [passwordHash, id]);
}

export async function setRole(db: Queryable, id: string, role: Role): Promise<void> {
  await db.query('UPDATE users SET role = ?, version = version + 1 WHERE id = ?', [role, id]);
}

export async function setStatus(db: Queryable, id: string, status: UserStatus): Promise<void> {
  await db.query('UPDATE users SET status = ?, version = version + 1 WHERE id = ?', [status, id]);
}

export interface UserSearch {
  /** Start of an email, phone or name. */
  q?: string | undefined;
  role?: Role | undefined;
  status?: UserStatus | undefined;
  /** Id to continue after: newest first, and ids are UUIDv7. */
  after?: string | undefined;
  limit: number;
}

export async function searchUsers(db: Queryable, search: UserSearch): Promise<UserRow[]> {
  const conditions: [string, ...unknown[]][] = [];
  if (search.q) {
    const prefix = `${search.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(['(email LIKE ? OR phone LIKE ? OR name LIKE ?)', prefix, prefix, prefix]);
  }
  if (search.role) conditions.push(['role = ?', search.role]);
  if (search.status) conditions.push(['status = ?', search.status]);
  if (search.after) conditions.push(['id < ?', search.after]);
  const where = conditions.map(([sql]) => sql);
  const params = conditions.flatMap(([, ...values]) => values);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${COLUMNS} FROM users ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    [...params, search.limit],
  );
  return rows.map(toUser);
}
