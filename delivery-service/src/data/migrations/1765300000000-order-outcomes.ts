import { tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

const STATUSES_BEFORE = "'QUEUED', 'ASSIGNED', 'ACCEPTED', 'PICKED_UP', 'DELIVERED', 'FAILED', 'CANCELLED'";

/**
 * Deliveries follow their order's end (order.completed, order.cancelled):
 *
 * - `RETURNED`: the order was cancelled after the rider picked it up; the goods go back to the store.
 * - `deliveries.ended_by_order`: the delivery was ended because its order ended, not by its partner
 *   (no hand-over with the code); such deliveries are left out of the stores' turnaround.
 * - `order_outcomes`: one row per order heard of. Every writer for an order locks its row first, so
 *   an order's confirmation and its end never interleave; an end that arrives before the
 *   confirmation (a dead letter replayed late) is kept there, and the delivery is born ended.
 */
export class OrderOutcomes1765300000000 implements MigrationInterface {
  name = 'OrderOutcomes1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries MODIFY status ENUM(${STATUSES_BEFORE}, 'RETURNED') NOT NULL`);
    await q.query(`ALTER TABLE deliveries ADD COLUMN ended_by_order TINYINT(1) NOT NULL DEFAULT 0
      COMMENT 'ended because its order was delivered or cancelled, not by its partner' AFTER failure_reason`);
    await q.query(`
      CREATE TABLE order_outcomes (
        order_id CHAR(36) NOT NULL PRIMARY KEY,
        outcome ENUM('DELIVERED', 'CANCELLED') NULL COMMENT 'how the order ended; NULL while it has not',
        reason VARCHAR(300) NULL,
        ended_at DATETIME(3) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE order_outcomes');
    await q.query('ALTER TABLE deliveries DROP COLUMN ended_by_order');
    await q.query("UPDATE deliveries SET status = 'CANCELLED' WHERE status = 'RETURNED'");
    await q.query(`ALTER TABLE deliveries MODIFY status ENUM(${STATUSES_BEFORE}) NOT NULL`);
  }
}
