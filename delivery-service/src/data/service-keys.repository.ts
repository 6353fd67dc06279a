import { randomBytes } from 'node:crypto';
import type { Queryable } from '@qc/shared/db';

/**
 * The service's generated key of this name: made once (insert-ignore, so replicas starting
 * together agree on the first), then read.
 */
export async function generatedKey(db: Queryable, name: string): Promise<Buffer> {
  await db.query('INSERT IGNORE INTO service_keys (name, secret) VALUES (?, ?)', [name, randomBytes(32)]);
  const rows: { secret: Buffer }[] = await db.query('SELECT secret FROM service_keys WHERE name = ?', [name]);
  return Buffer.from(rows[0]!.secret);
}
