import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createDataSource, migrate, type DataSource } from '@qc/shared/db';
import {
  HEADERS,
  Outbox,
  OutboxRelay,
  createKafka,
  newEvent,
  replayDeadLetters,
  type CatalogEvent,
  type EventData,
  type EventType,
} from '@qc/shared/events';
import { PRODUCERS, deadLetterTopic, eventsTopic } from '@qc/shared/fleet';
import { createLogger } from '@qc/shared/logging';
import { Metrics } from '@qc/shared/metrics';
import { TEST_KAFKA_BROKERS, createTestSchema, eventually, rootQuery, skipHistory, testKafka, type TestSchema } from '@qc/shared/testing';
import type { Consumer, Producer } from 'kafkajs';
import { startAnalyticsService, type AnalyticsUnderTest } from '../fixtures';

/**
 * Proof that the event pipeline is real (issue 2 §6): outboxes → relay → the real Kafka broker →
 * analytics-service's consumer → its raw event store, exactly once, with dead letters and replay.
 */
const id = () => crypto.randomUUID();
const money = { amount: 4999, currency: 'INR' as const };

/** One valid event of each producing service, built fresh so each test owns its ids. */
function sampleEvents(): Record<string, CatalogEvent> {
  const make = <T extends EventType>(source: string, type: T, data: EventData<T>) => newEvent(source, type, data, { subject: id() });
  const samples = [
    make('user-service', 'user.registered', { userId: id(), email: 'asha@example.com', role: 'customer' }),
    make('product-service', 'product.created', { productId: id(), sku: 'MILK-1L', name: 'Toned milk 1 L', price: money, mrp: money }),
    make('inventory-service', 'inventory.updated', { storeId: id(), productId: id(), onHand: 40, reserved: 2, reason: 'restock' }),
    make('order-service', 'order.created', {
      orderId: id(),
      userId: id(),
      storeId: id(),
      items: [{ productId: id(), quantity: 2, unitPrice: money }],
      total: money,
      paymentMethod: 'COD',
    }),
    make('cart-service', 'cart.updated', { cartId: id(), userId: id(), items: [{ productId: id(), quantity: 1 }] }),
    make('payment-service', 'payment.initiated', { paymentId: id(), orderId: id(), amount: money, method: 'UPI' }),
    make('delivery-service', 'delivery.scheduled', { deliveryId: id(), orderId: id(), partnerId: id(), etaMinutes: 9 }),
    make('notification-service', 'notification.sent', { notificationId: id(), channel: 'sms', template: 'order-confirmed' }),
    make('location-service', 'location.validated', { lat: 12.9716, lng: 77.5946, serviceable: true }),
  ];
  return Object.fromEntries(samples.map((e) => [e.source.slice(1), e]));
}

