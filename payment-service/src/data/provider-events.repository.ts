import { newId, type Queryable, type Tx } from '@qc/shared/db';
import type { ProviderEvent } from '../domain/provider';

/** Stores a provider event as it arrives; false when this event id was stored before (a redelivery). */
export async function storeProviderEvent(db: Queryable, provider: string, event: ProviderEvent): Promise<boolean> {
  const result: { affectedRows: number } = await db.query(
    'INSERT IGNORE INTO provider_events (id, provider, event_id, event_type, payload) VALUES (?, ?, ?, ?, ?)',
    [newId(), provider, event.eventId, event.type, JSON.stringify(event)],
  );
  return result.affectedRows === 1;
}

export interface StoredProviderEvent {
  id: string;
  event: ProviderEvent;
}

/** Attempts after which an event that keeps failing is left for a person to look at (last_error says why). */
export const PROVIDER_EVENT_MAX_ATTEMPTS = 10;

/**
 * The oldest unprocessed events, locked for this worker; rows another replica is processing are
 * skipped, not waited for.
 */
export async function lockPendingProviderEvents(tx: Tx, limit: number): Promise<StoredProviderEvent[]> {
  const rows: { id: string; payload: string }[] = await tx.query(
    'SELECT id, payload FROM provider_events WHERE processed_at IS NULL AND attempts < ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED',
    [PROVIDER_EVENT_MAX_ATTEMPTS, limit],
  );
  return rows.map((row) => ({ id: row.id, event: JSON.parse(row.payload) as ProviderEvent }));
}

export async function markProviderEventProcessed(tx: Tx, id: string): Promise<void> {
  await tx.query('UPDATE provider_events SET processed_at = CURRENT_TIMESTAMP(3) WHERE id = ?', [id]);
}

export async function recordProviderEventError(db: Queryable, id: string, error: string): Promise<void> {
  await db.query('UPDATE provider_events SET attempts = attempts + 1, last_error = ? WHERE id = ?', [error.slice(0, 500), id]);
}
