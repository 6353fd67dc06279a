import { spawnSync } from 'node:child_process';
import { currentContext, redactSecrets, runWithContext } from '@qc/shared/logging';
import { memoryLogger } from '@qc/shared/testing';

const SECRETS = ['password', 'token', 'refreshToken', 'otp', 'authorization'] as const;

describe('createLogger redaction', () => {
  it.each(SECRETS)('when %s is logged at the top level, then its value never reaches the output', (field) => {
    const { logger, lines, raw } = memoryLogger('logging-test');
    const secret = `s3cret-${field}-${Math.random().toString(36).slice(2)}`;
    logger.info({ [field]: secret, userName: 'asha' }, 'login attempt');
    expect(raw()).not.toContain(secret);
    expect(lines()[0]).toMatchObject({ [field]: '[redacted]', userName: 'asha', msg: 'login attempt' });
  });

  it.each(SECRETS)('when %s is logged one level deep, then its value never reaches the output', (field) => {
    const { logger, lines, raw } = memoryLogger('logging-test');
    const secret = `s3cret-${field}-${Math.random().toString(36).slice(2)}`;
    logger.info({ attempt: { [field]: secret, email: 'asha@example.com' } }, 'request');
    expect(raw()).not.toContain(secret);
    expect(lines()[0]).toMatchObject({ attempt: { [field]: '[redacted]', email: 'asha@example.com' } });
  });

  it('when a request body is logged, at any depth, then none of it reaches the output', () => {
    const { logger, lines, raw } = memoryLogger('logging-test');
    logger.info({ body: { email: 'asha@example.com' }, req: { body: '{"phone":"+919800000001"}' } }, 'request');
    expect(raw()).not.toContain('asha@example.com');
    expect(raw()).not.toContain('+919800000001');
    expect(lines()[0]).toMatchObject({ body: '[redacted]', req: { body: '[redacted]' } });
  });

  it('when an error carries secrets or a request body in its fields, then they are redacted inside the error and its cause', () => {
    const { logger, lines, raw } = memoryLogger('logging-test');
    // body-parser keeps the raw body on its SyntaxError; a client error may keep the token it sent.
    const parseError = Object.assign(new SyntaxError('Unexpected token'), { body: '{"password":"hunter2-raw', status: 400 });
    const err = Object.assign(new Error('refresh failed', { cause: parseError }), { refreshToken: 'rt-s3cret', attempt: 2 });
    logger.error({ err }, 'refresh failed');
    logger.error(err, 'logged as the first argument');
    for (const leaked of ['hunter2-raw', 'rt-s3cret']) expect(raw()).not.toContain(leaked);
    expect(lines()[0]!.err).toMatchObject({
      type: 'Error',
      message: 'refresh failed',
      refreshToken: '[redacted]',
      attempt: 2,
      stack: expect.stringMatching(/^Error: refresh failed\n/),
      cause: { type: 'SyntaxError', message: 'Unexpected token', body: '[redacted]', status: 400 },
    });
    expect(lines()[1]).toMatchObject({
      msg: 'logged as the first argument',
      err: { message: 'refresh failed', refreshToken: '[redacted]' },
    });
  });

  it('when an error looks like a failed query, then its message, SQL and parameters are withheld and its code kept', () => {
    const { logger, lines, raw } = memoryLogger('logging-test');
    const driverError = Object.assign(new Error("Duplicate entry 'asha@example.com' for key 'PRIMARY'"), {
      code: 'ER_DUP_ENTRY',
      errno: 1062,
      sqlState: '23000',
      sqlMessage: "Duplicate entry 'asha@example.com' for key 'PRIMARY'",
      sql: "INSERT INTO users (email) VALUES ('asha@example.com')",
    });
    const queryFailed = Object.assign(new Error(driverError.message), {
      ...driverError,
      query: 'INSERT INTO users (email) VALUES (?)',
      parameters: ['asha@example.com'],
      driverError,
    });
    logger.error({ err: queryFailed }, 'insert failed');
    expect(raw()).not.toContain('asha@example.com');
    expect(raw()).not.toContain('INSERT INTO');
    expect(lines()[0]!.err).toMatchObject({
      code: 'ER_DUP_ENTRY',
      errno: 1062,
      sqlState: '23000',
      sql: '[redacted]',
      parameters: '[redacted]',
    });
    expect(lines()[0]!.err).not.toHaveProperty('driverError');
  });

  it('when several errors are gathered in one, then each is redacted like a single one', () => {
    const { logger, lines, raw } = memoryLogger('logging-test');
    const failedQuery = Object.assign(new Error("Duplicate entry '+919800000001'"), { code: 'ER_DUP_ENTRY', sql: 'INSERT …' });
    logger.error({ err: new AggregateError([failedQuery, Object.assign(new Error('denied'), { otp: '424242' })], 'both failed') }, 'batch');
    expect(raw()).not.toContain('+919800000001');
    expect(raw()).not.toContain('424242');
    expect(lines()[0]!.err).toMatchObject({
      type: 'AggregateError',
      aggregateErrors: [
        { code: 'ER_DUP_ENTRY', sql: '[redacted]' },
        { message: 'denied', otp: '[redacted]' },
      ],
    });
  });

  it('when a request with an Authorization header is logged, then the header value is redacted', () => {
    const { logger, raw } = memoryLogger('logging-test');
    const bearer = `Bearer eyJ-${Math.random().toString(36).slice(2)}`;
    logger.info({ req: { method: 'GET', headers: { authorization: bearer, cookie: 'sid=abc123xyz' } } }, 'request');
    expect(raw()).not.toContain(bearer);
    expect(raw()).not.toContain('abc123xyz');
  });

  it('when a line is written, then it carries the service name, a label level and an ISO time', () => {
    const { logger, lines } = memoryLogger('logging-test');
    logger.warn('careful');
    const [line] = lines();
    expect(line).toMatchObject({ service: 'logging-test', level: 'warn', msg: 'careful' });
    expect(new Date(String(line!.time)).toISOString()).toBe(line!.time);
  });

  it('when lines are written milliseconds apart, then each carries the time it was written', async () => {
    const { logger, lines } = memoryLogger('logging-test');
    const windows: { from: number; to: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const from = Date.now();
      logger.info('tick');
      windows.push({ from, to: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(lines()).toHaveLength(3);
    lines().forEach((line, i) => {
      const writtenAt = Date.parse(String(line.time));
      expect(writtenAt).toBeGreaterThanOrEqual(windows[i]!.from);
      expect(writtenAt).toBeLessThanOrEqual(windows[i]!.to);
    });
  });

  it('when the level is above a call, then nothing is written', () => {
    const { logger, lines } = memoryLogger('logging-test', 'error');
    logger.info('not shown');
    logger.error('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
  });
});

describe('request context', () => {
  it('when a line is written inside runWithContext, then it carries requestId and userId', async () => {
    const { logger, lines } = memoryLogger('logging-test');
    const requestId = `req-${Math.random().toString(36).slice(2)}`;
    await runWithContext({ requestId, userId: 'user-42' }, async () => {
      await new Promise((r) => setImmediate(r));
      logger.info('inside');
    });
    expect(lines()[0]).toMatchObject({ requestId, userId: 'user-42', msg: 'inside' });
  });

  it('when the context has no userId, then the line carries the requestId only', () => {
    const { logger, lines } = memoryLogger('logging-test');
    runWithContext({ requestId: 'req-only' }, () => logger.info('inside'));
    expect(lines()[0]).toMatchObject({ requestId: 'req-only' });
    expect(lines()[0]).not.toHaveProperty('userId');
  });

  it('when a line names its own requestId inside another context, then its own ids are written and the line is not changed', () => {
    const { logger, lines } = memoryLogger('logging-test');
    const line = { requestId: 'mine', userId: undefined, status: 200 };
    runWithContext({ requestId: 'theirs', userId: 'user-7' }, () => logger.info(line, 'access'));
    expect(lines()[0]).toMatchObject({ requestId: 'mine', status: 200 });
    expect(lines()[0]).not.toHaveProperty('userId');
    expect(line).toEqual({ requestId: 'mine', userId: undefined, status: 200 });
  });

  it('when a line is written outside any context, then it carries no request ids', () => {
    const { logger, lines } = memoryLogger('logging-test');
    logger.info('outside');
    expect(lines()[0]).not.toHaveProperty('requestId');
    expect(currentContext()).toBeUndefined();
  });

  it('when two contexts run concurrently, then each keeps its own ids', async () => {
    const seen: string[] = [];
    const work = (requestId: string, delay: number) =>
      runWithContext({ requestId }, async () => {
        await new Promise((r) => setTimeout(r, delay));
        seen.push(`${requestId}=${currentContext()?.requestId}`);
      });
    await Promise.all([work('a', 20), work('b', 5)]);
    expect(seen.sort()).toEqual(['a=a', 'b=b']);
  });
});

describe('what redaction keeps', () => {
  it('when an error with a code is logged, then the code stays readable and a secret three levels deep does not', () => {
    const { logger, raw } = memoryLogger('logging-test');
    const err = Object.assign(new Error('duplicate'), { code: 'ER_DUP_ENTRY' });
    logger.error({ err, body: { card: { cardNumber: '4111111111111111' } } }, 'insert failed');
    expect(raw()).toContain('ER_DUP_ENTRY');
    expect(raw()).not.toContain('4111111111111111');
  });
});

describe('redactSecrets', () => {
  it('when secrets sit deep in objects and arrays, then every one is replaced and the input is left as it was', () => {
    const input = {
      order: { payments: [{ card: { cardNumber: '4111', cvv: '123', last4: '1111' } }] },
      headers: { authorization: 'Bearer x' },
    };
    const before = JSON.stringify(input);
    expect(redactSecrets(input)).toEqual({
      order: { payments: [{ card: { cardNumber: '[redacted]', cvv: '[redacted]', last4: '1111' } }] },
      headers: { authorization: '[redacted]' },
    });
    expect(JSON.stringify(input)).toBe(before);
  });

  it('when nothing is secret, then the same object comes back without a copy', () => {
    const input = { method: 'GET', nested: { list: [1, 2, { ok: true }] } };
    expect(redactSecrets(input)).toBe(input);
  });
});

describe('createLogger destination (stdout, written at the end of each event-loop turn)', () => {
  /** Runs `body` in a fresh Node process with a logger named crash-test; returns its stdout lines and how it ended. */
  function runLogging(body: string[]) {
    const script = [
      "const { createLogger } = await import('@qc/shared/logging');",
      "const logger = createLogger('crash-test');",
      ...body,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '--eval', script], { encoding: 'utf8' });
    return { ...run, lines: run.stdout.split('\n').filter(Boolean) };
  }

  it('when a process is killed outright in the turn after logging, then every line of the earlier turn is on stdout', () => {
    // 1 000 lines of ~85 bytes: more than one turn's buffer, so both the write on the way and the
    // end-of-turn flush are needed; SIGKILL runs no exit handler.
    const run = runLogging([
      'for (let i = 0; i < 1000; i++) logger.info({ i }, "line");',
      "setImmediate(() => process.kill(process.pid, 'SIGKILL'));",
    ]);
    expect(run.signal).toBe('SIGKILL');
    expect(run.lines).toHaveLength(1000);
    expect(run.lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual([...Array(1000).keys()]);
    expect(JSON.parse(run.lines[999]!)).toMatchObject({ service: 'crash-test', level: 'info', i: 999, msg: 'line' });
  });

  it('when one turn logs more than its buffer holds, then lines are written as it goes rather than all held', () => {
    const run = runLogging(['for (let i = 0; i < 1000; i++) logger.info({ i }, "line");', "process.kill(process.pid, 'SIGKILL');"]);
    expect(run.signal).toBe('SIGKILL');
    // The lines of the buffers written before the kill (64 Ki characters, ~770 lines), in order; the rest was held.
    expect(run.lines.length).toBeGreaterThan(500);
    expect(run.lines.length).toBeLessThan(1000);
    expect(run.lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual([...Array(run.lines.length).keys()]);
  });

  it('when a process exits in the same turn as it logged, then the lines are flushed on exit', () => {
    const run = runLogging(['logger.info({ i: 1 }, "last words");', 'process.exit(3);']);
    expect(run.status).toBe(3);
    expect(run.lines.map((line) => JSON.parse(line) as unknown)).toEqual([expect.objectContaining({ i: 1, msg: 'last words' })]);
  });

  it('when an exit listener logs after the flush on exit, then its line is written too', () => {
    const run = runLogging([
      'logger.info("first");',
      'process.on("exit", () => logger.info("from an exit listener"));',
      'process.exit(0);',
    ]);
    expect(run.status).toBe(0);
    expect(run.lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['first', 'from an exit listener']);
  });

  it('when a process dies of an uncaught exception, then the lines before it are on stdout', () => {
    const run = runLogging(['logger.error("about to fail");', "throw new Error('boom');"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('boom');
    expect(JSON.parse(run.lines[0]!)).toMatchObject({ level: 'error', msg: 'about to fail' });
  });

  it('when two loggers of one process write in turn, then their lines keep that order', () => {
    const run = runLogging([
      "const other = createLogger('other');",
      'for (let i = 0; i < 6; i++) (i % 2 ? other : logger).info({ i }, "turn");',
    ]);
    expect(run.status).toBe(0);
    expect(run.lines.map((line) => JSON.parse(line) as { i: number; service: string })).toEqual(
      [...Array(6).keys()].map((i) => expect.objectContaining({ i, service: i % 2 ? 'other' : 'crash-test' })),
    );
  });
});
