import type { MigrationInterface, QueryRunner } from '@qc/shared/db';

/**
 * How a delivery ended when its order ended it without a rider's hand-over or failure
 * (`delivery.cancelled`): when, and as what (`CANCELLED`, `RETURNED`, `CLOSED`). The partners'
 * busy time stops there. `npm run analytics:rebuild` fills them from the raw store.
 */
export class DeliveryEnds1766200000000 implements MigrationInterface {
  name = 'DeliveryEnds1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE delivery_facts ADD COLUMN ended_at DATETIME(3) NULL AFTER failure_reason, ADD COLUMN end_outcome VARCHAR(20) NULL AFTER ended_at',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE delivery_facts DROP COLUMN end_outcome, DROP COLUMN ended_at');
  }
}
