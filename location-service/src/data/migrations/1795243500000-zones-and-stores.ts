import { commonColumnsSql, tableOptionsSql, type MigrationInterface, type QueryRunner } from '@qc/shared/db';

/**
 * Zones (owned here) and the stores read model (owned by inventory-service, kept from its
 * `inventory.store_updated` events). A zone may name a store not known yet, so there is no foreign key.
 */
export class ZonesAndStores1795243500000 implements MigrationInterface {
  name = 'ZonesAndStores1795243500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stores (
        ${commonColumnsSql},
        name VARCHAR(200) NOT NULL,
        lat DOUBLE NOT NULL,
        lng DOUBLE NOT NULL,
        preparation_minutes INT NOT NULL,
        opens_at CHAR(5) NOT NULL COMMENT 'local time of the city, HH:MM',
        closes_at CHAR(5) NOT NULL COMMENT 'before opens_at: closes after midnight',
        active TINYINT(1) NOT NULL,
        as_of DATETIME(3) NULL COMMENT 'time of the event this row reflects; older events are ignored'
      ) ${tableOptionsSql}`);
    await q.query(`
      CREATE TABLE zones (
        ${commonColumnsSql},
        name VARCHAR(200) NOT NULL,
        store_id CHAR(36) NOT NULL,
        polygon LONGTEXT NOT NULL COMMENT 'GeoJSON Polygon, one ring, [lng, lat] positions',
        active TINYINT(1) NOT NULL DEFAULT 1,
        deleted_at DATETIME(3) NULL,
        KEY zones_store (store_id),
        KEY zones_live (deleted_at, id)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE zones');
    await q.query('DROP TABLE stores');
  }
}
