import { randomUUID } from 'node:crypto';
import type { Kafka, Producer, RecordMetadata } from 'kafkajs';
import { createDataSource, migrate, type DataSource } from '@qc/shared/db';
import {
  EventConsumer,
  HEADERS,
  Outbox,
  REPLAYED_HEADER,
  createKafka,
  handle,
  newEvent,
  replayDeadLetters,
  type CatalogEvent,
} from '@qc/shared/events';
import { createLogger, currentContext } from '@qc/shared/logging';
import { Metrics } from '@qc/shared/metrics';
import { TEST_KAFKA_BROKERS, createTestSchema, eventually, type TestSchema } from '@qc/shared/testing';
import { TestTopics, TopicTail, messageCount, readTopic, uniqueName } from './kafka-fixtures';

/**
 * The consumer runner against the real broker and database: contract check, request id restored,
 * exactly-once effects through the processed-events ledger, retries with backoff, dead letters
 * with their origin, and replay. Each describe block shares one consumer (group joins are slow).
 */
jest.setTimeout(60_000);

const logger = createLogger('event-consumer-test', 'silent');
const orderUpdated = (orderId: string = randomUUID(), status = 'CONFIRMED') =>
  newEvent('order-service', 'order.updated', { orderId, status }, { subject: orderId });

/** What the handlers under test do; `attempt` counts calls for one event id. */
type Behaviour = (attempt: number) => void;

