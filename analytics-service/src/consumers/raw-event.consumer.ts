import type { Subscription } from '@qc/shared/events';
import { insertRawEvent } from '../data/raw-events.repository';
import { projectEvent } from '../domain/projector';

/**
 * Every event of every topic goes to the raw store, and into the projections in the same
 * transaction; the runner's ledger makes both exactly once.
 */
export const storeRawEvent: Subscription = {
  type: '*',
  handle: async (event, tx) => {
    await insertRawEvent(tx, event);
    await projectEvent(tx, event);
  },
};
