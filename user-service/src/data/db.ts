import type { Tx } from '@qc/shared/db';

/** A data source or a transaction's manager: repository functions run the same SQL on either. */
export type Db = Pick<Tx, 'query'>;

/** MySQL's DATETIME and TINYINT come back as Date and number; these keep the row mappers short. */
export const iso = (value: unknown): string => (value as Date).toISOString();
export const optional = (value: unknown): string | null => (value === null ? null : String(value));
