import { randomBytes, randomUUID } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import {
  HEADERS,
  REPLAYED_HEADER,
  ensureTopics,
  handle,
  newEvent,
  replayDeadLetters,
  topicOnBroker,
  type CatalogEvent,
} from '@qc/shared/events';
import { PRODUCERS, SERVICES, deadLetterTopic, eventsTopic } from '@qc/shared/fleet';
import { createLogger } from '@qc/shared/logging';
import { defineService } from '@qc/shared/service';
import { eventually, rootQuery, startServiceUnderTest, testConsumerGroup, testKafka, type ServiceUnderTest } from '@qc/shared/testing';
import { readTopic } from './kafka-fixtures';

/**
 * KAFKA_TOPIC_PREFIX lets two fleets share one Kafka (the end-to-end tests run theirs beside `make
 * run`'s): a service started under a prefix creates, publishes on, reads and dead-letters to the
 * prefixed topics only. The service here publishes on `inventory.events` and consumes `order.events`
 * and, as notification- and delivery-service do, its own topic too (so its topics are new and
 * named twice when it starts); its handler only notes what it was given.
 */
jest.setTimeout(60_000);

describe('a service under a topic prefix (real Kafka)', () => {
  const prefix = `qct.${randomBytes(4).toString('hex')}.`;
  const logger = createLogger('topic-prefix-test', 'silent');
  const handled: string[] = [];
  const definition = defineService({
    name: 'inventory-service',
    consumes: {
      topics: [eventsTopic('order-service'), eventsTopic('inventory-service')],
      subscriptions: () => [handle('order.updated', async (event) => void handled.push(event.id))],
    },
  });
  const kafka = testKafka('topic-prefix-test');
  let admin: Admin;
  let producer: Producer;
  let underTest: ServiceUnderTest;

  const orderUpdated = () => {
    const orderId = randomUUID();
    return newEvent('order-service', 'order.updated', { orderId, status: 'CONFIRMED' }, { subject: orderId });
  };
  const publish = (topic: string, event: CatalogEvent) =>
    producer.send({ topic, messages: [{ key: event.subject, value: JSON.stringify(event) }] });

  beforeAll(async () => {
    admin = kafka.admin();
    producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    underTest = await startServiceUnderTest(definition, { env: { KAFKA_TOPIC_PREFIX: prefix } });
  });

  afterAll(async () => {
    await underTest?.stop();
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    const replayGroups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((group) => group.startsWith(prefix));
    if (replayGroups.length > 0) await admin.deleteGroups(replayGroups);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  it('when it starts, then its own, its dead-letter and its consumed topics are created under the prefix', async () => {
    const ours = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix)).sort();
    expect(ours).toEqual([`${prefix}dlq.inventory-service`, `${prefix}inventory.events`, `${prefix}order.events`]);
  });

  it('when it publishes through its outbox, then the event is on <prefix>inventory.events', async () => {
    const orderId = randomUUID();
    const event = newEvent('inventory-service', 'inventory.released', { orderId, reservationId: randomUUID() }, { subject: orderId });
    await underTest.service.deps.outbox.transaction(async (_tx, emit) => emit(event));

    const messages = await readTopic(`${prefix}inventory.events`, (seen) => seen.some((m) => m.eventId === event.id));
    expect(messages.find((m) => m.eventId === event.id)).toMatchObject({ key: orderId });
    const rows = (await rootQuery(`SELECT topic FROM \`${underTest.schema.name}\`.outbox WHERE id = ?`, [event.id])) as { topic: string }[];
    expect(rows).toEqual([{ topic: `${prefix}inventory.events` }]);
  });

  it('when events arrive on the unprefixed and on the prefixed topic, then it consumes the prefixed one only', async () => {
    const elsewhere = orderUpdated();
    const ours = orderUpdated();
    await publish(eventsTopic('order-service'), elsewhere);
    await publish(`${prefix}order.events`, ours);

    await eventually(async () => handled.includes(ours.id));
    // Had it read the unprefixed topic, the event published there first would have come within as long.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(handled).not.toContain(elsewhere.id);
    // Its group has never read the unprefixed topic (no committed offset on any partition).
    const [unprefixed] = await admin.fetchOffsets({ groupId: testConsumerGroup(underTest.schema), topics: [eventsTopic('order-service')] });
    expect(unprefixed!.partitions.every((p) => p.offset === '-1')).toBe(true);
  });

  it('when a whole fleet starts together under a new prefix, then each service creates or finds every topic it names', async () => {
    // As runService names them: its own, its dead letters', and (the consumers') every other producer's.
    const fleetPrefix = `${prefix}fleet.`;
    const admins = SERVICES.map(() => kafka.admin());
    await Promise.all(admins.map((a) => a.connect()));
    try {
      const named = SERVICES.map((spec) =>
        [eventsTopic(spec.name), deadLetterTopic(spec.name), ...PRODUCERS.map((p) => eventsTopic(p.name))].map((t) =>
          topicOnBroker(fleetPrefix, t),
        ),
      );
      await Promise.all(admins.map((a, i) => ensureTopics(a, named[i]!)));
      const ours = (await admin.listTopics()).filter((topic) => topic.startsWith(fleetPrefix));
      expect(ours.sort()).toEqual([...new Set(named.flat())].sort());
    } finally {
      await Promise.all(admins.map((a) => a.disconnect()));
    }
  });

  it('when a message it cannot read arrives, then the dead letter goes to <prefix>dlq.inventory-service and replays under the prefix', async () => {
    await producer.send({ topic: `${prefix}order.events`, messages: [{ key: 'unreadable', value: 'not a cloud event' }] });

    const [letter] = await readTopic(`${prefix}dlq.inventory-service`, (seen) => seen.length >= 1);
    expect(letter!.headers).toMatchObject({ [HEADERS.dlqTopic]: `${prefix}order.events`, [HEADERS.dlqConsumer]: 'inventory-service' });

    // Replayed to the prefixed topic it came from, it is dead-lettered there again, marked as replayed.
    expect(await replayDeadLetters(kafka, 'inventory-service', logger, { topicPrefix: prefix })).toBe(1);
    const letters = await readTopic(`${prefix}dlq.inventory-service`, (seen) => seen.length >= 2);
    expect(letters.map((m) => m.headers[REPLAYED_HEADER])).toEqual([undefined, `${prefix}dlq.inventory-service`]);
  });
});
