import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Producer } from 'kafkajs';
import request from 'supertest';
import { newEvent, type CatalogEvent, type EventData } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { runService, type RunningService } from '@qc/shared/service';
import {
  eventually,
  rootQuery,
  startServiceUnderTest,
  testConsumerGroup,
  testKafka,
  testServiceEnv,
  type TestSchema,
  type TestTokenIssuer,
} from '@qc/shared/testing';
import type { DeliverySettings } from '../src/config';
import { definition } from '../src/service';

/** delivery-service on its own schema and Redis key prefix, with a token issuer standing in for user-service. */
export interface DeliveryUnderTest {
  schema: TestSchema;
  service: RunningService<DeliverySettings>;
  issuer: TestTokenIssuer;
  api: () => ReturnType<typeof request>;
  admin: string;
  /** A bearer token of a customer (a new one, or the user given). */
  customer(userId?: string): string;
  /** Another instance of the same service: same schema, Redis prefix and consumer group. */
  startReplica(): Promise<RunningService<DeliverySettings>>;
  /** Publishes events to their topics on the real broker. */
  publish(...events: CatalogEvent[]): Promise<void>;
  stop(): Promise<void>;
}

export interface DeliveryOptions {
  /** Names the throwaway schema. */
  label: string;
  /** Settings on top of the test environment's. */
  env?: Record<string, string>;
}

export async function startDeliveryService(options: DeliveryOptions): Promise<DeliveryUnderTest> {
  const env = { REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`, ...options.env };
  const { schema, service, issuer, stop } = await startServiceUnderTest(definition, { label: options.label, env });
  const producer: Producer = testKafka(`delivery-test-${options.label}`).producer();
  await producer.connect();
  const replicas: RunningService<DeliverySettings>[] = [];
  return {
    schema,
    service,
    issuer,
    api: () => request(service.server),
    admin: issuer.bearer({ role: 'admin', expiresInSeconds: 900 }),
    customer: (userId = randomUUID()) => issuer.bearer({ role: 'customer', userId, expiresInSeconds: 900 }),
    startReplica: async () => {
      const replica = await runService(definition, testServiceEnv(schema, { JWKS_URL: issuer.jwksUrl, ...env }));
      replicas.push(replica);
      await groupSettled(testConsumerGroup(schema), replicas.length + 1);
      return replica;
    },
    publish: async (...events) => {
      for (const event of events) {
        await producer.send({
          topic: eventsTopic(event.source.slice(1)),
          messages: [{ key: event.subject, value: JSON.stringify(event) }],
        });
      }
    },
    stop: async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await producer.disconnect();
      await stop();
    },
  };
}

/**
 * Waits until the consumer group has `members` members and has finished rebalancing, so events
 * published next are read at once rather than after the rebalance.
 */
async function groupSettled(groupId: string, members: number): Promise<void> {
  const admin = testKafka('delivery-test-group').admin();
  await admin.connect();
  try {
    await eventually(
      async () => {
        const [group] = (await admin.describeGroups([groupId])).groups;
        return group?.state === 'Stable' && group.members.length === members;
      },
      60_000,
      250,
    );
  } finally {
    await admin.disconnect();
  }
}

export const KORAMANGALA = { lat: 12.9352, lng: 77.6245 };

/** inventory's announcement of a store at `at`. */
export function storeUpdated(storeId: string, at = KORAMANGALA, preparationMinutes = 4): CatalogEvent<'inventory.store_updated'> {
  return newEvent(
    'inventory-service',
    'inventory.store_updated',
    { storeId, name: 'QC Test Store', ...at, preparationMinutes, opensAt: '06:00', closesAt: '02:00', active: true },
    { subject: storeId },
  );
}

/** A store the service knows the position of (announced through the broker, then waited for). */
export async function aKnownStore(delivery: DeliveryUnderTest, at = KORAMANGALA): Promise<string> {
  const storeId = randomUUID();
  await delivery.publish(storeUpdated(storeId, at));
  await eventually(async () => {
    const rows = (await rootQuery(`SELECT lat FROM \`${delivery.schema.name}\`.stores WHERE id = ?`, [storeId])) as { lat: unknown }[];
    return rows[0]?.lat !== null && rows[0] !== undefined;
  });
  return storeId;
}

export interface ConfirmedOrder {
  orderId: string;
  userId: string;
  event: CatalogEvent<'order.confirmed'>;
}

