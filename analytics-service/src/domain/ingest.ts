import type { Tx } from '@qc/shared/db';
import type { CatalogEvent } from '@qc/shared/events';
import { insertRawEvent, type RawEventOrigin } from '../data/raw-events.repository';
import { projectEvent } from './projector';

/**
 * What analytics does with one event, consumed or imported alike: the raw store (marked with where
 * it came from) and the projections, in the caller's transaction, which also holds the event's
 * processed-events record, so the pair happens once per event id.
 */
export async function ingestEvent(tx: Tx, event: CatalogEvent, origin: RawEventOrigin): Promise<void> {
  await insertRawEvent(tx, event, origin);
  await projectEvent(tx, event);
}
