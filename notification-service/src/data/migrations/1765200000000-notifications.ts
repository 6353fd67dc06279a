import { commonColumnsSql, tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/**
 * The contact book and order owners learned from events, users' preferences, and the
 * notifications with their deliveries. A notification is one message to one recipient on one
 * channel; its `dedupe_key` is unique, so however often Kafka delivers an event (or two events
 * announce the same fact), the message exists once. A delivery is one send of it (the first, or an
 * admin's resend), worked through by the delivery worker with retries.
 */
export class NotificationTables1765200000000 implements MigrationInterface {
  name = 'NotificationTables1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contacts (
        user_id CHAR(36) NOT NULL PRIMARY KEY,
        email VARCHAR(254) NULL,
        phone VARCHAR(20) NULL,
        name VARCHAR(120) NULL,
        role VARCHAR(32) NOT NULL,
        status VARCHAR(16) NOT NULL DEFAULT 'active',
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        KEY contacts_phone (phone)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE order_owners (
        order_id CHAR(36) NOT NULL PRIMARY KEY,
        user_id CHAR(36) NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE preferences (
        user_id CHAR(36) NOT NULL PRIMARY KEY,
        email_enabled TINYINT(1) NOT NULL,
        sms_enabled TINYINT(1) NOT NULL,
        push_enabled TINYINT(1) NOT NULL,
        quiet_start CHAR(5) NULL COMMENT 'local HH:MM',
        quiet_end CHAR(5) NULL COMMENT 'local HH:MM; before quiet_start means after midnight',
        time_zone VARCHAR(64) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE notifications (
        ${commonColumnsSql},
        dedupe_key CHAR(64) NOT NULL COMMENT 'sha-256 of template, occurrence, channel and recipient',
        user_id CHAR(36) NULL,
        event_id CHAR(36) NOT NULL,
        event_type VARCHAR(64) NOT NULL,
        template VARCHAR(64) NOT NULL COMMENT 'name.version',
        channel ENUM('email', 'sms', 'push') NOT NULL,
        recipient VARCHAR(254) NOT NULL,
        subject VARCHAR(300) NULL,
        body TEXT NOT NULL COMMENT 'as sent, secrets redacted',
        has_secret TINYINT(1) NOT NULL COMMENT 'it carries a one-time secret: never sent again',
        secret_body TEXT NULL COMMENT 'the unredacted body, only until its delivery ends',
        expires_at DATETIME(3) NULL COMMENT 'not worth sending after this (a one-time code)',
        status ENUM('PENDING', 'SENT', 'FAILED') NOT NULL,
        UNIQUE KEY notifications_dedupe (dedupe_key),
        KEY notifications_user (user_id, id),
        KEY notifications_status (status, id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE deliveries (
        ${commonColumnsSql},
        notification_id CHAR(36) NOT NULL,
        channel ENUM('email', 'sms', 'push') NOT NULL,
        kind ENUM('ORIGINAL', 'RESEND') NOT NULL,
        requested_by CHAR(36) NULL COMMENT 'the admin who asked for a resend',
        status ENUM('PENDING', 'SENDING', 'SENT', 'FAILED') NOT NULL,
        attempts SMALLINT UNSIGNED NOT NULL DEFAULT 0,
        next_attempt_at DATETIME(3) NOT NULL COMMENT 'when due; while SENDING, when the claim lapses',
        last_error VARCHAR(500) NULL,
        provider_message_id VARCHAR(255) NULL,
        sent_at DATETIME(3) NULL,
        KEY deliveries_due (channel, status, next_attempt_at),
        KEY deliveries_notification (notification_id, id),
        CONSTRAINT deliveries_notification FOREIGN KEY (notification_id) REFERENCES notifications (id)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['deliveries', 'notifications', 'preferences', 'order_owners', 'contacts']) await q.query(`DROP TABLE ${table}`);
  }
}
