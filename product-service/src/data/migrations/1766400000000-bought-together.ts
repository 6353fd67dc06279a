import { tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/** The sale lines of counted orders, one row per product, numbered by product id within the order. */
const countedLines = `
  SELECT s.order_id, s.delivered_on, l.product_id, ROW_NUMBER() OVER (PARTITION BY s.order_id ORDER BY l.product_id) AS n
    FROM order_sales s, JSON_TABLE(s.sale_lines, '$[*]' COLUMNS (product_id CHAR(36) PATH '$.productId')) l
   WHERE s.counted = 1`;

/**
 * "Often bought together": per unordered pair of products (stored once, smaller id first) and UTC
 * delivery day, how many delivered orders had both. The orders already counted in units sold get
 * their pairs too, by the rule the consumer applies (the first 30 products of an order by id,
 * written out here because a migration must keep doing what it did when it ran), so
 * recommendations start from the sales still in the window, and a cancellation told later takes
 * back exactly what was added.
 */
export class BoughtTogether1766400000000 implements MigrationInterface {
  name = 'BoughtTogether1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE bought_together_daily (
        product_a CHAR(36) NOT NULL COMMENT 'the smaller id of the pair',
        sold_on DATE NOT NULL COMMENT 'UTC day the orders were delivered',
        product_b CHAR(36) NOT NULL COMMENT 'the larger id of the pair',
        orders INT NOT NULL COMMENT 'delivered orders that had both',
        PRIMARY KEY (product_a, sold_on, product_b),
        KEY bought_together_daily_b (product_b, sold_on, product_a, orders),
        KEY bought_together_daily_day (sold_on)
      ) ${tableOptionsSql}`);
    await q.query(`
      INSERT INTO bought_together_daily (product_a, sold_on, product_b, orders)
      SELECT a.product_id, a.delivered_on, b.product_id, COUNT(*)
        FROM (${countedLines}) a
        JOIN (${countedLines}) b ON b.order_id = a.order_id AND b.product_id > a.product_id
       WHERE a.n <= 30 AND b.n <= 30
       GROUP BY a.product_id, a.delivered_on, b.product_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE bought_together_daily');
  }
}
