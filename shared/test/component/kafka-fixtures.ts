import { randomBytes } from 'node:crypto';
import type { Admin, IHeaders, KafkaMessage } from 'kafkajs';
import { ensureTopics } from '@qc/shared/events';
import { eventually, testKafka } from '@qc/shared/testing';

/** A topic name no other test or run uses, so a test counts only its own messages. */
/**
 * Short fetch waits: leaving a group waits for the fetch in flight, which by default long-polls
 * for 5 s, so every reader would otherwise take 5 s to stop.
 */
const READER = { maxWaitTimeInMs: 100 };

export function uniqueName(label: string): string {
  return `qct.${label}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** The CloudEvent id, when the value is one. */
  eventId: string | undefined;
}

export function headersOf(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]));
}

function toRead(partition: number, message: KafkaMessage): ReadMessage {
  const value = message.value?.toString() ?? null;
  let eventId: string | undefined;
  try {
    eventId = value ? (JSON.parse(value) as { id?: string }).id : undefined;
  } catch {
    eventId = undefined;
  }
  return { partition, offset: message.offset, key: message.key?.toString() ?? null, value, headers: headersOf(message.headers), eventId };
}

/** How many messages a topic holds (the sum of its partitions' high watermarks; new topics start at 0). */
export async function messageCount(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

/**
 * Reads a topic from the beginning with a fresh consumer group until `done` says it has seen
 * enough, then leaves. Each call is one group join (a second or two), so tests read sparingly.
 */
export async function readTopic(topic: string, done: (messages: ReadMessage[]) => boolean, timeoutMs = 30_000): Promise<ReadMessage[]> {
  const consumer = testKafka('shared-test-reader').consumer({ groupId: uniqueName('reader'), ...READER });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => void messages.push(toRead(partition, message)) });
    await eventually(async () => done(messages), timeoutMs, 50);
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** Reads a topic continuously for a whole describe block: one group join instead of one per test. */
export class TopicTail {
  readonly messages: ReadMessage[] = [];
  private readonly consumer = testKafka('shared-test-tail').consumer({ groupId: uniqueName('tail'), ...READER });

  constructor(private readonly topic: string) {}

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await this.consumer.run({ eachMessage: async ({ partition, message }) => void this.messages.push(toRead(partition, message)) });
  }

  find(eventId: string, timeoutMs = 30_000): Promise<ReadMessage> {
    return eventually(async () => this.messages.find((m) => m.eventId === eventId), timeoutMs, 50);
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/** A broker admin for the test file plus the topics it created, deleted again at the end. */
export class TestTopics {
  readonly admin = testKafka('shared-test-admin').admin();
  private readonly created: string[] = [];

  connect(): Promise<void> {
    return this.admin.connect();
  }

  async create(...topics: string[]): Promise<void> {
    await ensureTopics(this.admin, topics);
    this.created.push(...topics);
  }

  async cleanup(): Promise<void> {
    if (this.created.length > 0) await this.admin.deleteTopics({ topics: this.created, timeout: 10_000 }).catch(() => undefined);
    await this.admin.disconnect();
  }
}
