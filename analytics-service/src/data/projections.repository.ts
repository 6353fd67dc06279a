import type { Queryable } from '@qc/shared/db';

/**
 * How an upsert merges a column into a row another event may have written first. Each rule gives
 * the same row whatever order the events come in and however often one is replayed:
 * - `known`: the first value that is not null (facts every event agrees on: an order's user);
 * - `earliest` / `latest`: the earliest / latest time (a milestone; the latest assignment);
 * - `withLatest`: follows the row's `latest` column (the partner of the latest assignment).
 */
type Rule = 'known' | 'earliest' | 'latest' | { withLatest: string };
type Value = string | number | boolean | Date | null | undefined;

const PROJECTION_TABLES = [
  'order_facts',
  'order_lines',
  'payment_facts',
  'refund_facts',
  'delivery_facts',
  'stock_signals',
  'cart_activity',
  'notification_facts',
  'zone_facts',
] as const;

function assignment(column: string, rule: Rule): string {
  const incoming = `VALUES(${column})`;
  if (rule === 'known') return `${column} = COALESCE(${column}, ${incoming})`;
  if (rule === 'earliest') return `${column} = COALESCE(LEAST(${column}, ${incoming}), ${column}, ${incoming})`;
  if (rule === 'latest') return `${column} = COALESCE(GREATEST(${column}, ${incoming}), ${column}, ${incoming})`;
  // Before the time column itself is assigned: MySQL applies the assignments left to right.
  const time = rule.withLatest;
  return `${column} = IF(${incoming} IS NOT NULL AND (${time} IS NULL OR VALUES(${time}) >= ${time}), ${incoming}, COALESCE(${column}, ${incoming}))`;
}

/**
 * Inserts the row, or merges the given columns into the existing one by their rules. Undefined
 * values are left out, so an event writes only what it knows.
 */
export async function mergeFact(
  tx: Queryable,
  table: (typeof PROJECTION_TABLES)[number],
  key: Record<string, Value>,
  columns: Record<string, [Value, Rule]>,
): Promise<void> {
  const known = Object.entries(columns).filter(([, [value]]) => value !== undefined);
  // Columns that follow a time column go first, so they compare with the time before it changes.
  known.sort(([, [, a]], [, [, b]]) => Number(typeof b === 'object') - Number(typeof a === 'object'));
  const names = [...Object.keys(key), ...known.map(([name]) => name)];
  const values = [...Object.values(key), ...known.map(([, [value]]) => value ?? null)];
  const updates = known.map(([name, [, rule]]) => assignment(name, rule));
  await tx.query(
    `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})
     ON DUPLICATE KEY UPDATE ${updates.length > 0 ? updates.join(', ') : `${names[0]} = ${names[0]}`}`,
    values,
  );
}

/** Empties every projection, for a rebuild from the raw store (in the caller's transaction). */
export async function clearProjections(tx: Queryable): Promise<void> {
  for (const table of PROJECTION_TABLES) await tx.query(`DELETE FROM ${table}`);
}

/** Raw events in id order, a page at a time, for a rebuild; ids are UUIDv7, so this is publish order. */
export async function rawEventsAfter(
  tx: Queryable,
  afterId: string,
  limit: number,
): Promise<{ eventId: string; type: string; source: string; subject: string; correlationId: string; time: Date; data: string }[]> {
  const rows: {
    event_id: string;
    type: string;
    source: string;
    subject: string;
    correlation_id: string;
    occurred_at: Date;
    data: string;
  }[] = await tx.query(
    'SELECT event_id, type, source, subject, correlation_id, occurred_at, data FROM raw_events WHERE event_id > ? ORDER BY event_id LIMIT ?',
    [afterId, limit],
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    type: r.type,
    source: r.source,
    subject: r.subject,
    correlationId: r.correlation_id,
    time: r.occurred_at,
    data: r.data,
  }));
}
