/** What the mysql2 driver puts on a failed query; TypeORM wraps it as `driverError`. */
interface MysqlError {
  code?: string;
  sqlMessage?: string;
  driverError?: MysqlError;
}

function mysqlError(err: unknown): MysqlError {
  const e = (err ?? {}) as MysqlError;
  return e.driverError ?? e;
}

/** The unique key a failed insert or update ran into (`ER_DUP_ENTRY`), if that is why it failed. */
export function duplicateKeyOf(err: unknown): string | undefined {
  const e = mysqlError(err);
  if (e.code !== 'ER_DUP_ENTRY') return undefined;
  return /for key '(?:[^'.]*\.)?([^']+)'/.exec(e.sqlMessage ?? '')?.[1] ?? '';
}

/** A foreign key refused the change: a missing parent, or a row still referenced. */
export function foreignKeyFailure(err: unknown): 'missing_parent' | 'still_referenced' | undefined {
  const code = mysqlError(err).code;
  if (code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW') return 'missing_parent';
  if (code === 'ER_ROW_IS_REFERENCED_2' || code === 'ER_ROW_IS_REFERENCED') return 'still_referenced';
  return undefined;
}

/** InnoDB rolled the whole transaction back to break a deadlock or a lock wait: running it again is safe. */
export function isTransientLockFailure(err: unknown): boolean {
  const code = mysqlError(err).code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}
