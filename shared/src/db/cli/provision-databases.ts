/**
 * Creates the eleven schemas and one MySQL user per service with rights on its own schema only.
 * Idempotent: existing schemas are kept, passwords are (re)set to the ones given.
 * Reads MYSQL_ROOT_URL (default mysql://root@127.0.0.1:3306) and `<SERVICE>_DB_PASSWORD` for each
 * service, e.g. ORDER_SERVICE_DB_PASSWORD. Works on MySQL 8.4 and MariaDB 10.11.
 */
import { createConnection } from 'mysql2/promise';
import { SERVICES, databaseUser, envPrefix } from '../../fleet';

async function main(): Promise<void> {
  const missing = SERVICES.filter((s) => !process.env[`${envPrefix(s.name)}_DB_PASSWORD`]).map((s) => `${envPrefix(s.name)}_DB_PASSWORD`);
  if (missing.length > 0) throw new Error(`missing passwords: ${missing.join(', ')}`);
  const connection = await createConnection({ uri: process.env.MYSQL_ROOT_URL ?? 'mysql://root@127.0.0.1:3306' });
  try {
    for (const service of SERVICES) {
      const user = databaseUser(service.name);
      const password = process.env[`${envPrefix(service.name)}_DB_PASSWORD`]!;
      await connection.query(`CREATE DATABASE IF NOT EXISTS \`${service.schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      // '%' and not 'localhost': the services may connect over TCP from another host or container.
      await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, '%', password]);
      await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [user, '%', password]);
      // `_` is a wildcard in a GRANT's database name: escaped, the grant covers this schema only.
      await connection.query(`GRANT ALL PRIVILEGES ON \`${service.schema!.replace(/_/g, '\\_')}\`.* TO ?@?`, [user, '%']);
    }
  } finally {
    await connection.end();
  }
  console.log(`schemas and users ready: ${SERVICES.map((s) => s.schema).join(', ')}`);
}

main().catch((err) => {
  console.error(`database provisioning failed: ${err.message}`);
  process.exit(1);
});
