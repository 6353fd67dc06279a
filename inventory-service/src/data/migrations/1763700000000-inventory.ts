import { commonColumnsSql, tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/**
 * Dark stores, stock per (store, product), the movement ledger and order reservations. The
 * counters are UNSIGNED and `reserved <= on_hand` is a CHECK, so even a bug cannot store negative
 * stock or more reserved than is on the shelf: the statement fails instead (MariaDB 10.11 and
 * MySQL 8.0.16+ both enforce CHECK constraints).
 */
export class InventoryTables1763700000000 implements MigrationInterface {
  name = 'InventoryTables1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stores (
        ${commonColumnsSql},
        name VARCHAR(120) NOT NULL,
        address VARCHAR(300) NOT NULL,
        pincode CHAR(6) NOT NULL,
        lat DECIMAL(9,6) NOT NULL,
        lng DECIMAL(9,6) NOT NULL,
        opens_at CHAR(5) NOT NULL COMMENT 'local HH:MM',
        closes_at CHAR(5) NOT NULL COMMENT 'local HH:MM; before opens_at means after midnight',
        preparation_minutes SMALLINT UNSIGNED NOT NULL,
        active TINYINT(1) NOT NULL DEFAULT 1,
        deleted_at DATETIME(3) NULL,
        KEY stores_pincode (pincode),
        CONSTRAINT stores_lat CHECK (lat BETWEEN -90 AND 90),
        CONSTRAINT stores_lng CHECK (lng BETWEEN -180 AND 180)
      ) ${tableOptionsSql}`);
    // The natural key is the primary key: InnoDB clusters rows by it, so the bulk availability
    // read (one store, up to 100 products) is one range of the clustered index, and the row locks
    // taken in (store, product) order are the same locks every writer takes.
    await q.query(`
      CREATE TABLE stock (
        store_id CHAR(36) NOT NULL,
        product_id CHAR(36) NOT NULL,
        on_hand INT UNSIGNED NOT NULL DEFAULT 0,
        reserved INT UNSIGNED NOT NULL DEFAULT 0,
        low_stock_threshold INT UNSIGNED NOT NULL,
        alert_level ENUM('IN_STOCK', 'LOW', 'OUT') NOT NULL COMMENT 'level last seen: low/out alerts fire when it drops',
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (store_id, product_id),
        KEY stock_level (store_id, alert_level, product_id),
        CONSTRAINT stock_reserved_within_on_hand CHECK (reserved <= on_hand),
        CONSTRAINT stock_store FOREIGN KEY (store_id) REFERENCES stores (id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE stock_movements (
        ${commonColumnsSql},
        store_id CHAR(36) NOT NULL,
        product_id CHAR(36) NOT NULL,
        delta INT NOT NULL,
        reason VARCHAR(40) NOT NULL,
        note VARCHAR(500) NULL,
        actor VARCHAR(64) NOT NULL COMMENT 'user id of the admin, or system:<what>',
        order_id CHAR(36) NULL,
        on_hand_after INT UNSIGNED NOT NULL,
        KEY movements_item (store_id, product_id, id),
        KEY movements_store (store_id, id),
        CONSTRAINT movements_delta CHECK (delta <> 0)
      ) ${tableOptionsSql}`);
    // No foreign key to stores: an order may name a store that does not exist, and its failed
    // reservation is still recorded so a redelivered order.created stays a no-op.
    await q.query(`
      CREATE TABLE reservations (
        ${commonColumnsSql},
        order_id CHAR(36) NOT NULL,
        store_id CHAR(36) NULL,
        status ENUM('HELD', 'COMMITTED', 'RELEASED', 'RETURNED', 'EXPIRED', 'FAILED', 'VOIDED') NOT NULL,
        expires_at DATETIME(3) NULL,
        correlation_id VARCHAR(200) NULL COMMENT 'the order saga''s, carried by the events the sweeper emits later',
        UNIQUE KEY reservations_order (order_id),
        KEY reservations_due (status, expires_at),
        KEY reservations_store (store_id, id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE reservation_lines (
        reservation_id CHAR(36) NOT NULL,
        product_id CHAR(36) NOT NULL,
        quantity INT UNSIGNED NOT NULL,
        PRIMARY KEY (reservation_id, product_id),
        CONSTRAINT reservation_lines_quantity CHECK (quantity > 0),
        CONSTRAINT reservation_lines_reservation FOREIGN KEY (reservation_id) REFERENCES reservations (id)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['reservation_lines', 'reservations', 'stock_movements', 'stock', 'stores']) await q.query(`DROP TABLE ${table}`);
  }
}
