import type { Subscription } from '@qc/shared/events';
import { ingestEvent } from '../domain/ingest';

/**
 * Every event of every topic goes to the raw store, and into the projections in the same
 * transaction; the runner's ledger makes both exactly once.
 */
export const storeRawEvent: Subscription = {
  type: '*',
  handle: (event, tx) => ingestEvent(tx, event, 'stream'),
};
