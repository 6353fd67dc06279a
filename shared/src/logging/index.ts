import { AsyncLocalStorage } from 'node:async_hooks';
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
 * Keys whose values never reach a log line, at any depth of a logged object. Not `code`: error
 * codes (ER_DUP_ENTRY, ECONNREFUSED) are what an operator needs; OTPs are `otp`/`otpCode`.
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
]);
const CENSOR = '[redacted]';
const MAX_DEPTH = 6;

/**
 * Returns the value with every secret key's value replaced, copying only the objects on the way to
 * a secret (most lines have none and are returned as they are). By key name rather than with
 * pino's path-based `redact`: the ~45 wildcard paths that took to cover three levels cost 40 µs on
 * every line, ten times the rest of the logging, and still missed a fourth level.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object' || value instanceof Error) return value;
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
