import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createDataSource, migrate, type DataSource } from '@qc/shared/db';
import { HEADERS, Outbox, OutboxRelay, createKafka, newEvent, type CatalogEvent } from '@qc/shared/events';
import { createLogger, runWithContext } from '@qc/shared/logging';
import { Metrics } from '@qc/shared/metrics';
import { TEST_KAFKA_BROKERS, createTestSchema, eventually, memoryLogger, type TestSchema } from '@qc/shared/testing';
import { TestTopics, messageCount, readTopic, uniqueName } from './kafka-fixtures';

/**
 * The transactional outbox and its relay against the real MariaDB and the real Kafka broker:
 * state and events commit together, the relay publishes each event once, fast, and keeps what it
 * could not send.
 */
jest.setTimeout(60_000);

const logger = createLogger('outbox-relay-test', 'silent');
const orderUpdated = (orderId: string = randomUUID(), status = 'CONFIRMED') =>
  newEvent('order-service', 'order.updated', { orderId, status }, { subject: orderId });

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  event_type: string;
  payload: string;
  headers: string;
  attempts: number;
  last_error: string | null;
  published_at: Date | null;
}

describe('transactional outbox and relay (real MariaDB and Kafka)', () => {
  const topics = new TestTopics();
  const schemas: TestSchema[] = [];
  const dataSources: DataSource[] = [];
  const producers: Producer[] = [];

  /** Every relay test gets its own schema, so no relay ever sees another test's rows. */
  async function freshDatabase(): Promise<DataSource> {
    const schema = await createTestSchema('shared_outbox');
    schemas.push(schema);
    const dataSource = createDataSource({ url: schema.url, poolSize: 6 });
    dataSources.push(dataSource);
    await dataSource.initialize();
    await migrate(dataSource);
    await dataSource.query('CREATE TABLE orders (id CHAR(36) NOT NULL PRIMARY KEY, status VARCHAR(20) NOT NULL)');
    return dataSource;
  }

  async function connectedProducer(): Promise<Producer> {
    const producer = createKafka('outbox-relay-test', TEST_KAFKA_BROKERS.split(','), logger).producer({
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    producers.push(producer);
    await producer.connect();
    return producer;
  }

  /** A producer whose broker refuses connections: every send fails at once. */
  async function unreachableProducer(): Promise<Producer> {
    const producer = new Kafka({
      clientId: 'outbox-relay-test-down',
      brokers: ['127.0.0.1:1'],
      connectionTimeout: 200,
      retry: { retries: 0, initialRetryTime: 50 },
      logLevel: logLevel.NOTHING,
    }).producer();
    await expect(producer.connect()).rejects.toThrow(/ECONNREFUSED/);
    return producer;
  }

  const rowsOf = async (dataSource: DataSource, ids: string[]): Promise<OutboxRow[]> =>
    ids.length === 0 ? [] : dataSource.query('SELECT * FROM outbox WHERE id IN (?) ORDER BY id', [ids]);
  const ordersOf = async (dataSource: DataSource, id: string) => dataSource.query('SELECT id, status FROM orders WHERE id = ?', [id]);
  const publishedCount = async (metrics: Metrics, topic: string, result: string) =>
    (await metrics.eventsPublished.get()).values.find((v) => v.labels.topic === topic && v.labels.result === result)?.value ?? 0;

  beforeAll(() => topics.connect(), 30_000);

  afterAll(async () => {
    await Promise.all(producers.map((p) => p.disconnect()));
    await Promise.all(dataSources.filter((d) => d.isInitialized).map((d) => d.destroy()));
    await Promise.all(schemas.map((s) => s.drop()));
    await topics.cleanup();
  }, 30_000);

  describe('Outbox.transaction', () => {
    let dataSource: DataSource;
    beforeAll(async () => {
      dataSource = await freshDatabase();
    });

    it('when the work commits, then its state and its events are stored together and the relay is woken after the commit', async () => {
      const orderId = randomUUID();
      const wakes: number[] = [];
      const outbox = new Outbox(dataSource, 'order.events', () => wakes.push(Date.now()));
      const event = orderUpdated(orderId);
      const result = await runWithContext({ requestId: 'req-outbox-1' }, () =>
        outbox.transaction(async (tx, emit) => {
          await tx.query('INSERT INTO orders (id, status) VALUES (?, ?)', [orderId, 'CONFIRMED']);
          emit(event);
          // Not woken before the commit: the relay would find nothing to publish yet.
          expect(wakes).toHaveLength(0);
          return 'placed';
        }),
      );
      expect(result).toBe('placed');
      expect(wakes).toHaveLength(1);
      expect(await ordersOf(dataSource, orderId)).toEqual([{ id: orderId, status: 'CONFIRMED' }]);
      const [row] = await rowsOf(dataSource, [event.id]);
      expect(row).toMatchObject({
        id: event.id,
        topic: 'order.events',
        message_key: orderId,
        event_type: 'order.updated',
        attempts: 0,
        published_at: null,
      });
      expect(JSON.parse(row!.payload)).toEqual(event);
      expect(JSON.parse(row!.headers)).toEqual({
        [HEADERS.requestId]: 'req-outbox-1',
        [HEADERS.contentType]: 'application/cloudevents+json',
      });
    });

    it('when the work throws, then neither its state nor its events are kept and the relay is not woken', async () => {
      const orderId = randomUUID();
      let woken = false;
      const outbox = new Outbox(dataSource, 'order.events', () => (woken = true));
      const events = [orderUpdated(orderId), orderUpdated(orderId, 'PACKED')];
      const failure = new Error('payment declined');
      await expect(
        outbox.transaction(async (tx, emit) => {
          await tx.query('INSERT INTO orders (id, status) VALUES (?, ?)', [orderId, 'CONFIRMED']);
          for (const event of events) emit(event);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(woken).toBe(false);
      expect(await ordersOf(dataSource, orderId)).toEqual([]);
      expect(
        await rowsOf(
          dataSource,
          events.map((e) => e.id),
        ),
      ).toEqual([]);
    });

    it('when the events themselves cannot be stored, then the state change is rolled back too', async () => {
      const orderId = randomUUID();
      const outbox = new Outbox(dataSource, 'order.events');
      const event = orderUpdated(orderId);
      // The same event twice breaks the outbox's primary key inside the transaction.
      await expect(
        outbox.transaction(async (tx, emit) => {
          await tx.query('INSERT INTO orders (id, status) VALUES (?, ?)', [orderId, 'CONFIRMED']);
          emit(event);
          emit(event);
        }),
      ).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
      expect(await ordersOf(dataSource, orderId)).toEqual([]);
      expect(await rowsOf(dataSource, [event.id])).toEqual([]);
    });

    it('when the work emits nothing, then it commits and the relay is not woken', async () => {
      const orderId = randomUUID();
      let woken = false;
      await new Outbox(dataSource, 'order.events', () => (woken = true)).transaction((tx) =>
        tx.query('INSERT INTO orders (id, status) VALUES (?, ?)', [orderId, 'PENDING']),
      );
      expect(woken).toBe(false);
      expect(await ordersOf(dataSource, orderId)).toHaveLength(1);
    });
  });

  describe('OutboxRelay', () => {
    it('when an event commits, then the relay is woken and publishes it to its topic well before its poll interval', async () => {
      const dataSource = await freshDatabase();
      const topic = uniqueName('relay-wake');
      await topics.create(topic);
      const metrics = new Metrics('outbox-relay-test');
      const relay = new OutboxRelay({ dataSource, producer: await connectedProducer(), logger, metrics, pollMs: 10_000 });
      relay.start();
      try {
        // Let its first round find nothing and go to sleep for the 10 s poll interval.
        await new Promise((r) => setTimeout(r, 300));
        const outbox = new Outbox(dataSource, topic, () => relay.wake());
        const event = orderUpdated();
        const committed = Date.now();
        await runWithContext({ requestId: 'req-relay-wake' }, () => outbox.transaction(async (_tx, emit) => emit(event)));
        await eventually(async () => (await rowsOf(dataSource, [event.id]))[0]?.published_at !== null, 5_000, 10);
        expect(Date.now() - committed).toBeLessThan(2_000);
        expect(await relay.backlog()).toBe(0);
        expect(await publishedCount(metrics, topic, 'published')).toBe(1);

        const [message] = await readTopic(topic, (m) => m.some((x) => x.eventId === event.id));
        expect(message).toMatchObject({
          eventId: event.id,
          key: event.subject,
          headers: { [HEADERS.requestId]: 'req-relay-wake', [HEADERS.contentType]: 'application/cloudevents+json' },
        });
        expect(JSON.parse(message!.value!)).toEqual(event);
      } finally {
        await relay.stop();
      }
    });

    it('when stopped with rows nobody woke it for, then it publishes them before it returns', async () => {
      const dataSource = await freshDatabase();
      const topic = uniqueName('relay-flush');
      await topics.create(topic);
      const relay = new OutboxRelay({ dataSource, producer: await connectedProducer(), logger, metrics: new Metrics('t'), pollMs: 10_000 });
      relay.start();
      await new Promise((r) => setTimeout(r, 300));
      const events = [orderUpdated(), orderUpdated(), orderUpdated()];
      await new Outbox(dataSource, topic).transaction(async (_tx, emit) => events.forEach(emit));
      expect(await relay.backlog()).toBe(3);
      await relay.stop();
      expect(await relay.backlog()).toBe(0);
      expect(await messageCount(topics.admin, topic)).toBe(3);
    });

    it('when more than a batch is pending, then it publishes batch after batch without waiting for its poll interval', async () => {
      const dataSource = await freshDatabase();
      const topic = uniqueName('relay-drain');
      await topics.create(topic);
      await new Outbox(dataSource, topic).transaction(async (_tx, emit) => Array.from({ length: 35 }, () => orderUpdated()).forEach(emit));
      const metrics = new Metrics('relay-drain');
      const relay = new OutboxRelay({ dataSource, producer: await connectedProducer(), logger, metrics, pollMs: 60_000, batchSize: 10 });
      relay.start();
      try {
        // Its round at start, and a round right after each full batch: no tick comes within the test.
        await eventually(async () => (await relay.backlog()) === 0, 10_000, 50);
      } finally {
        await relay.stop();
      }
      expect(await publishedCount(metrics, topic, 'published')).toBe(35);
    });

    it('when two relays drain 300 pending rows of one schema at once, then each event reaches Kafka exactly once', async () => {
      const dataSource = await freshDatabase();
      const topic = uniqueName('relay-race');
      await topics.create(topic);
      const outbox = new Outbox(dataSource, topic);
      const emitted: CatalogEvent[] = [];
      for (let chunk = 0; chunk < 3; chunk++) {
        await outbox.transaction(async (_tx, emit) => {
          for (let i = 0; i < 100; i++) {
            const event = orderUpdated();
            emitted.push(event);
            emit(event);
          }
        });
      }
      const [producerA, producerB] = await Promise.all([connectedProducer(), connectedProducer()]);
      const metricsA = new Metrics('relay-a');
      const metricsB = new Metrics('relay-b');
      const relays = [
        new OutboxRelay({ dataSource, producer: producerA, logger, metrics: metricsA, pollMs: 50, batchSize: 10 }),
        new OutboxRelay({ dataSource, producer: producerB, logger, metrics: metricsB, pollMs: 50, batchSize: 10 }),
      ];
      relays.forEach((r) => r.start());
      try {
        await eventually(async () => (await relays[0]!.backlog()) === 0, 30_000, 50);
      } finally {
        await Promise.all(relays.map((r) => r.stop()));
      }
      const [byA, byB] = await Promise.all([publishedCount(metricsA, topic, 'published'), publishedCount(metricsB, topic, 'published')]);
      expect(byA + byB).toBe(300);
      // Both took part: otherwise this would prove nothing about two relays.
      expect(byA).toBeGreaterThan(0);
      expect(byB).toBeGreaterThan(0);

      expect(await messageCount(topics.admin, topic)).toBe(300);
      const messages = await readTopic(topic, (m) => m.length >= 300);
      const perId = new Map<string, number>();
      for (const m of messages) perId.set(m.eventId!, (perId.get(m.eventId!) ?? 0) + 1);
      expect([...perId.keys()].sort()).toEqual(emitted.map((e) => e.id).sort());
      expect([...perId.values()].every((n) => n === 1)).toBe(true);
      const rows = await rowsOf(
        dataSource,
        emitted.map((e) => e.id),
      );
      expect(rows.every((r) => r.published_at !== null && r.attempts === 0)).toBe(true);
    });

    it('when an earlier event of a key is held by another relay or backing off, then later events of that key wait for it', async () => {
      const dataSource = await freshDatabase();
      const topic = uniqueName('relay-key-order');
      await topics.create(topic);
      const orderId = randomUUID();
      const [confirmed, packed, cancelled] = ['CONFIRMED', 'PACKED', 'CANCELLED'].map((status) => orderUpdated(orderId, status));
      const other = orderUpdated();
      const outbox = new Outbox(dataSource, topic);
      for (const event of [confirmed!, packed!, other]) await outbox.transaction(async (_tx, emit) => emit(event));
      const relay = new OutboxRelay({
        dataSource,
        producer: await connectedProducer(),
        logger,
        metrics: new Metrics('relay-order'),
        pollMs: 50,
      });

      // Another relay has claimed the order's first event: only the unrelated event may go out.
      const otherRelay = dataSource.createQueryRunner();
      await otherRelay.connect();
      await otherRelay.startTransaction();
      await otherRelay.query('SELECT id FROM outbox WHERE id = ? FOR UPDATE', [confirmed!.id]);
      expect(await relay.publishBatch()).toBe(1);
      await otherRelay.rollbackTransaction();
      await otherRelay.release();

      // The first event failed and backs off; a later event of the same order commits meanwhile.
      await dataSource.query('UPDATE outbox SET attempts = 1, next_attempt_at = NOW(3) + INTERVAL 1 SECOND WHERE id = ?', [confirmed!.id]);
      await outbox.transaction(async (_tx, emit) => emit(cancelled!));
      expect(await relay.publishBatch()).toBe(0);

      await eventually(async () => (await relay.publishBatch()) === 3, 5_000, 100);
      const messages = await readTopic(topic, (read) => read.length >= 4);
      const statuses = messages
        .filter((m) => m.key === orderId)
        .map((m) => (JSON.parse(m.value!) as { data: { status: string } }).data.status);
      expect(statuses).toEqual(['CONFIRMED', 'PACKED', 'CANCELLED']);
    });

    it('when the broker cannot be reached, then rows stay pending with their attempts counted and backed off, and go out once it can', async () => {
      const dataSource = await freshDatabase();
      const topic = uniqueName('relay-down');
      await topics.create(topic);
      const events = [orderUpdated(), orderUpdated(), orderUpdated()];
      const ids = events.map((e) => e.id);
      await new Outbox(dataSource, topic).transaction(async (_tx, emit) => events.forEach(emit));

      const unreachable = await unreachableProducer();
      const metrics = new Metrics('relay-down');
      const down = new OutboxRelay({ dataSource, producer: unreachable, logger, metrics, pollMs: 50 });
      const dbNow = async (): Promise<number> => (await dataSource.query('SELECT NOW(3) AS now'))[0].now.getTime();

      const beforeFirst = await dbNow();
      expect(await down.publishBatch()).toBe(0);
      let rows = await rowsOf(dataSource, ids);
      expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1]);
      for (const row of rows) {
        expect(row.published_at).toBeNull();
        expect(row.last_error).toEqual(expect.any(String));
      }
      const firstRetryAt = (await dataSource.query('SELECT MIN(next_attempt_at) AS at FROM outbox WHERE id IN (?)', [ids]))[0].at.getTime();
      expect(firstRetryAt).toBeGreaterThanOrEqual(beforeFirst + 200);

      // Not due yet: another round leaves them alone.
      expect(await down.publishBatch()).toBe(0);
      expect((await rowsOf(dataSource, ids)).map((r) => r.attempts)).toEqual([1, 1, 1]);

      // Due again, failing again: the wait doubles.
      await eventually(async () => (await dbNow()) >= firstRetryAt, 5_000, 20);
      const beforeSecond = await dbNow();
      expect(await down.publishBatch()).toBe(0);
      rows = await rowsOf(dataSource, ids);
      expect(rows.map((r) => r.attempts)).toEqual([2, 2, 2]);
      const secondRetryAt = (
        await dataSource.query('SELECT MIN(next_attempt_at) AS at FROM outbox WHERE id IN (?)', [ids])
      )[0].at.getTime();
      expect(secondRetryAt).toBeGreaterThanOrEqual(beforeSecond + 400);
      expect(await publishedCount(metrics, topic, 'failed')).toBe(2);
      expect(await down.backlog()).toBe(3);

      // The broker is reachable again: a relay with a working producer sends them once they are due.
      const up = new OutboxRelay({ dataSource, producer: await connectedProducer(), logger, metrics: new Metrics('relay-up'), pollMs: 50 });
      up.start();
      try {
        await eventually(async () => (await up.backlog()) === 0, 10_000, 50);
      } finally {
        await up.stop();
      }
      rows = await rowsOf(dataSource, ids);
      expect(rows.every((r) => r.published_at !== null && r.last_error === null)).toBe(true);
      expect(await messageCount(topics.admin, topic)).toBe(3);
      await unreachable.disconnect();
    });

    it('when a commit inside a request wakes it, then its rounds are its own: their log lines carry no request id', async () => {
      const dataSource = await freshDatabase();
      const { logger: relayLogger, lines } = memoryLogger('outbox-relay-test');
      const unreachable = await unreachableProducer();
      const relay = new OutboxRelay({ dataSource, producer: unreachable, logger: relayLogger, metrics: new Metrics('t'), pollMs: 10_000 });
      relay.start();
      try {
        // Let its first round find nothing, so the commit's wake starts the next one.
        await new Promise((r) => setTimeout(r, 300));
        const outbox = new Outbox(dataSource, uniqueName('relay-context'), () => relay.wake());
        await runWithContext({ requestId: 'req-relay-context', userId: 'user-relay-context' }, () =>
          outbox.transaction(async (_tx, emit) => emit(orderUpdated())),
        );
        const failed = await eventually(async () => lines().find((line) => line.msg === 'outbox publish failed; will retry'), 5_000, 20);
        expect(failed).not.toHaveProperty('requestId');
        expect(failed).not.toHaveProperty('userId');
      } finally {
        await relay.stop();
        await unreachable.disconnect();
      }
    });

    it('when stopped, then commits no longer wake it and stopping it again publishes nothing, until it is started again', async () => {
      const dataSource = await freshDatabase();
      const topic = uniqueName('relay-parked');
      await topics.create(topic);
      const relay = new OutboxRelay({ dataSource, producer: await connectedProducer(), logger, metrics: new Metrics('t'), pollMs: 50 });
      relay.start();
      await relay.stop();
      await new Outbox(dataSource, topic, () => relay.wake()).transaction(async (_tx, emit) => emit(orderUpdated()));
      // Several poll intervals: a relay still ticking would have sent it.
      await new Promise((r) => setTimeout(r, 300));
      expect(await relay.backlog()).toBe(1);
      await relay.stop();
      expect(await relay.backlog()).toBe(1);

      relay.start();
      try {
        await eventually(async () => (await relay.backlog()) === 0, 5_000, 20);
      } finally {
        await relay.stop();
      }
      expect(await messageCount(topics.admin, topic)).toBe(1);
    });

    it('when it runs, then its housekeeping keeps the backlog gauge current and deletes rows published more than a week ago', async () => {
      const dataSource = await freshDatabase();
      const [old, recent, waiting] = [orderUpdated(), orderUpdated(), orderUpdated()];
      await new Outbox(dataSource, uniqueName('relay-housekeeping')).transaction(async (_tx, emit) =>
        [old!, recent!, waiting!].forEach(emit),
      );
      await dataSource.query('UPDATE outbox SET published_at = NOW(3) - INTERVAL 8 DAY WHERE id = ?', [old!.id]);
      await dataSource.query('UPDATE outbox SET published_at = NOW(3) - INTERVAL 6 DAY WHERE id = ?', [recent!.id]);
      // Backing off after a failed send: pending, and not due while the test runs.
      await dataSource.query('UPDATE outbox SET attempts = 1, next_attempt_at = NOW(3) + INTERVAL 1 HOUR WHERE id = ?', [waiting!.id]);
      const metrics = new Metrics('relay-housekeeping');
      const relay = new OutboxRelay({
        dataSource,
        producer: await connectedProducer(),
        logger,
        metrics,
        pollMs: 50,
        retentionSweepMs: 200,
      });
      relay.start();
      try {
        await eventually(async () => (await metrics.outboxBacklog.get()).values[0]?.value === 1, 5_000, 20);
        await eventually(async () => (await rowsOf(dataSource, [old!.id])).length === 0, 5_000, 50);
      } finally {
        await relay.stop();
      }
      expect((await rowsOf(dataSource, [old!.id, recent!.id, waiting!.id])).map((r) => r.id)).toEqual([recent!.id, waiting!.id]);
    });

    it('when more rows are past their retention than one sweep deletes, then the sweep goes on batch after batch, not a batch per interval', async () => {
      const dataSource = await freshDatabase();
      const sweepMs = 3_000;
      // Two and a half sweeps' worth of rows published 8 days ago.
      const rows = Array.from({ length: 2_500 }, () => [randomUUID(), 'relay-retention', 'k', 'order.updated', '{}', '{}']);
      await dataSource.query(
        `INSERT INTO outbox (id, topic, message_key, event_type, payload, headers, published_at)
         VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, NOW(3) - INTERVAL 8 DAY)').join(', ')}`,
        rows.flat(),
      );
      const count = async () => Number((await dataSource.query('SELECT COUNT(*) AS n FROM outbox'))[0].n);
      const relay = new OutboxRelay({
        dataSource,
        producer: await connectedProducer(),
        logger,
        metrics: new Metrics('relay-retention'),
        pollMs: 50,
        retentionSweepMs: sweepMs,
      });
      relay.start();
      try {
        // The first sweep comes a whole interval after the start; all three batches go well before the next.
        await eventually(async () => (await count()) < 2_500, 2 * sweepMs, 50);
        await eventually(async () => (await count()) === 0, sweepMs, 50);
      } finally {
        await relay.stop();
      }
    });
  });
});
