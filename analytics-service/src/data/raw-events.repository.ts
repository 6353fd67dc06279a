import type { Tx } from '@qc/shared/db';
import type { DataSource } from '@qc/shared/db';
import { withoutSecrets, type CatalogEvent } from '@qc/shared/events';

export interface RawEventRow {
  eventId: string;
  type: string;
  source: string;
  subject: string;
  correlationId: string;
  occurredAt: string;
  data: unknown;
  receivedAt: string;
}

/** Stores the event as published, less the fields meant for one consumer only (an OTP). */
export async function insertRawEvent(tx: Tx, event: CatalogEvent): Promise<void> {
  await tx.query(
    'INSERT INTO raw_events (event_id, type, source, subject, correlation_id, occurred_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [
      event.id,
      event.type,
      event.source,
      event.subject,
      event.correlationid,
      new Date(event.time),
      JSON.stringify(withoutSecrets(event.type, event.data)),
    ],
  );
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
    `SELECT event_id, type, source, subject, correlation_id, occurred_at, data, received_at FROM raw_events
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
  }));
}
