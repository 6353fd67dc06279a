import type { MigrationInterface, QueryRunner } from '@qc/shared/db';

/**
 * Where each raw event came from: `stream` (consumed from the fleet's topics) or `import` (history
 * an admin imported from a previous system). Rows stored before are all from the stream. The
 * subject index lets reconciliation tell orders known only from imported history from live ones.
 */
export class RawEventsOrigin1766000000000 implements MigrationInterface {
  name = 'RawEventsOrigin1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE raw_events
        ADD COLUMN origin VARCHAR(10) NOT NULL DEFAULT 'stream' COMMENT 'stream (consumed) or import (imported history)',
        ADD KEY raw_events_origin (origin, type),
        ADD KEY raw_events_subject (subject)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE raw_events DROP KEY raw_events_subject, DROP KEY raw_events_origin, DROP COLUMN origin');
  }
}
