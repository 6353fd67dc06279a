import type { MigrationInterface, QueryRunner } from '@qc/shared/db';

/**
 * The location-service zone an order's drop-off fell in (the zone that chose its store), for
 * analytics by zone. Null for orders placed before it was recorded.
 */
export class OrderZone1766000500000 implements MigrationInterface {
  name = 'OrderZone1766000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      "ALTER TABLE orders ADD COLUMN zone_id CHAR(36) NULL COMMENT 'location-service zone of the drop-off; null before it was recorded' AFTER store_id",
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE orders DROP COLUMN zone_id');
  }
}
