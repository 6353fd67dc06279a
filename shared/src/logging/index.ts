import { AsyncLocalStorage } from 'node:async_hooks';
import { isNativeError } from 'node:util/types';
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** What every log line and outgoing call of one request or one consumed event carries. */
export interface RequestContext {
  requestId: string;
  userId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();
/** What the logger's mixin answers outside any context: the line is written as it is. */
const NO_CONTEXT = Object.freeze({});

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/**
 * Keys whose values never reach a log line, at any depth of a logged object or error. Not `code`:
 * error codes (ER_DUP_ENTRY, ECONNREFUSED) are what an operator needs; OTPs are `otp`/`otpCode`.
 * Request bodies (`body`) and the SQL a database error carries, with the values bound into it, are
 * withheld whole: whatever a client sent or a row held is not the log's to keep.
 */
const SECRET_KEYS = new Set([
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'otp',
  'otpCode',
  'cardNumber',
  'cvv',
  'secret',
  'authorization',
  'cookie',
  'set-cookie',
  'body',
  'rawBody',
  'sql',
  'sqlMessage',
  'parameters',
]);
/**
 * Left out of a logged error: TypeORM's QueryFailedError carries the statement (`query`) and the
 * driver's own error (`driverError`), whose code and SQL state it copies onto itself anyway.
 */
const WITHHELD_ERROR_KEYS = new Set(['query', 'driverError']);
const CENSOR = '[redacted]';
const MAX_DEPTH = 6;

/**
 * A database error's message names the values it failed on (`Duplicate entry 'asha@example.com'
 * for key ...`), so it is logged by its code alone. Recognised by the statement mysql2 and TypeORM
 * attach to the errors of a query; a failed connection has none, and keeps its message.
 */
function isQueryError(err: Error): boolean {
  return 'sql' in err || 'sqlMessage' in err || 'driverError' in err;
}

/**
 * An error as pino's serializer writes it (`type`, `message`, `stack`, its own fields, `cause`), with
 * the same redaction as any object, and a query error's message replaced by its code (also in the
 * first line of its stack, which repeats the message).
 */
function redactError(err: Error, depth: number): Record<string, unknown> {
  const type = err.constructor?.name ?? err.name;
  const fields = err as unknown as Record<string, unknown>;
  let message = err.message;
  let stack = err.stack;
  if (isQueryError(err)) {
    message = `query failed: ${String(fields.code ?? 'unknown error')} (the values are not logged)`;
    const frames = stack?.indexOf('\n    at ') ?? -1;
    stack = `${type}: ${message}${frames >= 0 ? stack!.slice(frames) : ''}`;
  }
  const logged: Record<string, unknown> = { type, message, stack };
  // for…in: the fields drivers and libraries set on their errors are own and enumerable.
  for (const key in fields) {
    if (key === 'message' || key === 'stack' || WITHHELD_ERROR_KEYS.has(key)) continue;
    logged[key] = SECRET_KEYS.has(key) ? CENSOR : redactSecrets(fields[key], depth + 1);
  }
  if (err.cause !== undefined) logged.cause = redactSecrets(err.cause, depth + 1);
  // AggregateError's (from any realm): the errors it gathers, as pino's serializer names them.
  if (Array.isArray((err as Partial<AggregateError>).errors))
    logged.aggregateErrors = redactSecrets((err as AggregateError).errors, depth + 1);
  return logged;
}

/**
 * Returns the value with every secret key's value replaced, copying only the objects on the way to
 * a secret (most lines have none and are returned as they are). By key name rather than with
 * pino's path-based `redact`: the ~45 wildcard paths that took to cover three levels cost 40 µs on
 * every line, ten times the rest of the logging, and still missed a fourth level. Errors, wherever
 * they sit, are turned into what pino would write for them, redacted the same way (redactError).
 * Below MAX_DEPTH nothing is written at all: a secret could sit deeper than the walk looks.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return CENSOR;
  // isNativeError also knows errors made in another realm (a vm context, as under jest), which instanceof misses.
  if (value instanceof Error || isNativeError(value)) return redactError(value as Error, depth);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const redacted = redactSecrets(item, depth + 1);
      if (redacted !== item) (copy ??= [...value])[i] = redacted;
    });
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // class instances keep their serializers
  let copy: Record<string, unknown> | undefined;
  // for…in over a plain object (own keys only, prototype checked above) allocates nothing, unlike Object.entries.
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    const redacted = SECRET_KEYS.has(key) ? CENSOR : redactSecrets(item, depth + 1);
    if (redacted !== item) (copy ??= { ...record })[key] = redacted;
  }
  return copy ?? value;
}

/** How often a failure that repeats while something is down gets a line. */
const REPEATED_FAILURE_LOG_INTERVAL_MS = 10_000;

/**
 * `log`, called at most once per `intervalMs`; the calls in between are dropped. For a failure that
 * repeats while something is down (every reconnect attempt, every request), which would otherwise
 * drown the lines around it.
 */
export function logSparingly<A extends unknown[]>(
  log: (...args: A) => void,
  intervalMs = REPEATED_FAILURE_LOG_INTERVAL_MS,
): (...args: A) => void {
  let loggedAt = -Infinity;
  return (...args) => {
    if (Date.now() - loggedAt < intervalMs) return;
    loggedAt = Date.now();
    log(...args);
  };
}

let formattedAt = -1;
let formattedTime = '';

/**
 * pino's ISO `time` field, formatted once per millisecond: a busy service writes several lines in
 * one, and `toISOString` took about a sixth of the access line's time in the gateway's CPU
 * profiles (bench/gateway).
 */
function isoTimeByMillisecond(): string {
  const now = Date.now();
  if (now !== formattedAt) {
    formattedAt = now;
    formattedTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return formattedTime;
}

/** A turn that logs more than this many characters writes them as it goes rather than holding them all. */
const TURN_BUFFER_CHARS = 64 * 1024;
let stdoutByTurn: pino.DestinationStream | undefined;

/**
 * Stdout, written once per event-loop turn: a busy gateway logs ten or more lines in one turn, and
 * a write per line cost it a system call per request, each waking whatever reads the other end of
 * the pipe (bench/gateway). Written synchronously, so a slow reader slows the writer rather than
 * lines piling up in memory (pino's default hands every line to libuv's thread pool instead). A
 * line is out by the end of the turn that wrote it, and on `exit` (process.exit, an uncaught
 * exception): only a process killed outright (SIGKILL) loses the lines of its last turn. One per
 * process, shared by every logger in it, so that their lines keep their order. The turn's lines are
 * joined here, not in pino's destination, whose `minLength` buffer measures its whole content in
 * bytes on every line.
 */
function stdoutFlushedEachTurn(): pino.DestinationStream {
  if (stdoutByTurn) return stdoutByTurn;
  const stdout = pino.destination({ dest: 1, sync: true });
  let pending = '';
  let exiting = false;
  const flush = () => {
    if (pending === '') return;
    const lines = pending;
    pending = '';
    stdout.write(lines);
  };
  process.on('exit', () => {
    exiting = true;
    flush();
  });
  stdoutByTurn = {
    write(line: string) {
      // No turn ends once the process is exiting: a line written by a later `exit` listener goes now.
      if (exiting) return void stdout.write(line);
      if (pending === '') setImmediate(flush);
      pending += line;
      if (pending.length >= TURN_BUFFER_CHARS) flush();
    },
  };
  return stdoutByTurn;
}

/** JSON lines to `destination`, by default to stdout at the end of each event-loop turn (stdoutFlushedEachTurn). */
export function createLogger(service: string, level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: isoTimeByMillisecond,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactSecrets(object) as Record<string, unknown>,
      },
      // redactSecrets has already written every error as pino's serializer would, redacted; that
      // serializer would take the result for an error again and name its type `Object`.
      serializers: { err: (written: unknown) => written },
      // Every line written inside a request or a consumed event carries its ids, unless it names
      // them itself (the access line, written after the request, perhaps in another's context).
      // pino's default merge copies every line into the object the mixin returns; here a line
      // outside any context, or naming its own ids, is written as it is.
      mixin: () => storage.getStore() ?? NO_CONTEXT,
      mixinMergeStrategy: (line: object, context: object) => {
        if (context === NO_CONTEXT || 'requestId' in line) return line;
        const { requestId, userId } = context as RequestContext;
        return userId ? { requestId, userId, ...line } : { requestId, ...line };
      },
    },
    destination ?? stdoutFlushedEachTurn(),
  );
}
