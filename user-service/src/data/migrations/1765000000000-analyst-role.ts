import type { MigrationInterface, QueryRunner } from '@qc/shared/db';

/** The `analyst` role (read-only analytics, issue 16) joins the roles an account may hold. */
export class AnalystRole1765000000000 implements MigrationInterface {
  name = 'AnalystRole1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users DROP CONSTRAINT users_role');
    await q.query("ALTER TABLE users ADD CONSTRAINT users_role CHECK (role IN ('customer', 'admin', 'delivery_partner', 'analyst'))");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users DROP CONSTRAINT users_role');
    await q.query("ALTER TABLE users ADD CONSTRAINT users_role CHECK (role IN ('customer', 'admin', 'delivery_partner'))");
  }
}
