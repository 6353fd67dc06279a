import { commonColumnsSql, tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/**
 * Carts, the durable copy (Redis holds the hot one). One row per customer, kept for good: clearing
 * a cart removes its lines, so `version` only ever grows and orders the cache's writes. A line
 * keeps the name and prices the customer saw when they last chose its quantity: what every read
 * compares today's catalog with.
 */
export class CartTables1765100000000 implements MigrationInterface {
  name = 'CartTables1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE carts (
        ${commonColumnsSql},
        user_id CHAR(36) NOT NULL,
        store_id CHAR(36) NULL COMMENT 'the store delivering to address_id; NULL until an address is chosen',
        address_id CHAR(36) NULL COMMENT 'user-service address id',
        version INT UNSIGNED NOT NULL DEFAULT 1 COMMENT 'bumped by every change, under the row lock',
        UNIQUE KEY carts_user (user_id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE cart_lines (
        cart_id CHAR(36) NOT NULL,
        product_id CHAR(36) NOT NULL,
        quantity SMALLINT UNSIGNED NOT NULL,
        name VARCHAR(200) NOT NULL,
        price_amount INT UNSIGNED NOT NULL COMMENT 'paise, when the quantity was last chosen',
        mrp_amount INT UNSIGNED NOT NULL COMMENT 'paise, when the quantity was last chosen',
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (cart_id, product_id),
        CONSTRAINT cart_lines_quantity CHECK (quantity > 0),
        CONSTRAINT cart_lines_cart FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE cart_lines');
    await q.query('DROP TABLE carts');
  }
}
