import { createConnection } from 'mysql2/promise';
import { createDataSource, type DataSource } from '@qc/shared/db';
import { createTestSchema, memoryLogger, type TestSchema } from '@qc/shared/testing';

/**
 * What reaches the log when a query fails on the real MariaDB: the errors mysql2 and TypeORM raise
 * carry the statement, the values bound into it and a message that repeats them.
 */
describe('logging a failed query', () => {
  const EMAIL = 'asha.logged@example.com';
  const PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$secret-salt$secret-hash';
  let schema: TestSchema;
  let dataSource: DataSource;

  beforeAll(async () => {
    schema = await createTestSchema('log_redaction');
    dataSource = createDataSource({ url: schema.url, poolSize: 2, migrations: [] });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE accounts (email VARCHAR(100) NOT NULL PRIMARY KEY, password_hash VARCHAR(200) NOT NULL)');
    await dataSource.query('INSERT INTO accounts (email, password_hash) VALUES (?, ?)', [EMAIL, PASSWORD_HASH]);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  const failure = async (run: () => Promise<unknown>): Promise<Error> => {
    try {
      await run();
    } catch (err) {
      return err as Error;
    }
    throw new Error('the query was expected to fail');
  };

  it('when TypeORM reports a duplicate row, then the log keeps its code and drops the statement, the values and the message naming them', async () => {
    const err = await failure(() => dataSource.query('INSERT INTO accounts (email, password_hash) VALUES (?, ?)', [EMAIL, PASSWORD_HASH]));
    expect(err.message).toContain(EMAIL); // what would have been logged
    const { logger, lines, raw } = memoryLogger('log-redaction-test');
    logger.error({ err }, 'sign-up failed');
    for (const leaked of [EMAIL, 'secret-salt', 'INSERT INTO']) expect(raw()).not.toContain(leaked);
    expect(lines()[0]!.err).toMatchObject({
      type: 'QueryFailedError',
      message: 'query failed: ER_DUP_ENTRY (the values are not logged)',
      code: 'ER_DUP_ENTRY',
      stack: expect.stringMatching(/^QueryFailedError: query failed: ER_DUP_ENTRY \(the values are not logged\)\n {4}at /),
    });
  });

  it('when a mysql2 error is the cause of another, then it is redacted inside the cause too', async () => {
    const connection = await createConnection({ uri: schema.url });
    try {
      const driverError = await failure(() => connection.execute('SELECT * FROM accounts WHERE email = ? AND nope = 1', [EMAIL]));
      const { logger, lines, raw } = memoryLogger('log-redaction-test');
      logger.warn({ error: new Error('lookup failed', { cause: driverError }) }, 'lookup failed');
      expect(raw()).not.toContain(EMAIL);
      expect(raw()).not.toContain('SELECT');
      expect(lines()[0]!.error).toMatchObject({ message: 'lookup failed', cause: { code: 'ER_BAD_FIELD_ERROR', sqlState: '42S22' } });
    } finally {
      await connection.end();
    }
  });
});
