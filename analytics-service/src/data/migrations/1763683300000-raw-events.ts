import { tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/** The raw event store: every event of every topic, once, as it was published. */
export class RawEvents1763683300000 implements MigrationInterface {
  name = 'RawEvents1763683300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE raw_events (
        event_id CHAR(36) NOT NULL PRIMARY KEY,
        type VARCHAR(200) NOT NULL,
        source VARCHAR(200) NOT NULL,
        subject VARCHAR(200) NOT NULL,
        correlation_id VARCHAR(200) NOT NULL,
        occurred_at DATETIME(3) NOT NULL,
        data LONGTEXT NOT NULL,
        received_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY raw_events_type_time (type, occurred_at)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE raw_events');
  }
}