/** order-service's order.confirmed for a new order at the store, dropped off 2 km north-east. */
export function orderConfirmed(storeId: string, overrides: Partial<EventData<'order.confirmed'>> = {}): ConfirmedOrder {
  const orderId = randomUUID();
  const userId = randomUUID();
  const data: EventData<'order.confirmed'> = {
    orderId,
    userId,
    storeId,
    items: [{ productId: randomUUID(), quantity: 2 }],
    total: { amount: 24_900, currency: 'INR' },
    paymentMethod: 'UPI',
    dropoff: { lat: KORAMANGALA.lat + 0.013, lng: KORAMANGALA.lng + 0.013 },
    ...overrides,
  };
  return {
    orderId: data.orderId,
    userId: data.userId,
    event: newEvent('order-service', 'order.confirmed', data, { subject: data.orderId }),
  };
}

/** order-service's order.cancelled for the order. */
export function orderCancelled(order: ConfirmedOrder, reason = 'CUSTOMER_CANCELLED'): CatalogEvent<'order.cancelled'> {
  const data = { orderId: order.orderId, userId: order.userId, reason, paid: true, storeId: order.event.data.storeId };
  return newEvent('order-service', 'order.cancelled', data, { subject: order.orderId });
}

/** order-service's order.completed for the order (an admin marked it DELIVERED, or the rider's hand-over did). */
export function orderCompleted(order: ConfirmedOrder, deliveredAt = new Date()): CatalogEvent<'order.completed'> {
  const data = { orderId: order.orderId, userId: order.userId, deliveredAt: deliveredAt.toISOString() };
  return newEvent('order-service', 'order.completed', data, { subject: order.orderId });
}

export interface TestPartner {
  id: string;
  userId: string;
  token: string;
}

/** A partner of the store, onboarded by an admin; online at `at` (or at the store) unless `online` is false. */
export async function aPartner(
  delivery: DeliveryUnderTest,
  storeId: string,
  { at, online = true }: { at?: { lat: number; lng: number }; online?: boolean } = {},
): Promise<TestPartner> {
  const userId = randomUUID();
  const res = await delivery
    .api()
    .post('/api/v1/partners')
    .set('authorization', delivery.admin)
    .send({ userId, name: 'Ravi Kumar', phone: '+919812345678', storeId, vehicle: 'EV_SCOOTER' });
  if (res.status !== 201) throw new Error(`partner not onboarded: ${res.status} ${res.text}`);
  const token = delivery.issuer.bearer({ role: 'delivery_partner', userId, expiresInSeconds: 900 });
  if (online) {
    const on = await delivery
      .api()
      .post('/api/v1/partners/me/online')
      .set('authorization', token)
      .send(at ?? {});
    if (on.status !== 200) throw new Error(`partner not online: ${on.status} ${on.text}`);
  }
  return { id: res.body.data.id, userId, token };
}

/** The delivery of an order once the service has it (it arrives through the broker). */
export async function deliveryOf(delivery: DeliveryUnderTest, order: ConfirmedOrder, token = delivery.customer(order.userId)) {
  return eventually(async () => {
    const res = await delivery.api().get(`/api/v1/deliveries/${order.orderId}`).set('authorization', token);
    return res.status === 200 && (res.body.data as Record<string, unknown> & { status: string; otp: string | null });
  });
}

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

export interface SseClient {
  status: number;
  events: SseEvent[];
  /** Waits until an event matches. */
  next(match: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  ended: Promise<void>;
  close(): void;
}

/** Opens an event stream on the service and parses what arrives; a non-200 answer is returned with no events. */
export function openStream(server: Server, path: string, token: string, lastEventId?: string): Promise<SseClient> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, headers: { authorization: token, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } },
      (res: IncomingMessage) => {
        const events: SseEvent[] = [];
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = new Map<string, string>();
            for (const line of block.split('\n')) {
              const colon = line.indexOf(':');
              if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
            }
            if (fields.has('data')) {
              events.push({ id: fields.get('id'), event: fields.get('event') ?? 'message', data: JSON.parse(fields.get('data')!) });
            }
          }
        });
        const ended = new Promise<void>((done) => res.once('close', () => done()));
        resolve({
          status: res.statusCode ?? 0,
          events,
          next: (match, timeoutMs = 20_000) => eventually(async () => events.find(match), timeoutMs, 25),
          ended,
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    req.end();
  });
}
