import { commonColumnsSql, tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/**
 * Stores (as inventory's events describe them), partners, deliveries with their history and the
 * partners' rejections, the position trail, and the service's own generated keys.
 *
 * The rule "one partner, one delivery at a time" is held twice by unique keys, so even a bug cannot
 * break it: `partners.active_delivery_id` (a partner points at one delivery) and
 * `deliveries.active_partner_id`, a stored column that is the partner only while the delivery is
 * ASSIGNED, ACCEPTED or PICKED_UP (NULLs do not collide). Both MariaDB 10.11 and MySQL 8 index it.
 */
export class DeliveryTables1765100000000 implements MigrationInterface {
  name = 'DeliveryTables1765100000000';

  async up(q: QueryRunner): Promise<void> {
    // A store may be named by an order before its event arrives: its row then has no position yet.
    await q.query(`
      CREATE TABLE stores (
        id CHAR(36) NOT NULL PRIMARY KEY,
        name VARCHAR(120) NULL,
        lat DECIMAL(9,6) NULL,
        lng DECIMAL(9,6) NULL,
        preparation_minutes SMALLINT UNSIGNED NULL,
        active TINYINT(1) NOT NULL DEFAULT 1,
        as_of DATETIME(3) NULL COMMENT 'time of the inventory.store_updated event this row reflects',
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE partners (
        ${commonColumnsSql},
        user_id CHAR(36) NOT NULL,
        name VARCHAR(120) NOT NULL,
        phone VARCHAR(20) NOT NULL,
        store_id CHAR(36) NOT NULL,
        vehicle ENUM('BICYCLE', 'EV_SCOOTER', 'SCOOTER', 'MOTORBIKE') NOT NULL,
        status ENUM('OFFLINE', 'ONLINE') NOT NULL DEFAULT 'OFFLINE',
        active_delivery_id CHAR(36) NULL,
        available_since DATETIME(3) NULL COMMENT 'online and free since; the fallback order when positions are unknown',
        completed_count INT UNSIGNED NOT NULL DEFAULT 0,
        UNIQUE KEY partners_user (user_id),
        UNIQUE KEY partners_active_delivery (active_delivery_id),
        KEY partners_store (store_id, status, available_since)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE deliveries (
        ${commonColumnsSql},
        order_id CHAR(36) NOT NULL,
        user_id CHAR(36) NOT NULL,
        store_id CHAR(36) NOT NULL,
        status ENUM('QUEUED', 'ASSIGNED', 'ACCEPTED', 'PICKED_UP', 'DELIVERED', 'FAILED', 'CANCELLED') NOT NULL,
        partner_id VARCHAR(36) NULL COMMENT 'VARCHAR: MariaDB refuses a generated column over CHAR (its value would follow the padding mode)',
        active_partner_id VARCHAR(36) AS (IF(status IN ('ASSIGNED', 'ACCEPTED', 'PICKED_UP'), partner_id, NULL)) STORED,
        dropoff_lat DECIMAL(9,6) NULL,
        dropoff_lng DECIMAL(9,6) NULL,
        payment_method VARCHAR(16) NULL,
        cod_due_amount INT UNSIGNED NULL COMMENT 'paise to collect at the door (COD)',
        cod_collected_amount INT UNSIGNED NULL,
        otp_hash CHAR(64) NULL COMMENT 'HMAC-SHA256 of the delivery code under the service key',
        otp_sealed VARCHAR(200) NULL COMMENT 'the code, AES-256-GCM under the service key, for its customer',
        otp_attempts TINYINT UNSIGNED NOT NULL DEFAULT 0,
        otp_locked_at DATETIME(3) NULL,
        eta_at DATETIME(3) NULL,
        queued_at DATETIME(3) NOT NULL COMMENT 'first queued; a rejected delivery keeps its place',
        assigned_at DATETIME(3) NULL,
        accepted_at DATETIME(3) NULL,
        picked_up_at DATETIME(3) NULL,
        delivered_at DATETIME(3) NULL,
        failed_at DATETIME(3) NULL,
        failure_reason VARCHAR(300) NULL,
        correlation_id VARCHAR(200) NULL,
        UNIQUE KEY deliveries_order (order_id),
        UNIQUE KEY deliveries_active_partner (active_partner_id),
        KEY deliveries_queue (store_id, status, queued_at, id),
        KEY deliveries_offers (status, assigned_at),
        KEY deliveries_partner (partner_id, id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE delivery_history (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        delivery_id CHAR(36) NOT NULL,
        status VARCHAR(20) NOT NULL,
        partner_id CHAR(36) NULL,
        actor VARCHAR(64) NOT NULL COMMENT 'user id, or system:<what>',
        note VARCHAR(300) NULL,
        at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY delivery_history_delivery (delivery_id, id),
        CONSTRAINT delivery_history_delivery FOREIGN KEY (delivery_id) REFERENCES deliveries (id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE delivery_rejections (
        delivery_id CHAR(36) NOT NULL,
        partner_id CHAR(36) NOT NULL,
        reason VARCHAR(300) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (delivery_id, partner_id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE partner_trail (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        partner_id CHAR(36) NOT NULL,
        delivery_id CHAR(36) NULL,
        lat DECIMAL(9,6) NOT NULL,
        lng DECIMAL(9,6) NOT NULL,
        accuracy_m SMALLINT UNSIGNED NULL,
        heading SMALLINT UNSIGNED NULL,
        recorded_at DATETIME(3) NOT NULL,
        KEY partner_trail_partner (partner_id, recorded_at),
        KEY partner_trail_delivery (delivery_id, id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE service_keys (
        name VARCHAR(40) NOT NULL PRIMARY KEY,
        secret VARBINARY(64) NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['service_keys', 'partner_trail', 'delivery_rejections', 'delivery_history', 'deliveries', 'partners', 'stores']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
