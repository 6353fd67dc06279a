/**
 * History imported by an admin (`POST /api/v1/analytics/events/import`), the way an analytics
 * system takes over the past of the one before it: events in the fleet's envelope, checked
 * against the catalog like consumed ones, then stored (marked `import`) and projected by the very
 * path consumed events take, under the consumer's own processed-events ledger. So an event id is
 * counted once whichever way it came, and importing a batch again changes nothing. The events go
 * to analytics only: nothing is published, so no other service acts on the past.
 */
import { ContractViolation, parseEvent, type CatalogEvent, type Outbox } from '@qc/shared/events';
import { AppError, type ErrorDetail } from '@qc/shared/http';
import { claimEvent } from '../data/raw-events.repository';
import { ingestEvent } from './ingest';

/** The most events one import takes (one transaction). */
export const MAX_IMPORT_BATCH = 500;

export interface ImportOutcome {
  /** Events in the batch. */
  received: number;
  /** Events stored and projected now. */
  imported: number;
  /** Events whose id was known already (consumed, or imported before): left as they were. */
  alreadyKnown: number;
}

/**
 * Every event of the batch, parsed as the consumer parses a message (known type, its owner as
 * source, data within its contract) and not later than `now`; otherwise one 400 that lists every
 * refused event, and nothing is imported.
 */
export function checkImportBatch(batch: readonly unknown[], now: Date): CatalogEvent[] {
  const events: CatalogEvent[] = [];
  const problems: ErrorDetail[] = [];
  const refused = new Set<number>();
  batch.forEach((candidate, index) => {
    const at = `body.events.${index}`;
    const eventId = (candidate as { id?: unknown }).id;
    try {
      const event = parseEvent(JSON.stringify(candidate));
      if (Date.parse(event.time) > now.getTime()) {
        refused.add(index);
        problems.push({ path: `${at}.time`, message: `${event.time} is in the future: only past events are imported`, eventId });
      } else events.push(event);
    } catch (err) {
      if (!(err instanceof ContractViolation)) throw err;
      refused.add(index);
      if (err.issues.length === 0) problems.push({ path: at, message: err.message, eventId });
      for (const issue of err.issues) {
        problems.push({ path: [at, 'data', ...issue.path].join('.'), message: `${err.message}: ${issue.message}`, eventId });
      }
    }
  });
  if (refused.size > 0) {
    throw new AppError('invalid_input', 'IMPORT_EVENTS_INVALID', `${refused.size} of ${batch.length} events cannot be imported; none was`, {
      details: problems,
    });
  }
  return events;
}

/**
 * Imports a checked batch in one transaction (run again whole if InnoDB picks it as a deadlock
 * victim): each event not in `consumer`'s ledger yet is recorded there, stored and projected.
 */
export async function importEvents(
  deps: { outbox: Outbox; consumer: string },
  batch: readonly unknown[],
  now: Date = new Date(),
): Promise<ImportOutcome> {
  const events = checkImportBatch(batch, now);
  const imported = await deps.outbox.transaction(async (tx) => {
    let fresh = 0;
    for (const event of events) {
      if (!(await claimEvent(tx, deps.consumer, event))) continue;
      await ingestEvent(tx, event, 'import');
      fresh++;
    }
    return fresh;
  });
  return { received: events.length, imported, alreadyKnown: events.length - imported };
}
