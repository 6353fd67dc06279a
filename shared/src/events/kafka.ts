import { Kafka, logLevel, type Admin, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

/** Header names the platform puts on every Kafka message. */
export const HEADERS = {
  requestId: 'x-request-id',
  contentType: 'content-type',
  dlqError: 'x-dlq-error',
  dlqTopic: 'x-dlq-original-topic',
  dlqPartition: 'x-dlq-original-partition',
  dlqOffset: 'x-dlq-original-offset',
  dlqConsumer: 'x-dlq-consumer',
  dlqAttempts: 'x-dlq-attempts',
  dlqFailedAt: 'x-dlq-failed-at',
} as const;

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own logs go through pino, at warn and above. */
export function createKafka(clientId: string, brokers: string[], logger: Logger): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[LEVELS[level] ?? 'info'](rest, message);
      },
  });
}

/**
 * A topic's name on the broker: the logical name the code uses (`order.events`, `dlq.order-service`)
 * behind the fleet's KAFKA_TOPIC_PREFIX ('' for `make run`'s, `e2e.<run>.` for an end-to-end run's).
 */
export function topicOnBroker(prefix: string, topic: string): string {
  return `${prefix}${topic}`;
}

export const DEFAULT_PARTITIONS = 3;

/**
 * Creates missing topics (existing ones are left as they are) and returns them, once the broker
 * serves each with a leader on every partition. A topic named twice is created once (a service
 * that consumes its own topic names it twice). Services starting together on new topics (an
 * end-to-end fleet's) create the same ones at once: the broker then says some exist before it
 * serves them, so every missing topic is waited for, whoever created it.
 */
export async function ensureTopics(admin: Admin, topics: string[], numPartitions = DEFAULT_PARTITIONS): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = [...new Set(topics)].filter((t) => !existing.has(t));
  if (missing.length > 0) {
    await admin.createTopics({ waitForLeaders: false, topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })) });
    await untilServed(admin, missing);
  }
  return missing;
}

/** Polls the topics' metadata until every partition has a leader; a topic still unknown is retried. */
async function untilServed(admin: Admin, topics: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: served } = await admin.fetchTopicMetadata({ topics });
      if (served.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (!(err as { retriable?: boolean }).retriable || Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics without a leader after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
