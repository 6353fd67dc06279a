import type { MigrationInterface, QueryRunner } from '@qc/shared/db';

/**
 * The zone of each order fact: the location-service zone its drop-off fell in, from order.created.
 * Null for orders whose events did not carry one (placed before order-service recorded zones).
 * `npm run analytics:rebuild` fills it for every order.created in the raw store that has it.
 */
export class OrderZones1766000500000 implements MigrationInterface {
  name = 'OrderZones1766000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE order_facts ADD COLUMN zone_id CHAR(36) NULL AFTER store_id');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE order_facts DROP COLUMN zone_id');
  }
}
