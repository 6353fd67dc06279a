/**
 * `npm run bench:analytics`: freshness of the analytics rollups (issue 16: an event is reflected
 * within 5 s at p99). Starts the compiled analytics-service (`npm run build` first) on a throwaway
 * schema, then publishes ORDERS orders to the real Kafka broker at RATE orders/s, each the full
 * story of events (cart, order created, payment, confirmation, delivery scheduled/started/completed,
 * order completed: 9 events) at its own store. A reader polls `GET /api/v1/analytics/stores` every
 * POLL_MS, as the dashboard would; an order is fresh when its store's row shows it delivered with its
 * GMV. Freshness = that poll's answer time minus the moment its last event was sent. Prints
 * p50/p90/p99/max, writes bench/results/analytics-freshness-*.json. Figures, never pass/fail.
 * Needs MySQL/MariaDB, Redis and Kafka.
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { newEvent, ownerOf, type CatalogEvent, type EventData, type EventType } from '@qc/shared/events';
import { eventsTopic, domainEventTopics } from '@qc/shared/fleet';
import { TestTokenIssuer, createTestSchema, skipHistory, testConsumerGroup, testKafka, testServiceEnv } from '@qc/shared/testing';
import { saveResults } from '../lib/load.ts';

const ORDERS = Number(process.env.ORDERS ?? 300);
const RATE = Number(process.env.RATE ?? 10);
const POLL_MS = Number(process.env.POLL_MS ?? 100);
const root = resolve(import.meta.dirname, '../..');

const id = () => crypto.randomUUID();
const inr = (amount: number) => ({ amount, currency: 'INR' as const });
const event = <T extends EventType>(type: T, data: EventData<T>, subject: string): CatalogEvent<T> =>
  newEvent(ownerOf(type), type, data, { subject });

function orderEvents(storeId: string, total: number): CatalogEvent[] {
  const [orderId, userId, paymentId, deliveryId, partnerId, productId] = [id(), id(), id(), id(), id(), id()];
  const items = [{ productId, quantity: 1 }];
  return [
    event('cart.updated', { cartId: id(), userId, items, storeId }, userId),
    event(
      'order.created',
      { orderId, userId, storeId, items: [{ productId, quantity: 1, unitPrice: inr(total) }], total: inr(total), paymentMethod: 'UPI' },
      orderId,
    ),
    event('payment.initiated', { paymentId, orderId, amount: inr(total), method: 'UPI' }, paymentId),
    event('payment.completed', { paymentId, orderId, amount: inr(total), method: 'UPI' }, paymentId),
    event('order.confirmed', { orderId, userId, storeId, items, total: inr(total) }, orderId),
    event('delivery.scheduled', { deliveryId, orderId, partnerId, etaMinutes: 10 }, deliveryId),
    event('delivery.started', { deliveryId, orderId, partnerId }, deliveryId),
    event('delivery.completed', { deliveryId, orderId, partnerId, deliveredAt: new Date().toISOString() }, deliveryId),
    event('order.completed', { orderId, userId, deliveredAt: new Date().toISOString() }, orderId),
  ];
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const [schema, issuer] = await Promise.all([createTestSchema('bench-analytics'), TestTokenIssuer.start()]);
  await skipHistory(testConsumerGroup(schema), domainEventTopics());
  const port = 20_090;
  const env = testServiceEnv(schema, {
    PORT: String(port),
    JWKS_URL: issuer.jwksUrl,
    PRODUCT_SERVICE_URL: 'http://127.0.0.1:2',
    INVENTORY_SERVICE_URL: 'http://127.0.0.1:2',
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
  });
  const service = spawn(process.execPath, [join(root, 'analytics-service/dist/main.js')], {
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  const api = `http://127.0.0.1:${port}`;
  const producer = testKafka('bench-analytics').producer();
  try {
    for (let ready = false; !ready; await new Promise((r) => setTimeout(r, 200))) {
      ready = await fetch(`${api}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
    }
    await producer.connect();
    const token = issuer.bearer({ role: 'analyst', expiresInSeconds: 900 });
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const sentAt = new Map<string, { at: number; total: number }>();
    const freshAfter = new Map<string, number>();

    let publishing = true;
    const reader = (async () => {
      while (publishing || freshAfter.size < sentAt.size) {
        const to = new Date(Date.now() + 3_600_000).toISOString();
        const res = await fetch(`${api}/api/v1/analytics/stores?${new URLSearchParams({ from, to, granularity: 'hour' })}`, {
          headers: { authorization: token },
        });
        const answeredAt = performance.now();
        const body = (await res.json()) as { data: { rows: { storeId: string; delivered: number; gmv: number }[] } };
        for (const row of body.data.rows) {
          const sent = sentAt.get(row.storeId);
          if (sent && !freshAfter.has(row.storeId) && row.delivered === 1 && row.gmv === sent.total)
            freshAfter.set(row.storeId, answeredAt - sent.at);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    })();

    const started = performance.now();
    for (let n = 0; n < ORDERS; n++) {
      const due = started + (n * 1000) / RATE;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      const storeId = id();
      const total = 10_000 + n;
      const events = orderEvents(storeId, total);
      await producer.sendBatch({
        topicMessages: events.map((e) => ({
          topic: eventsTopic(ownerOf(e.type)),
          messages: [{ key: e.subject, value: JSON.stringify(e) }],
        })),
      });
      sentAt.set(storeId, { at: performance.now(), total });
    }
    publishing = false;
    await Promise.race([reader, new Promise((r) => setTimeout(r, 60_000))]);

    const latencies = [...freshAfter.values()].sort((a, b) => a - b);
    const figures = {
      orders: ORDERS,
      eventsPerOrder: 9,
      ratePerSecond: RATE,
      pollMs: POLL_MS,
      reflected: latencies.length,
      p50Ms: Math.round(quantile(latencies, 0.5)),
      p90Ms: Math.round(quantile(latencies, 0.9)),
      p99Ms: Math.round(quantile(latencies, 0.99)),
      maxMs: Math.round(latencies.at(-1)!),
    };
    console.log(
      `\nNode ${process.versions.node}, ${cpus().length} CPUs; ${ORDERS} orders (${ORDERS * 9} events) at ${RATE} orders/s, polled every ${POLL_MS} ms`,
    );
    console.log(
      `reflected ${figures.reflected}/${ORDERS}: p50 ${figures.p50Ms} ms   p90 ${figures.p90Ms} ms   p99 ${figures.p99Ms} ms   max ${figures.maxMs} ms`,
    );
    console.log(`target p99 <= 5000 ms: ${figures.reflected === ORDERS && figures.p99Ms <= 5_000 ? 'met' : 'MISSED'}`);
    saveResults('analytics-freshness', {
      node: process.versions.node,
      cpus: cpus().length,
      ...figures,
      latenciesMs: latencies.map(Math.round),
    });
  } finally {
    await producer.disconnect();
    service.kill('SIGTERM');
    await new Promise((r) => service.once('exit', r));
    await Promise.all([schema.drop(), issuer.close()]);
  }
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exitCode = 1;
});
