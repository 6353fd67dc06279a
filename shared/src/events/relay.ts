import { AsyncResource } from 'node:async_hooks';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { Metrics } from '../metrics';
import { PeriodicJob } from '../service/periodic-job';

export interface RelayOptions {
  dataSource: DataSource;
  producer: Producer;
  logger: Logger;
  metrics: Metrics;
  /** Idle poll interval; commits wake the relay at once, so this only bounds missed wake-ups. */
  pollMs: number;
  batchSize?: number;
  maxBackoffMs?: number;
  /** How often published rows past their retention are deleted (10 minutes by default). */
  retentionSweepMs?: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  payload: string;
  headers: string;
  attempts: number;
}

const BACKLOG_REFRESH_MS = 5_000;
const RETENTION_SWEEP_MS = 10 * 60_000;
/** Published rows stay a week for audit and replay, then are deleted. */
const RETENTION_DAYS = 7;
/** Rows one retention round deletes: short deletes, each its own transaction, batch after batch. */
const RETENTION_BATCH = 1_000;

/**
 * Publishes pending outbox rows to Kafka. Many relays may run at once: each claims a batch with
 * `FOR UPDATE SKIP LOCKED`, sends it, and marks it published in the same transaction. A crash
 * between the send and the commit publishes the batch again, so delivery is at-least-once and
 * consumers deduplicate by event id. A failed send leaves the batch pending with exponential
 * backoff. Each key's events go out in id order: a row is sent only when every earlier pending
 * row of its key is in the same batch (see `inKeyOrder`), whatever other relays hold or back off.
 *
 * Three `PeriodicJob`s run it: publishing (a round at start, one every `pollMs`, and one whenever a
 * commit wakes it; a full batch is followed by the next at once, so a backlog drains without
 * waiting a tick per batch), the backlog gauge (every 5 s), and deleting published rows past their
 * retention (every `retentionSweepMs`, a batch at a time until none is left).
 */
export class OutboxRelay {
  private readonly publishing: PeriodicJob;
  private readonly jobs: PeriodicJob[];
  private started = false;
  private wakePublishing: () => void = () => {};
  private readonly batchSize: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: RelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    const { logger, metrics } = options;
    this.publishing = new PeriodicJob({
      name: 'outbox-relay',
      logger,
      intervalMs: options.pollMs,
      roundAtStart: true,
      // Only a full batch may have left more ready behind it; a smaller one waits for a commit or a tick.
      round: async () => {
        const published = await this.publishBatch();
        return published < this.batchSize ? 0 : published;
      },
    });
    this.jobs = [
      this.publishing,
      new PeriodicJob({
        name: 'outbox-backlog',
        logger,
        intervalMs: BACKLOG_REFRESH_MS,
        roundAtStart: true,
        round: async () => metrics.outboxBacklog.set(await this.backlog()),
      }),
      new PeriodicJob({
        name: 'outbox-retention',
        logger,
        intervalMs: options.retentionSweepMs ?? RETENTION_SWEEP_MS,
        round: () => this.deleteExpired(),
      }),
    ];
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    // Commits wake the relay from inside their request's context. A round publishes many requests'
    // events, so it runs in the relay's own context, and its log lines carry no one request's id.
    this.wakePublishing = AsyncResource.bind(() => this.publishing.wake());
    for (const job of this.jobs) job.start();
  }

  /** Called right after a commit that wrote outbox rows. */
  wake(): void {
    this.wakePublishing();
  }

  /** Stops the rounds (waiting for those in progress), then flushes what is ready to publish, within the caller's deadline. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await Promise.all(this.jobs.map((job) => job.stop()));
    while ((await this.publishBatch().catch(() => 0)) > 0);
  }

  /** Claims, sends and marks one batch; returns how many rows it published. */
  async publishBatch(): Promise<number> {
    const { dataSource, producer, metrics } = this.options;
    // READ COMMITTED: the claim locks the rows it returns and nothing else. Under REPEATABLE READ it
    // would also lock the gaps it scanned, and writers inserting outbox rows would deadlock with it.
    return dataSource.transaction('READ COMMITTED', async (tx) => {
      const claimed: OutboxRow[] = await tx.query(
        `SELECT id, topic, message_key, payload, headers, attempts FROM outbox
         WHERE published_at IS NULL AND next_attempt_at <= NOW(3)
         ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      const rows = await inKeyOrder(tx, claimed);
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      try {
        await producer.sendBatch({ topicMessages: groupByTopic(rows) });
      } catch (err) {
        const attempts = rows[0]!.attempts + 1;
        const backoffMs = Math.min(this.maxBackoffMs, 100 * 2 ** attempts);
        await tx.query(
          `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = NOW(3) + INTERVAL ? MICROSECOND WHERE id IN (?)`,
          [String((err as Error).message).slice(0, 1000), backoffMs * 1000, ids],
        );
        for (const topic of new Set(rows.map((r) => r.topic))) metrics.eventsPublished.inc({ topic, result: 'failed' });
        this.options.logger.warn({ err, batch: rows.length, attempts, backoffMs }, 'outbox publish failed; will retry');
        return 0;
      }
      await tx.query('UPDATE outbox SET published_at = NOW(3), last_error = NULL WHERE id IN (?)', [ids]);
      for (const row of rows) metrics.eventsPublished.inc({ topic: row.topic, result: 'published' });
      return rows.length;
    });
  }

  async backlog(): Promise<number> {
    const [row] = await this.options.dataSource.query('SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL');
    return Number(row.n);
  }

  /** Deletes a batch of rows past their retention; a full batch says more may be left (the job runs again at once). */
  private async deleteExpired(): Promise<number> {
    const result: { affectedRows: number } = await this.options.dataSource.query(
      `DELETE FROM outbox WHERE published_at < NOW(3) - INTERVAL ${RETENTION_DAYS} DAY LIMIT ${RETENTION_BATCH}`,
    );
    return result.affectedRows === RETENTION_BATCH ? result.affectedRows : 0;
  }
}

/**
 * Keeps the rows that may go out now without overtaking an earlier event of the same key: for each
 * key, the claimed rows up to the first earlier pending row this batch does not hold (one another
 * relay has locked, or one backing off after a failed send). The rest stay pending for a later round.
 */
async function inKeyOrder(tx: EntityManager, claimed: OutboxRow[]): Promise<OutboxRow[]> {
  if (claimed.length === 0) return claimed;
  const keys = [...new Set(claimed.map((r) => r.message_key))];
  const pending: { id: string; message_key: string }[] = await tx.query(
    'SELECT id, message_key FROM outbox WHERE published_at IS NULL AND message_key IN (?) ORDER BY id',
    [keys],
  );
  const held = new Set(claimed.map((r) => r.id));
  const blocked = new Set<string>();
  const sendable = new Set<string>();
  for (const row of pending) {
    if (blocked.has(row.message_key)) continue;
    if (held.has(row.id)) sendable.add(row.id);
    else blocked.add(row.message_key);
  }
  return claimed.filter((r) => sendable.has(r.id));
}

function groupByTopic(rows: OutboxRow[]) {
  const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
  for (const row of rows) {
    const messages = byTopic.get(row.topic) ?? [];
    messages.push({ key: row.message_key, value: row.payload, headers: JSON.parse(row.headers) });
    byTopic.set(row.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
