import type { Subscription } from '@qc/shared/events';
import { insertRawEvent } from '../data/raw-events.repository';

/** Every event of every topic goes to the raw store; the runner's ledger makes it exactly once. */
export const storeRawEvent: Subscription = { type: '*', handle: (event, tx) => insertRawEvent(tx, event) };
