import type { DataSource, Queryable, Tx } from '@qc/shared/db';
import { withoutSecrets, type CatalogEvent } from '@qc/shared/events';

/** How an event reached the store: consumed from the fleet's topics, or imported as history by an admin. */
export type RawEventOrigin = 'stream' | 'import';

export interface RawEventRow {
  eventId: string;
  type: string;
  source: string;
  subject: string;
  correlationId: string;
  occurredAt: string;
  data: unknown;
  receivedAt: string;
  origin: RawEventOrigin;
}

/** Stores the event as published, less the fields meant for one consumer only (an OTP). */
export async function insertRawEvent(tx: Tx, event: CatalogEvent, origin: RawEventOrigin): Promise<void> {
  await tx.query(
    'INSERT INTO raw_events (event_id, type, source, subject, correlation_id, occurred_at, data, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [
      event.id,
      event.type,
      event.source,
      event.subject,
      event.correlationid,
      new Date(event.time),
      JSON.stringify(withoutSecrets(event.type, event.data)),
      origin,
    ],
  );
}

/**
 * Records the event in the consumer's processed-events ledger, the one the Kafka consumer runner
 * writes: false when the event id is there already (consumed or imported before), so the caller
 * leaves it alone. The row is locked until the caller's transaction ends.
 */
export async function claimEvent(tx: Tx, consumer: string, event: CatalogEvent): Promise<boolean> {
  const result: { affectedRows: number } = await tx.query(
    'INSERT IGNORE INTO processed_events (consumer, event_id, event_type) VALUES (?, ?, ?)',
    [consumer, event.id, event.type],
  );
  return result.affectedRows === 1;
}

/**
 * Orders that imported events name and no consumed event is about (the fleet keys an order's
 * events by its id): history with no source record to compare with. Each with the store its
 * imported order events name, when one does.
 */
export async function importedOnlyOrders(db: Queryable): Promise<Map<string, string | null>> {
  const rows: { order_id: string; store_id: string | null }[] = await db.query(
    `SELECT i.order_id, MAX(i.store_id) store_id FROM (
       SELECT JSON_UNQUOTE(JSON_EXTRACT(data, '$.orderId')) order_id, JSON_UNQUOTE(JSON_EXTRACT(data, '$.storeId')) store_id
         FROM raw_events WHERE origin = 'import' AND type LIKE 'order.%'
     ) i
     WHERE i.order_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM raw_events s WHERE s.subject = i.order_id AND s.origin = 'stream')
     GROUP BY i.order_id`,
  );
  return new Map(rows.map((r) => [String(r.order_id), r.store_id === null ? null : String(r.store_id)]));
}

export interface RawEventQuery {
  type?: string | undefined;
  /** Event id to continue after (ids are UUIDv7, so they sort by time). */
  after?: string | undefined;
  limit: number;
}

/** Newest first; ids are UUIDv7, so ordering by id is ordering by publish time. */
export async function listRawEvents(dataSource: DataSource, query: RawEventQuery): Promise<RawEventRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.type) {
    where.push('type = ?');
    params.push(query.type);
  }
  if (query.after) {
    where.push('event_id < ?');
    params.push(query.after);
  }
  const rows: Record<string, unknown>[] = await dataSource.query(
    `SELECT event_id, type, source, subject, correlation_id, occurred_at, data, received_at, origin FROM raw_events
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY event_id DESC LIMIT ?`,
    [...params, query.limit],
  );
  return rows.map((r) => ({
    eventId: String(r.event_id),
    type: String(r.type),
    source: String(r.source),
    subject: String(r.subject),
    correlationId: String(r.correlation_id),
    occurredAt: (r.occurred_at as Date).toISOString(),
    data: JSON.parse(String(r.data)),
    receivedAt: (r.received_at as Date).toISOString(),
    origin: r.origin as RawEventOrigin,
  }));
}
