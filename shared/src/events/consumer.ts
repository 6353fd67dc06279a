import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { runWithContext } from '../logging';
import type { Metrics } from '../metrics';
import type { EventType } from './catalog';
import { ContractViolation, parseEvent, type CatalogEvent } from './envelope';
import { HEADERS, topicOnBroker } from './kafka';
import type { Emit, Outbox } from './outbox';

/**
 * Handles one event inside the runner's transaction: `tx` for the service's own change, `emit` for
 * the events it answers with (written to the outbox in the same transaction, so the change, the
 * processed-event record and the answer commit together or not at all).
 */
export type EventHandler<T extends EventType = EventType> = (event: CatalogEvent<T>, tx: EntityManager, emit: Emit) => Promise<void>;

/** A handler for one event type, or `*` for every type in the catalog (analytics' raw store). */
export interface Subscription {
  type: EventType | '*';
  handle: EventHandler;
}

/** Typed helper: `handle('order.created', async (event, tx) => …)`. */
export function handle<T extends EventType>(type: T, fn: EventHandler<T>): Subscription {
  return { type, handle: fn as EventHandler };
}

export interface ConsumerOptions {
  /** The consuming service: its group id, its processed-events key and its `dlq.<name>` topic. */
  name: string;
  /** KAFKA_TOPIC_PREFIX: `topics` and the dead-letter topic are read and written under it. */
  topicPrefix?: string;
  kafka: Kafka;
  producer: Producer;
  dataSource: DataSource;
  /** The consuming service's outbox: handlers' transactions run through it. */
  outbox: Outbox;
  logger: Logger;
  metrics: Metrics;
  topics: string[];
  subscriptions: Subscription[];
  /** Attempts before dead-lettering a transient failure; the wait doubles from `retryBaseMs`. */
  maxAttempts?: number;
  retryBaseMs?: number;
  groupId?: string;
}

const DUPLICATE_KEY = 'ER_DUP_ENTRY';

/**
 * The consumer runner (DESIGN §4). For each message, in partition order: validate the contract
 * (invalid → dead letter at once), restore the request id, and run the handler in one transaction
 * with the `(consumer, event id)` record, so a redelivered event changes nothing. A failing handler
 * is retried with backoff, then dead-lettered with its error and origin; the partition then moves on.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private stopping = false;

  constructor(private readonly options: ConsumerOptions) {
    // A 1 s fetch wait (kafkajs' default is 5 s) keeps stop() well inside the 10 s shutdown budget.
    this.consumer = options.kafka.consumer({
      groupId: options.groupId ?? options.name,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 1_000,
    });
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 200;
  }

  /** `<prefix>dlq.<name>`: where this consumer's dead letters go. */
  get deadLetterTopic(): string {
    return topicOnBroker(this.options.topicPrefix ?? '', `dlq.${this.options.name}`);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    const topics = this.options.topics.map((topic) => topicOnBroker(this.options.topicPrefix ?? '', topic));
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: true,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
        for (const message of batch.messages) {
          if (!isRunning() || isStale() || this.stopping) break;
          await this.process(batch.topic, batch.partition, message);
          resolveOffset(message.offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
        this.options.metrics.consumerLag.set(
          { consumer: this.options.name, topic: batch.topic, partition: String(batch.partition) },
          Number(batch.offsetLag()),
        );
      },
    });
  }

  /** Finishes the message in hand, commits offsets, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
  }

  private async process(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    let event: CatalogEvent;
    try {
      event = parseEvent(message.value);
    } catch (err) {
      if (!(err instanceof ContractViolation)) throw err;
      return this.deadLetter(topic, partition, message, describe(err), 1, 'contract');
    }
    const subscription = this.options.subscriptions.find((s) => s.type === event.type || s.type === '*');
    if (!subscription) return void this.count(event.type, 'ignored');

    await runWithContext({ requestId: headerValue(message.headers, HEADERS.requestId) ?? event.correlationid }, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const fresh = await this.applyOnce(event, subscription.handle);
          return this.count(event.type, fresh ? 'processed' : 'duplicate');
        } catch (err) {
          if (attempt >= this.maxAttempts || this.stopping) {
            if (this.stopping) throw err; // leave it uncommitted: the next owner of the partition retries it
            return this.deadLetter(topic, partition, message, describe(err), attempt, event.type);
          }
          this.count(event.type, 'retried');
          this.options.logger.warn({ err, eventId: event.id, type: event.type, attempt }, 'event handler failed; retrying');
          await sleep(this.retryBaseMs * 2 ** (attempt - 1));
        }
      }
    });
  }

  /** Runs the handler and records the event in one transaction; false when it was already done. */
  private async applyOnce(event: CatalogEvent, handler: EventHandler): Promise<boolean> {
    try {
      await this.options.outbox.transaction(async (tx, emit) => {
        await tx.query('INSERT INTO processed_events (consumer, event_id, event_type) VALUES (?, ?, ?)', [
          this.options.name,
          event.id,
          event.type,
        ]);
        await handler(event, tx, emit);
      });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === DUPLICATE_KEY && (err as { sqlMessage?: string }).sqlMessage?.includes('PRIMARY')) {
        const [row] = await this.options.dataSource.query('SELECT 1 AS seen FROM processed_events WHERE consumer = ? AND event_id = ?', [
          this.options.name,
          event.id,
        ]);
        if (row) return false;
      }
      throw err;
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: string,
    attempts: number,
    type: string,
  ): Promise<void> {
    const headers: IHeaders = {
      ...message.headers,
      [HEADERS.dlqError]: error.slice(0, 2000),
      [HEADERS.dlqTopic]: topic,
      [HEADERS.dlqPartition]: String(partition),
      [HEADERS.dlqOffset]: message.offset,
      [HEADERS.dlqConsumer]: this.options.name,
      [HEADERS.dlqAttempts]: String(attempts),
      [HEADERS.dlqFailedAt]: new Date().toISOString(),
    };
    await this.options.producer.send({ topic: this.deadLetterTopic, messages: [{ key: message.key, value: message.value, headers }] });
    this.count(type, 'dead_lettered');
    this.options.logger.error({ topic, partition, offset: message.offset, error, attempts }, 'event dead-lettered');
  }

  private count(type: string, result: string): void {
    this.options.metrics.eventsConsumed.inc({ consumer: this.options.name, type, result });
  }
}

function describe(err: unknown): string {
  if (err instanceof ContractViolation && err.issues.length > 0) {
    return `${err.message}: ${err.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`;
  }
  return err instanceof Error ? err.message : String(err);
}

export function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined || value === null) return undefined;
  return (Array.isArray(value) ? value[0] : value)?.toString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