describe('event pipeline through the real broker', () => {
  const logger = createLogger('pipeline-test', 'silent');
  let analytics: AnalyticsUnderTest;
  let producerSchema: TestSchema;
  let producerDb: DataSource;
  let kafkaProducer: Producer;

  const storedIds = async (ids: string[]): Promise<string[]> =>
    (
      (await rootQuery(`SELECT event_id FROM \`${analytics.schema.name}\`.raw_events WHERE event_id IN (?)`, [ids])) as {
        event_id: string;
      }[]
    ).map((r) => r.event_id);

  beforeAll(async () => {
    [analytics, producerSchema] = await Promise.all([startAnalyticsService(), createTestSchema('producers')]);
    producerDb = createDataSource({ url: producerSchema.url, poolSize: 4 });
    await producerDb.initialize();
    await migrate(producerDb);
    kafkaProducer = testKafka('pipeline-test').producer();
    await kafkaProducer.connect();
  }, 60_000);

  afterAll(async () => {
    await analytics?.stop();
    await kafkaProducer?.disconnect();
    await producerDb?.destroy();
    await producerSchema?.drop();
  }, 30_000);

  it('when someone other than an admin reads the raw events, then 401 without a token and 403 for a customer', async () => {
    expect((await analytics.api().get('/api/v1/analytics/events')).status).toBe(401);
    expect((await analytics.api().get('/api/v1/analytics/events').set('authorization', analytics.customer)).status).toBe(403);
    expect((await analytics.api().get('/api/v1/analytics/events').set('authorization', analytics.admin)).status).toBe(200);
  });

  it('when any service writes an event to its outbox, then it arrives once in analytics through the API', async () => {
    const samples = sampleEvents();
    expect(Object.keys(samples).sort()).toEqual(PRODUCERS.map((s) => s.name).sort());
    const producer = createKafka('pipeline-relay', TEST_KAFKA_BROKERS.split(','), logger).producer();
    await producer.connect();
    const relay = new OutboxRelay({ dataSource: producerDb, producer, logger, metrics: new Metrics('pipeline-relay'), pollMs: 100 });
    relay.start();
    try {
      for (const [service, event] of Object.entries(samples)) {
        await new Outbox(producerDb, eventsTopic(service), () => relay.wake()).transaction(async (_tx, emit) => emit(event));
      }
      for (const event of Object.values(samples)) {
        const res = await eventually(async () => {
          const page = await analytics
            .api()
            .get('/api/v1/analytics/events')
            .set('authorization', analytics.admin)
            .query({ type: event.type, limit: 100 });
          return page.body.data.some((e: { eventId: string }) => e.eventId === event.id) && page;
        }, 20_000);
        expect(res.body.data.find((e: { eventId: string }) => e.eventId === event.id)).toMatchObject({
          type: event.type,
          source: event.source,
          subject: event.subject,
          correlationId: event.correlationid,
          data: event.data,
        });
      }
      expect(await storedIds(Object.values(samples).map((e) => e.id))).toHaveLength(PRODUCERS.length);
    } finally {
      await relay.stop();
      await producer.disconnect();
    }
  }, 60_000);

  it('when an event carries a secret meant for one consumer, then analytics stores it without the secret', async () => {
    const event = newEvent(
      'user-service',
      'user.otp_requested',
      { phone: '+919812345678', code: '482913', expiresAt: new Date(Date.now() + 300_000).toISOString() },
      { subject: id() },
    );
    await kafkaProducer.send({ topic: eventsTopic('user-service'), messages: [{ key: event.subject, value: JSON.stringify(event) }] });
    const page = await eventually(async () => {
      const res = await analytics
        .api()
        .get('/api/v1/analytics/events')
        .set('authorization', analytics.admin)
        .query({ type: 'user.otp_requested', limit: 100 });
      return res.body.data.some((e: { eventId: string }) => e.eventId === event.id) && res;
    }, 20_000);
    const stored = page.body.data.find((e: { eventId: string }) => e.eventId === event.id);
    expect(stored.data).toEqual({ phone: '+919812345678', expiresAt: event.data.expiresAt });
    expect(JSON.stringify(page.body)).not.toContain('482913');
  }, 30_000);

  it('when a relay is killed mid-batch and restarted, then analytics holds every event exactly once', async () => {
    const total = 3000;
    const topic = eventsTopic('order-service');
    const outbox = new Outbox(producerDb, topic);
    const ids: string[] = [];
    for (let chunk = 0; chunk < total / 500; chunk++) {
      await outbox.transaction(async (_tx, emit) => {
        for (let i = 0; i < 500; i++) {
          const event = newEvent('order-service', 'order.updated', { orderId: id(), status: 'CONFIRMED' }, { subject: id() });
          ids.push(event.id);
          emit(event);
        }
      });
    }
    const admin = testKafka('pipeline-offsets').admin();
    await admin.connect();
    const published = async () => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    const before = await published();

    const env = { ...process.env, MYSQL_URL: producerSchema.url, KAFKA_BROKERS: TEST_KAFKA_BROKERS, BATCH_SIZE: '500' };
    const startRelay = async (): Promise<ChildProcess> => {
      const child = fork(join(__dirname, '../fixtures/relay-process.js'), { env, stdio: 'inherit' });
      await new Promise((resolve, reject) => child.once('message', resolve).once('exit', reject));
      return child;
    };
    try {
      const first = await startRelay();
      // Kill it the moment its first batch reaches the broker, before it can mark the batch sent.
      await eventually(async () => (await published()) > before, 20_000, 2);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      const [left] = (await rootQuery(`SELECT COUNT(*) AS pending FROM \`${producerSchema.name}\`.outbox WHERE published_at IS NULL`)) as {
        pending: number;
      }[];
      expect(Number(left?.pending)).toBeGreaterThan(0);

      const second = await startRelay();
      try {
        await eventually(async () => (await storedIds(ids)).length === total, 60_000, 250);
      } finally {
        second.kill('SIGTERM');
      }
      const stored = await storedIds(ids);
      expect(new Set(stored).size).toBe(total);
      expect(stored).toHaveLength(total);
      // At-least-once on the wire: whatever the killed relay sent twice was stored once.
      expect((await published()) - before).toBeGreaterThanOrEqual(total);
    } finally {
      await admin.disconnect();
    }
  }, 120_000);

  describe('dead letters', () => {
    let dlqReader: Consumer;
    const deadLetters: { id: string; headers: Record<string, string> }[] = [];

    beforeAll(async () => {
      const groupId = `test.dlq-reader.${analytics.schema.name}`;
      await skipHistory(groupId, [deadLetterTopic('analytics-service')]);
      // A short fetch wait: disconnecting waits for the fetch in flight (kafkajs' default is 5 s).
      dlqReader = testKafka('pipeline-dlq-reader').consumer({ groupId, maxWaitTimeInMs: 100 });
      await dlqReader.connect();
      await dlqReader.subscribe({ topics: [deadLetterTopic('analytics-service')] });
      await dlqReader.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          deadLetters.push({ id: JSON.parse(message.value!.toString()).id, headers });
        },
      });
    }, 30_000);

    afterAll(() => dlqReader?.disconnect(), 30_000);

    it('when a message breaks its contract, then it lands in dlq.analytics-service with its error and the consumer keeps going', async () => {
      const key = id();
      const broken = {
        ...newEvent('order-service', 'order.updated', { orderId: key, status: 'PENDING' }, { subject: key }),
        data: { orderId: 'not-a-uuid' },
      };
      const next = newEvent('order-service', 'order.updated', { orderId: key, status: 'CANCELLED' }, { subject: key });
      await kafkaProducer.send({
        topic: eventsTopic('order-service'),
        messages: [broken, next].map((e) => ({ key, value: JSON.stringify(e), headers: { [HEADERS.requestId]: 'dlq-test' } })),
      });

      await eventually(async () => (await storedIds([next.id])).length === 1, 20_000);
      const letter = await eventually(async () => deadLetters.find((d) => d.id === broken.id), 20_000);
      expect(letter.headers[HEADERS.dlqError]).toMatch(/order\.updated data breaks its contract: orderId/);
      expect(letter.headers[HEADERS.dlqTopic]).toBe('order.events');
      expect(letter.headers[HEADERS.dlqConsumer]).toBe('analytics-service');
      expect(Number(letter.headers[HEADERS.dlqOffset])).toBeGreaterThanOrEqual(0);
      expect(letter.headers[HEADERS.requestId]).toBe('dlq-test');
      expect(await storedIds([broken.id])).toHaveLength(0);
    }, 60_000);

    it('when the store failed until the event was dead-lettered, then replaying the dead letter stores it', async () => {
      const event = newEvent(
        'payment-service',
        'payment.failed',
        { paymentId: id(), orderId: id(), reason: 'card declined' },
        { subject: id() },
      );
      await rootQuery(`RENAME TABLE \`${analytics.schema.name}\`.raw_events TO \`${analytics.schema.name}\`.raw_events_away`);
      try {
        await kafkaProducer.send({
          topic: eventsTopic('payment-service'),
          messages: [{ key: event.subject, value: JSON.stringify(event) }],
        });
        const letter = await eventually(async () => deadLetters.find((d) => d.id === event.id), 30_000);
        expect(letter.headers[HEADERS.dlqAttempts]).toBe('5');
      } finally {
        await rootQuery(`RENAME TABLE \`${analytics.schema.name}\`.raw_events_away TO \`${analytics.schema.name}\`.raw_events`);
      }
      expect(await storedIds([event.id])).toHaveLength(0);

      const replayed = await replayDeadLetters(
        createKafka('pipeline-replay', TEST_KAFKA_BROKERS.split(','), logger),
        'analytics-service',
        logger,
      );
      expect(replayed).toBeGreaterThanOrEqual(1);
      await eventually(async () => (await storedIds([event.id])).length === 1, 20_000);
    }, 90_000);
  });
});
