import { createHash } from 'node:crypto';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { duplicateKeyOf, tableOptionsSql } from '../db';
import { AppError } from '../http/errors';
import type { Logger } from '../logging';
import { PeriodicJob } from '../service/periodic-job';

/**
 * `Idempotency-Key` with Stripe's semantics (DESIGN §3), for POSTs that create money or orders.
 * The first answer (status and body) is stored and replayed for the same key and the same request;
 * the same key with a different request is 422; a duplicate while the first is still running is
 * 409; keys are scoped to the caller and kept `retentionHours` (at least 24).
 *
 * A stored answer is only ever one the route produced: a 5xx or a crash stores nothing and frees
 * the key, so the client's retry runs again. A use case that must never run twice for one key even
 * across a crash between its commit and `complete` (placing an order) also keeps the key on its own
 * row under a unique index, and finds its earlier result there.
 *
 * A service declares that it takes keys in its definition (`idempotency`); the platform then hands
 * its routes the keys (`deps.idempotency`) and purges the expired ones (`expiredKeysPurge`).
 */

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type Claim = { outcome: 'claimed' } | { outcome: 'replay'; answer: StoredAnswer };

export interface IdempotencyOptions {
  /** How long a finished key is kept and replayed. */
  retentionHours?: number;
  /** How long a claim may stay unfinished before it counts as abandoned (its process died). */
  staleAfterMs?: number;
}

export interface ExpiredKeysPurgeOptions {
  /** Time between purges; an hour by default. */
  intervalMs?: number;
  /** Rows per DELETE; 1000 by default. */
  batchSize?: number;
}

/** What a service declares about its keys: how long they are kept, and how the expired ones are purged. */
export interface IdempotencySetup extends IdempotencyOptions {
  purge?: ExpiredKeysPurgeOptions;
}

interface KeyRow {
  fingerprint: string;
  state: 'in_flight' | 'done';
  status_code: number | null;
  body: string | null;
  locked_at: Date;
  expires_at: Date;
}

export class IdempotencyKeys {
  private readonly retentionHours: number;
  private readonly staleAfterMs: number;

  constructor(
    private readonly dataSource: DataSource,
    options: IdempotencyOptions = {},
  ) {
    this.retentionHours = Math.max(24, options.retentionHours ?? 24);
    this.staleAfterMs = options.staleAfterMs ?? 60_000;
  }

  /** What identifies "the same request": method, path and body, whatever the key order in the JSON. */
  static fingerprint(method: string, path: string, body: unknown): string {
    return createHash('sha256')
      .update(`${method} ${path}\n${canonicalJson(body)}`)
      .digest('hex');
  }

  /** Claims `key` for this request, or answers what the first request with that key was answered. */
  async claim(scope: string, key: string, fingerprint: string, now = new Date()): Promise<Claim> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.dataSource.query(
          `INSERT INTO idempotency_keys (scope, idempotency_key, fingerprint, state, locked_at, expires_at)
           VALUES (?, ?, ?, 'in_flight', ?, ?)`,
          [scope, key, fingerprint, now, new Date(now.getTime() + this.retentionHours * 3_600_000)],
        );
        return { outcome: 'claimed' };
      } catch (err) {
        if (duplicateKeyOf(err) === undefined) throw err;
      }
      const [row] = (await this.dataSource.query(
        'SELECT fingerprint, state, status_code, body, locked_at, expires_at FROM idempotency_keys WHERE scope = ? AND idempotency_key = ?',
        [scope, key],
      )) as KeyRow[];
      if (!row) continue; // freed between our insert and our read: try to claim it again
      if (row.expires_at <= now) {
        await this.release(scope, key);
        continue;
      }
      if (row.fingerprint !== fingerprint) {
        throw new AppError('rule_violation', 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
      }
      if (row.state === 'done') return { outcome: 'replay', answer: { status: row.status_code!, body: JSON.parse(row.body!) } };
      if (now.getTime() - row.locked_at.getTime() < this.staleAfterMs) {
        throw new AppError('conflict', 'IDEMPOTENCY_REQUEST_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed', {
          retryAfterSeconds: 1,
        });
      }
      // Abandoned by a process that died mid-request: take it over, if nobody else just did.
      const taken = (await this.dataSource.query(
        `UPDATE idempotency_keys SET locked_at = ? WHERE scope = ? AND idempotency_key = ? AND state = 'in_flight' AND locked_at = ?`,
        [now, scope, key, row.locked_at],
      )) as { affectedRows: number };
      if (taken.affectedRows === 1) return { outcome: 'claimed' };
    }
    throw new AppError('conflict', 'IDEMPOTENCY_REQUEST_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed', {
      retryAfterSeconds: 1,
    });
  }

  /** Stores the answer to replay. */
  async complete(scope: string, key: string, answer: StoredAnswer): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET state = 'done', status_code = ?, body = ? WHERE scope = ? AND idempotency_key = ?`,
      [answer.status, JSON.stringify(answer.body ?? null), scope, key],
    );
  }

  /** Frees the key: the request failed in a way a retry may fix (a 5xx, a crash). */
  async release(scope: string, key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM idempotency_keys WHERE scope = ? AND idempotency_key = ?', [scope, key]);
  }

  /** Deletes up to `limit` expired keys; returns how many. */
  async purgeExpired(now = new Date(), limit = 1_000): Promise<number> {
    const result = (await this.dataSource.query('DELETE FROM idempotency_keys WHERE expires_at <= ? LIMIT ?', [now, limit])) as {
      affectedRows: number;
    };
    return result.affectedRows;
  }
}

/**
 * Deletes expired keys on a schedule, and once at start (a service restarted more often than the
 * interval still purges). Each DELETE takes at most `batchSize` rows and the next follows at once
 * while one deletes any, so a large backlog is cleared without one long-held lock. Only keys past
 * their retention go: a claim still in flight is within it (its retention starts when it is claimed).
 */
export function expiredKeysPurge(keys: IdempotencyKeys, logger: Logger, options: ExpiredKeysPurgeOptions = {}): PeriodicJob {
  const batchSize = options.batchSize ?? 1_000;
  return new PeriodicJob({
    name: 'idempotency-key-purge',
    logger,
    intervalMs: options.intervalMs ?? 3_600_000,
    roundAtStart: true,
    round: async () => {
      const purged = await keys.purgeExpired(new Date(), batchSize);
      if (purged > 0) logger.info({ purged }, 'expired idempotency keys purged');
      return purged;
    },
  });
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The table `IdempotencyKeys` keeps; a service that declares `idempotency` lists it in its migrations. */
export class IdempotencyKeysTable1764806400000 implements MigrationInterface {
  name = 'IdempotencyKeysTable1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        scope VARCHAR(64) NOT NULL COMMENT 'the caller the key belongs to (user id)',
        idempotency_key VARCHAR(255) NOT NULL,
        fingerprint CHAR(64) NOT NULL COMMENT 'sha256 of method, path and canonical body',
        state ENUM('in_flight', 'done') NOT NULL,
        status_code SMALLINT NULL,
        body MEDIUMTEXT NULL,
        locked_at DATETIME(3) NOT NULL,
        expires_at DATETIME(3) NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (scope, idempotency_key),
        KEY idempotency_keys_expiry (expires_at)
      ) ${tableOptionsSql}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE idempotency_keys');
  }
}
