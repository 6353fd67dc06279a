/**
 * Creates `make run`'s schemas (`qc_user`, …) and one MySQL user per service with rights on its own
 * schema only (provisionDatabases). Idempotent: existing schemas are kept, passwords are (re)set to
 * the ones given. Reads MYSQL_ROOT_URL (default mysql://root@127.0.0.1:3306) and `<SERVICE>_DB_PASSWORD`
 * for each service, e.g. ORDER_SERVICE_DB_PASSWORD. Works on MySQL 8.4 and MariaDB 10.11.
 */
import { createConnection } from 'mysql2/promise';
import { RUN_NAMESPACE, SERVICES, provisionDatabases } from '../../fleet';

async function main(): Promise<void> {
  const connection = await createConnection({ uri: process.env.MYSQL_ROOT_URL ?? 'mysql://root@127.0.0.1:3306' });
  try {
    await provisionDatabases(connection, RUN_NAMESPACE, process.env);
  } finally {
    await connection.end();
  }
  console.log(`schemas and users ready: ${SERVICES.map((s) => RUN_NAMESPACE.schema(s)).join(', ')}`);
}

main().catch((err) => {
  console.error(`database provisioning failed: ${err.message}`);
  process.exit(1);
});
