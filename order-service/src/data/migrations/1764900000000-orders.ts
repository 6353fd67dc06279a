import { commonColumnsSql, tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/**
 * Orders with their price snapshot and status history, and coupons with their redemptions. Money
 * is integer paise (BIGINT); the CHECKs keep even a bug from storing a negative amount.
 */
export class OrderTables1764900000000 implements MigrationInterface {
  name = 'OrderTables1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE coupons (
        ${commonColumnsSql},
        code VARCHAR(32) NOT NULL COMMENT 'upper case',
        kind ENUM('PERCENTAGE', 'FLAT', 'FREE_DELIVERY') NOT NULL,
        value INT UNSIGNED NOT NULL COMMENT 'PERCENTAGE: percent; FLAT: paise; FREE_DELIVERY: 0',
        max_discount BIGINT UNSIGNED NULL COMMENT 'PERCENTAGE cap, paise',
        min_order_value BIGINT UNSIGNED NOT NULL DEFAULT 0,
        per_user_limit INT UNSIGNED NULL,
        total_limit INT UNSIGNED NULL,
        used_count INT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'orders holding it; a cancelled order gives it back',
        valid_from DATETIME(3) NOT NULL,
        valid_until DATETIME(3) NULL,
        active TINYINT(1) NOT NULL DEFAULT 1,
        description VARCHAR(200) NULL,
        version INT UNSIGNED NOT NULL DEFAULT 1,
        deleted_at DATETIME(3) NULL,
        UNIQUE KEY coupons_code (code),
        CONSTRAINT coupons_within_limit CHECK (total_limit IS NULL OR used_count <= total_limit),
        CONSTRAINT coupons_percentage CHECK (kind <> 'PERCENTAGE' OR value BETWEEN 1 AND 100)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE orders (
        ${commonColumnsSql},
        user_id CHAR(36) NOT NULL,
        store_id CHAR(36) NOT NULL,
        address_id CHAR(36) NOT NULL,
        dropoff_lat DECIMAL(9,6) NOT NULL,
        dropoff_lng DECIMAL(9,6) NOT NULL,
        status ENUM('PENDING', 'AWAITING_PAYMENT', 'CONFIRMED', 'PACKED', 'OUT_FOR_DELIVERY', 'DELIVERED', 'CANCELLED') NOT NULL,
        payment_method ENUM('WALLET', 'CARD', 'UPI', 'COD') NOT NULL,
        idempotency_key VARCHAR(255) NOT NULL COMMENT 'the placing request''s; unique per user, so a retry finds this order',
        coupon_id CHAR(36) NULL,
        coupon_code VARCHAR(32) NULL,
        item_total BIGINT UNSIGNED NOT NULL,
        mrp_total BIGINT UNSIGNED NOT NULL,
        coupon_discount BIGINT UNSIGNED NOT NULL,
        delivery_fee BIGINT UNSIGNED NOT NULL,
        small_cart_fee BIGINT UNSIGNED NOT NULL,
        handling_fee BIGINT UNSIGNED NOT NULL,
        tax BIGINT UNSIGNED NOT NULL,
        total BIGINT UNSIGNED NOT NULL,
        paid TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'payment captured',
        refunded_amount BIGINT UNSIGNED NOT NULL DEFAULT 0,
        payment_due_by DATETIME(3) NULL,
        cancellation_reason VARCHAR(40) NULL,
        delivered_at DATETIME(3) NULL,
        version INT UNSIGNED NOT NULL DEFAULT 1,
        UNIQUE KEY orders_idempotency (user_id, idempotency_key),
        KEY orders_user (user_id, id),
        KEY orders_status (status, id),
        KEY orders_store (store_id, id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE order_items (
        order_id CHAR(36) NOT NULL,
        product_id CHAR(36) NOT NULL,
        name VARCHAR(200) NOT NULL,
        quantity INT UNSIGNED NOT NULL,
        unit_price BIGINT UNSIGNED NOT NULL,
        mrp BIGINT UNSIGNED NOT NULL,
        line_total BIGINT UNSIGNED NOT NULL,
        position SMALLINT UNSIGNED NOT NULL,
        PRIMARY KEY (order_id, product_id),
        CONSTRAINT order_items_quantity CHECK (quantity > 0),
        CONSTRAINT order_items_order FOREIGN KEY (order_id) REFERENCES orders (id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE order_status_history (
        id CHAR(36) NOT NULL PRIMARY KEY,
        order_id CHAR(36) NOT NULL,
        status VARCHAR(20) NOT NULL,
        actor VARCHAR(64) NOT NULL COMMENT 'user id, or system:<service> for a saga step',
        reason VARCHAR(500) NULL,
        at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY history_order (order_id, id),
        CONSTRAINT history_order FOREIGN KEY (order_id) REFERENCES orders (id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE coupon_redemptions (
        order_id CHAR(36) NOT NULL PRIMARY KEY,
        coupon_id CHAR(36) NOT NULL,
        user_id CHAR(36) NOT NULL,
        released_at DATETIME(3) NULL COMMENT 'the order was cancelled: the use is given back',
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY redemptions_user (coupon_id, user_id, released_at),
        CONSTRAINT redemptions_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id),
        CONSTRAINT redemptions_order FOREIGN KEY (order_id) REFERENCES orders (id)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['coupon_redemptions', 'order_status_history', 'order_items', 'orders', 'coupons'])
      await q.query(`DROP TABLE ${table}`);
  }
}
