import type { IHeaders, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { HEADERS, topicOnBroker } from './kafka';
import { headerValue } from './consumer';

const DLQ_HEADERS = new Set<string>([
  HEADERS.dlqError,
  HEADERS.dlqTopic,
  HEADERS.dlqPartition,
  HEADERS.dlqOffset,
  HEADERS.dlqConsumer,
  HEADERS.dlqAttempts,
  HEADERS.dlqFailedAt,
]);
export const REPLAYED_HEADER = 'x-dlq-replayed-from';

export interface ReplayOptions {
  /** KAFKA_TOPIC_PREFIX of the consumer's fleet: its dead letters are on `<prefix>dlq.<consumer>`. */
  topicPrefix?: string;
  timeoutMs?: number;
}

/**
 * Sends every dead letter of one consumer that has not been replayed yet back to the topic it came
 * from (as named on the broker, prefix included), with its key and headers, and returns how many it
 * sent. The replay group's committed offset remembers where the last replay stopped. Other
 * consumers of that topic see the event again and skip it through their processed-events record.
 */
export async function replayDeadLetters(
  kafka: Kafka,
  consumerName: string,
  logger: Logger,
  { topicPrefix = '', timeoutMs = 120_000 }: ReplayOptions = {},
): Promise<number> {
  const topic = topicOnBroker(topicPrefix, `dlq.${consumerName}`);
  // Each fleet's replays remember their own place: the group is prefixed like the topic.
  const groupId = `${topicPrefix}${consumerName}.dlq-replay`;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  const committed = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? [];
  await admin.disconnect();

  const remaining = new Map<number, bigint>();
  for (const { partition, high } of ends) {
    const from = BigInt(committed.find((c) => c.partition === partition)?.offset ?? '-1');
    const start = from < 0n ? 0n : from;
    if (BigInt(high) > start) remaining.set(partition, BigInt(high));
  }
  if (remaining.size === 0) return 0;

  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId });
  await Promise.all([producer.connect(), consumer.connect()]);
  let replayed = 0;
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      // Another replay of the same consumer holds some partitions of the replay group: give up
      // rather than wait for them forever; what was sent stays sent and committed.
      const timer = setTimeout(
        () => reject(new Error(`replay did not finish within ${timeoutMs} ms; is another replay running?`)),
        timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      consumer
        .run({
          autoCommit: true,
          eachMessage: async ({ partition, message }) => {
            const high = remaining.get(partition);
            if (high === undefined || BigInt(message.offset) >= high) return;
            const original = headerValue(message.headers, HEADERS.dlqTopic);
            if (!original) {
              logger.warn({ partition, offset: message.offset }, 'dead letter without its original topic; skipped');
            } else {
              await producer.send({
                topic: original,
                messages: [{ key: message.key, value: message.value, headers: replayHeaders(message.headers, topic) }],
              });
              replayed++;
            }
            if (BigInt(message.offset) + 1n >= high) remaining.delete(partition);
            if (remaining.size === 0) done();
          },
        })
        .catch((err) => {
          clearTimeout(timer);
          reject(err);
        });
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  logger.info({ topic, replayed }, 'dead letters replayed');
  return replayed;
}

function replayHeaders(headers: IHeaders | undefined, from: string): IHeaders {
  const kept: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (!DLQ_HEADERS.has(name) && value !== undefined) kept[name] = value;
  kept[REPLAYED_HEADER] = from;
  return kept;
}
