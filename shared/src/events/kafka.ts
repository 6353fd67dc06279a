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

/** Creates missing topics (existing ones are left as they are); waits for their leaders. */
export async function ensureTopics(admin: Admin, topics: string[], numPartitions = DEFAULT_PARTITIONS): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })) });
  }
  return missing;
}
