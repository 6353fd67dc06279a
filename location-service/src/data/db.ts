import type { Tx } from '@qc/shared/db';

/** A data source or a transaction's manager: repository functions run the same SQL on either. */
export type Db = Pick<Tx, 'query'>;

/** MySQL's DATETIME comes back as a Date. */
export const iso = (value: unknown): string => (value as Date).toISOString();