describe('EventConsumer (real Kafka and MariaDB)', () => {
  const topics = new TestTopics();
  let schema: TestSchema;
  let dataSource: DataSource;
  let kafka: Kafka;
  let producer: Producer;

  const ledger = async (eventId: string): Promise<{ attempt: number }[]> =>
    dataSource.query('SELECT attempt FROM ledger WHERE event_id = ? ORDER BY attempt', [eventId]);
  const answersTo = async (eventId: string): Promise<number> => {
    const rows: { payload: string }[] = await dataSource.query('SELECT payload FROM outbox');
    return rows.filter((row) => JSON.parse(row.payload).causationid === eventId).length;
  };

  async function publish(topic: string, key: string, values: string[], headers: Record<string, string> = {}): Promise<RecordMetadata> {
    const [meta] = await producer.send({ topic, messages: values.map((value) => ({ key, value, headers })) });
    return meta!;
  }

  /** A consumer whose handler records each call in `ledger` (inside its transaction), then behaves as told. */
  function consumerFor(name: string, topic: string, metrics: Metrics, behaviours: Map<string, Behaviour>) {
    const calls = new Map<string, number>();
    const requestIds = new Map<string, string | undefined>();
    const consumer = new EventConsumer({
      name,
      kafka,
      producer,
      dataSource,
      outbox: new Outbox(dataSource, 'test.events'),
      logger,
      metrics,
      topics: [topic],
      maxAttempts: 3,
      retryBaseMs: 50,
      subscriptions: [
        handle('order.updated', async (event, tx, emit) => {
          const attempt = (calls.get(event.id) ?? 0) + 1;
          calls.set(event.id, attempt);
          requestIds.set(event.id, currentContext()?.requestId);
          await tx.query('INSERT INTO ledger (event_id, attempt) VALUES (?, ?)', [event.id, attempt]);
          // The answer a service gives to an event goes out through its outbox, in the same transaction.
          const { orderId } = event.data;
          emit(
            newEvent(
              'inventory-service',
              'inventory.released',
              { orderId, reservationId: randomUUID() },
              { subject: orderId, causedBy: event },
            ),
          );
          behaviours.get(event.id)?.(attempt);
        }),
      ],
    });
    return { consumer, calls, requestIds };
  }

  const consumedCount = async (metrics: Metrics, result: string) =>
    (await metrics.eventsConsumed.get()).values.filter((v) => v.labels.result === result).reduce((sum, v) => sum + v.value, 0);

  beforeAll(async () => {
    schema = await createTestSchema('shared_consumer');
    dataSource = createDataSource({ url: schema.url, poolSize: 6 });
    await dataSource.initialize();
    await migrate(dataSource);
    // No key on purpose: a second run of the handler for one event would show up as a second row.
    await dataSource.query('CREATE TABLE ledger (event_id CHAR(36) NOT NULL, attempt INT NOT NULL)');
    kafka = createKafka('event-consumer-test', TEST_KAFKA_BROKERS.split(','), logger);
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await Promise.all([topics.connect(), producer.connect()]);
  }, 60_000);

  afterAll(async () => {
    await producer?.disconnect();
    await dataSource?.destroy();
    await schema?.drop();
    await topics.cleanup();
  }, 30_000);

  describe('processing', () => {
    const topic = uniqueName('consume');
    const name = uniqueName('consumer').replace(/\./g, '-');
    const behaviours = new Map<string, Behaviour>();
    const metrics = new Metrics('event-consumer-test');
    let runner: ReturnType<typeof consumerFor>;
    let deadLetters: TopicTail;

    beforeAll(async () => {
      runner = consumerFor(name, topic, metrics, behaviours);
      await topics.create(topic, runner.consumer.deadLetterTopic);
      deadLetters = new TopicTail(runner.consumer.deadLetterTopic);
      await Promise.all([runner.consumer.start(), deadLetters.start()]);
    }, 60_000);

    afterAll(async () => {
      await runner?.consumer.stop();
      await deadLetters?.stop();
    }, 30_000);

    it('when a valid event arrives, then it is handled once, inside the request id it was sent with', async () => {
      const event = orderUpdated();
      await publish(topic, event.subject, [JSON.stringify(event)], { [HEADERS.requestId]: 'req-consume-1' });
      await eventually(async () => (await ledger(event.id)).length === 1);
      expect(runner.calls.get(event.id)).toBe(1);
      expect(runner.requestIds.get(event.id)).toBe('req-consume-1');
    });

    it('when a message has no request id header, then the handler runs inside the event’s correlation id', async () => {
      const event = orderUpdated();
      await publish(topic, event.subject, [JSON.stringify(event)]);
      await eventually(async () => (await ledger(event.id)).length === 1);
      expect(runner.requestIds.get(event.id)).toBe(event.correlationid);
    });

    it('when the same event is delivered twice, then its effect happens once', async () => {
      const event = orderUpdated();
      const after = orderUpdated(event.subject, 'PACKED');
      const duplicatesBefore = await consumedCount(metrics, 'duplicate');
      // Same key, so same partition: `after` is handled only once both copies were.
      await publish(topic, event.subject, [JSON.stringify(event), JSON.stringify(event), JSON.stringify(after)]);
      await eventually(async () => (await ledger(after.id)).length === 1);
      expect(await ledger(event.id)).toEqual([{ attempt: 1 }]);
      expect(runner.calls.get(event.id)).toBe(1);
      expect(await consumedCount(metrics, 'duplicate')).toBe(duplicatesBefore + 1);
    });

    it('when the handler fails twice and then succeeds, then it is retried and its effect kept once', async () => {
      const event = orderUpdated();
      behaviours.set(event.id, (attempt) => {
        if (attempt < 3) throw new Error(`deadlock, attempt ${attempt}`);
      });
      const retriedBefore = await consumedCount(metrics, 'retried');
      await publish(topic, event.subject, [JSON.stringify(event)]);
      // The failed attempts wrote their row too, and were rolled back with their transaction.
      await eventually(async () => (await ledger(event.id)).length === 1);
      expect(await ledger(event.id)).toEqual([{ attempt: 3 }]);
      expect(runner.calls.get(event.id)).toBe(3);
      // Only the attempt that committed left its answering event in the outbox.
      expect(await answersTo(event.id)).toBe(1);
      expect(await consumedCount(metrics, 'retried')).toBe(retriedBefore + 2);
      expect(deadLetters.messages.some((m) => m.eventId === event.id)).toBe(false);
    });

    it('when the handler always fails, then the event is dead-lettered with its error and origin, and the next one is still handled', async () => {
      const failing = orderUpdated();
      const next = orderUpdated(failing.subject, 'PACKED');
      behaviours.set(failing.id, () => {
        throw new Error('inventory table is locked');
      });
      const sent = await publish(topic, failing.subject, [JSON.stringify(failing), JSON.stringify(next)], {
        [HEADERS.requestId]: 'req-dlq-1',
      });

      await eventually(async () => (await ledger(next.id)).length === 1, 30_000);
      const letter = await deadLetters.find(failing.id);
      expect(letter.headers).toMatchObject({
        [HEADERS.dlqError]: 'inventory table is locked',
        [HEADERS.dlqTopic]: topic,
        [HEADERS.dlqPartition]: String(sent.partition),
        [HEADERS.dlqOffset]: sent.baseOffset,
        [HEADERS.dlqConsumer]: name,
        [HEADERS.dlqAttempts]: '3',
        [HEADERS.requestId]: 'req-dlq-1',
      });
      expect(Date.parse(letter.headers[HEADERS.dlqFailedAt]!)).not.toBeNaN();
      expect(letter.key).toBe(failing.subject);
      expect(JSON.parse(letter.value!)).toEqual(failing);
      expect(runner.calls.get(failing.id)).toBe(3);
      expect(await ledger(failing.id)).toEqual([]);
    });

    it('when a message breaks its contract, then it is dead-lettered at once without reaching the handler', async () => {
      const valid = orderUpdated();
      const broken = { ...orderUpdated(valid.subject), data: { orderId: 'not-a-uuid', status: 'CONFIRMED' } };
      const notJson = `not json ${randomUUID()}`;
      const next = orderUpdated(valid.subject, 'PACKED');
      const sent = await publish(topic, valid.subject, [JSON.stringify(broken), notJson, JSON.stringify(next)]);

      await eventually(async () => (await ledger(next.id)).length === 1, 30_000);
      const letter = await deadLetters.find(broken.id);
      expect(letter.headers[HEADERS.dlqError]).toMatch(/order\.updated data breaks its contract: orderId/);
      expect(letter.headers[HEADERS.dlqAttempts]).toBe('1');
      expect(letter.headers[HEADERS.dlqOffset]).toBe(sent.baseOffset);
      const garbage = await eventually(async () => deadLetters.messages.find((m) => m.value === notJson));
      expect(garbage.headers[HEADERS.dlqError]).toBe('message is not JSON');
      expect(garbage.headers[HEADERS.dlqOffset]).toBe(String(Number(sent.baseOffset) + 1));
      expect(runner.calls.has(broken.id)).toBe(false);
    });

    it('when an event type has no subscription, then it is skipped without a dead letter', async () => {
      const orderId = randomUUID();
      const unsubscribed: CatalogEvent = newEvent(
        'order-service',
        'order.cancelled',
        { orderId, userId: randomUUID(), reason: 'x', paid: false },
        { subject: orderId },
      );
      const next = orderUpdated(orderId);
      const ignoredBefore = await consumedCount(metrics, 'ignored');
      await publish(topic, orderId, [JSON.stringify(unsubscribed), JSON.stringify(next)]);
      await eventually(async () => (await ledger(next.id)).length === 1);
      expect(await consumedCount(metrics, 'ignored')).toBe(ignoredBefore + 1);
      expect(deadLetters.messages.some((m) => m.eventId === unsubscribed.id)).toBe(false);
    });
  });

  describe('replaying dead letters', () => {
    const topic = uniqueName('replay');
    const name = uniqueName('replayer').replace(/\./g, '-');
    const behaviours = new Map<string, Behaviour>();
    const metrics = new Metrics('event-consumer-replay-test');
    let runner: ReturnType<typeof consumerFor>;

    beforeAll(async () => {
      runner = consumerFor(name, topic, metrics, behaviours);
      await topics.create(topic, runner.consumer.deadLetterTopic);
      await runner.consumer.start();
    }, 60_000);

    afterAll(() => runner?.consumer.stop(), 30_000);

    it('when a dead letter is replayed after its handler recovered, then it is processed once, and a second replay sends nothing', async () => {
      const event = orderUpdated();
      let healthy = false;
      behaviours.set(event.id, () => {
        if (!healthy) throw new Error('store unavailable');
      });
      await publish(topic, event.subject, [JSON.stringify(event)], { [HEADERS.requestId]: 'req-replay-1' });
      await eventually(async () => (await consumedCount(metrics, 'dead_lettered')) === 1, 30_000);
      expect(await ledger(event.id)).toEqual([]);
      expect(await messageCount(topics.admin, runner.consumer.deadLetterTopic)).toBe(1);

      healthy = true;
      expect(await replayDeadLetters(kafka, name, logger)).toBe(1);
      await eventually(async () => (await ledger(event.id)).length === 1, 30_000);
      expect(await ledger(event.id)).toEqual([{ attempt: 4 }]);
      expect(await messageCount(topics.admin, topic)).toBe(2);
      // Back on its original topic with its key and request id, marked as replayed, without the dead-letter headers.
      const copies = await readTopic(topic, (m) => m.filter((x) => x.eventId === event.id).length === 2);
      const replayed = copies.find((m) => m.headers[REPLAYED_HEADER] !== undefined)!;
      expect(replayed).toMatchObject({
        key: event.subject,
        headers: { [REPLAYED_HEADER]: runner.consumer.deadLetterTopic, [HEADERS.requestId]: 'req-replay-1' },
      });
      for (const header of [HEADERS.dlqError, HEADERS.dlqTopic, HEADERS.dlqPartition, HEADERS.dlqOffset, HEADERS.dlqAttempts]) {
        expect(replayed.headers).not.toHaveProperty([header]);
      }

      expect(await replayDeadLetters(kafka, name, logger)).toBe(0);
      expect(await messageCount(topics.admin, topic)).toBe(2);
      expect(await consumedCount(metrics, 'processed')).toBe(1);
    });
  });
});
