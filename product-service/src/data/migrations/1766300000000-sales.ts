import { tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/**
 * Popularity from orders: what is known of each order's sale (its lines, its delivery day, whether
 * it was cancelled, whether it is counted), the units sold per product and day, and each product's
 * starting popularity (what the demo seed set; orders add to it). Existing popularity becomes the
 * starting one, so nothing moves until sales arrive.
 */
export class Sales1766300000000 implements MigrationInterface {
  name = 'Sales1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE products ADD COLUMN base_popularity INT NOT NULL DEFAULT 0 COMMENT 'starting popularity; units sold are added to it' AFTER popularity`,
    );
    await q.query('UPDATE products SET base_popularity = popularity, updated_at = updated_at');
    await q.query(`
      CREATE TABLE order_sales (
        order_id CHAR(36) NOT NULL PRIMARY KEY,
        sale_lines TEXT NULL COMMENT 'JSON [{productId, quantity}] from order.confirmed',
        delivered_on DATE NULL COMMENT 'UTC day of order.completed deliveredAt',
        cancelled TINYINT(1) NOT NULL DEFAULT 0,
        counted TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'its lines are in units_sold_daily',
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        KEY order_sales_updated (updated_at)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE units_sold_daily (
        product_id CHAR(36) NOT NULL,
        sold_on DATE NOT NULL COMMENT 'UTC day the orders were delivered',
        units INT NOT NULL,
        PRIMARY KEY (product_id, sold_on),
        KEY units_sold_daily_day (sold_on, product_id, units)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE units_sold_daily');
    await q.query('DROP TABLE order_sales');
    await q.query('ALTER TABLE products DROP COLUMN base_popularity');
  }
}
