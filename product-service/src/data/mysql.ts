/** Anything that runs SQL: the pool (`DataSource`) for reads, a transaction's manager for writes. */
export interface Queryable {
  // The driver's rows are untyped; each repository casts them to its row type.
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export const iso = (value: unknown): string => (value instanceof Date ? value : new Date(String(value))).toISOString();
