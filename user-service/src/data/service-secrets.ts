import { type Queryable } from '@qc/shared/db';
import { randomBytes } from 'node:crypto';

/**
 * A random secret generated on first start and shared by every replica through the schema. When
 * replicas start together, INSERT IGNORE keeps the first one written and the others read it.
 */
export async function serviceSecret(db: Queryable, name: string, bytes = 32): Promise<Buffer> {
  await db.query('INSERT IGNORE INTO service_secrets (name, value) VALUES (?, ?)', [name, randomBytes(bytes)]);
  const [row]: { value: Buffer }[] = await db.query('SELECT value FROM service_secrets WHERE name = ?', [name]);
  return row!.value;
}
