import { tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/**
 * What the analysts' zone table names zones by: each location-service zone's name in its latest
 * `location.zone.*` event. Deleted zones keep their row, so the orders they served stay named. Like every projection, rebuilt from the raw store by `npm run analytics:rebuild`.
 */
export class ZoneNames1766100000000 implements MigrationInterface {
  name = 'ZoneNames1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE zone_facts (
        zone_id CHAR(36) NOT NULL PRIMARY KEY,
        name VARCHAR(200) NOT NULL,
        changed_at DATETIME(3) NOT NULL COMMENT 'time of the latest zone event; the name is its'
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE zone_facts');
  }
}
