import type { DataSource } from '@qc/shared/db';
import type { Outbox } from '@qc/shared/events';

/**
 * What inventory's use cases are given: the database they read, and the outbox whose transactions
 * commit a change together with the events that announce it.
 */
export interface Inventory {
  dataSource: DataSource;
  outbox: Outbox;
}
