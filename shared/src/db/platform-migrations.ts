import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tableOptionsSql } from './ddl';

/**
 * Tables every service has (DESIGN §4 and §7): the transactional outbox its relay publishes from,
 * and the processed-events ledger that makes its consumers idempotent.
 */
export class PlatformTables1763683200000 implements MigrationInterface {
  name = 'PlatformTables1763683200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        id CHAR(36) NOT NULL PRIMARY KEY COMMENT 'the event id (UUIDv7, so rows sort by creation)',
        topic VARCHAR(200) NOT NULL,
        message_key VARCHAR(200) NOT NULL,
        event_type VARCHAR(200) NOT NULL,
        payload LONGTEXT NOT NULL COMMENT 'the CloudEvent, serialised once when written',
        headers TEXT NOT NULL,
        attempts INT NOT NULL DEFAULT 0,
        next_attempt_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        last_error VARCHAR(1000) NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        published_at DATETIME(3) NULL,
        KEY outbox_pending (published_at, next_attempt_at, id),
        KEY outbox_key_order (message_key, published_at, id)
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE processed_events (
        consumer VARCHAR(100) NOT NULL,
        event_id CHAR(36) NOT NULL,
        event_type VARCHAR(200) NOT NULL,
        processed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (consumer, event_id)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE processed_events');
    await q.query('DROP TABLE outbox');
  }
}

export const platformMigrations = [PlatformTables1763683200000];
