/**
 * `npm run bench:tracking`: live tracking fan-out held by one delivery-service process. Starts the
 * service (built, as `make run` runs it) on a throwaway schema and Redis prefix, with RIDERS riders
 * each on a picked-up delivery and SUBSCRIBERS customer streams spread over those deliveries; then
 * every rider reports a position once a second (spread over the second) for DURATION_S seconds.
 * Measures, for every position event every stream receives, the delay from the report reaching the
 * service (the event's `at`) to the frame arriving at the subscriber: report → Redis stream + pub/sub
 * → the service's subscriber connection → every stream of that order. Prints figures and saves them
 * to bench/results; never fails on them (DESIGN §9). Targets: ≥ 2 000 subscribers, p99 < 200 ms.
 * Needs `npm run build`, MariaDB/MySQL, Redis and Kafka. Knobs: RIDERS (200), SUBSCRIBERS (2000), DURATION_S (30).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { newEvent } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { TestTokenIssuer, createTestSchema, eventually, rootQuery, skipHistory, testKafka } from '@qc/shared/testing';
import { saveResults } from '../lib/load.ts';

const RIDERS = Number(process.env.RIDERS ?? 200);
const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 2_000);
const DURATION_S = Number(process.env.DURATION_S ?? 30);
const PORT = 28_087;
const root = resolve(import.meta.dirname, '../..');
const base = `http://127.0.0.1:${PORT}`;
const store = { lat: 12.9352, lng: 77.6245 };

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

/** The few fields of the answers the bench reads. */
interface Answer {
  status: number;
  data?: { activeDelivery?: { orderId: string } };
}

async function call(method: string, path: string, token: string, body?: object): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: token, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  const text = await res.text();
  return { status: res.status, data: text ? JSON.parse(text).data : undefined };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** CPU seconds (user + system) and RSS of a process, from /proc. */
function processUsage(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rssPages = Number(stat[21]);
  return { cpuSeconds: ticks / 100, rssMb: (rssPages * 4096) / 1024 / 1024 };
}

async function main(): Promise<void> {
  const [schema, issuer] = await Promise.all([createTestSchema('bench_tracking'), TestTokenIssuer.start()]);
  const groupId = `bench.tracking.${schema.name}`;
  const topics = [eventsTopic('order-service'), eventsTopic('inventory-service'), eventsTopic('delivery-service')];
  await skipHistory(groupId, topics);
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(PORT),
    HOST: '127.0.0.1',
    MYSQL_URL: schema.url,
    REDIS_KEY_PREFIX: `bench:${randomBytes(4).toString('hex')}:`,
    KAFKA_CONSUMER_GROUP: groupId,
    JWKS_URL: issuer.jwksUrl,
    DELIVERY_OTP_KEY: randomBytes(32).toString('hex'),
    LOCATION_MIN_INTERVAL_MS: '500',
  };
  const logDir = join(root, '.infra', 'logs');
  mkdirSync(logDir, { recursive: true });
  const log = openSync(join(logDir, 'bench-tracking.log'), 'a');
  const service = spawn(process.execPath, [join(root, 'delivery-service/dist/main.js')], { env, stdio: ['ignore', log, log] });
  const producer = testKafka('bench-tracking').producer();
  const streams: { close: () => void }[] = [];
  try {
    await eventually(async () => (await fetch(`${base}/health/ready`)).status === 200, 60_000, 250);
    await producer.connect();
    const admin = issuer.bearer({ role: 'admin', expiresInSeconds: 900 });

    // A store, RIDERS partners online at it, RIDERS orders: each partner gets one and picks it up.
    const storeId = randomUUID();
    const storeEvent = newEvent(
      'inventory-service',
      'inventory.store_updated',
      { storeId, name: 'Bench store', ...store, preparationMinutes: 4, opensAt: '00:00', closesAt: '23:59', active: true },
      { subject: storeId },
    );
    await producer.send({ topic: eventsTopic('inventory-service'), messages: [{ key: storeId, value: JSON.stringify(storeEvent) }] });
    await eventually(
      async () => ((await rootQuery(`SELECT lat FROM \`${schema.name}\`.stores WHERE lat IS NOT NULL`)) as unknown[]).length === 1,
      60_000,
    );
    const riders: { token: string; orderId: string; userId: string; step: number }[] = [];
    for (let i = 0; i < RIDERS; i++) {
      const userId = randomUUID();
      const onboard = await call('POST', '/api/v1/partners', admin, {
        userId,
        name: `Bench rider ${i}`,
        phone: '+919800000000',
        storeId,
        vehicle: 'SCOOTER',
      });
      if (onboard.status !== 201) throw new Error(`onboarding answered ${onboard.status}`);
      const token = issuer.bearer({ role: 'delivery_partner', userId, expiresInSeconds: 900 });
      await call('POST', '/api/v1/partners/me/online', token, {
        lat: store.lat + (i % 20) * 0.0005,
        lng: store.lng + Math.floor(i / 20) * 0.0005,
      });
      riders.push({ token, orderId: '', userId: '', step: 0 });
    }
    const orders = Array.from({ length: RIDERS }, () => {
      const orderId = randomUUID();
      const userId = randomUUID();
      return newEvent(
        'order-service',
        'order.confirmed',
        {
          orderId,
          userId,
          storeId,
          items: [{ productId: randomUUID(), quantity: 1 }],
          paymentMethod: 'UPI',
          dropoff: { lat: store.lat + 0.02, lng: store.lng + 0.02 },
        },
        { subject: orderId },
      );
    });
    await producer.send({
      topic: eventsTopic('order-service'),
      messages: orders.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
    });
    await eventually(
      async () => {
        const rows = (await rootQuery(`SELECT COUNT(*) AS n FROM \`${schema.name}\`.deliveries WHERE status = 'ASSIGNED'`)) as {
          n: number;
        }[];
        return Number(rows[0]!.n) === RIDERS;
      },
      120_000,
      250,
    );
    const customerOf = new Map(orders.map((o) => [o.data.orderId, o.data.userId]));
    for (const rider of riders) {
      const me = await call('GET', '/api/v1/partners/me', rider.token);
      rider.orderId = me.data!.activeDelivery!.orderId;
      rider.userId = customerOf.get(rider.orderId)!;
      await call('POST', `/api/v1/deliveries/${rider.orderId}/accept`, rider.token);
      await call('POST', `/api/v1/deliveries/${rider.orderId}/pickup`, rider.token);
    }

    // SUBSCRIBERS customer streams, round-robin over the deliveries.
    const delays: number[] = [];
    let measuring = false;
    let received = 0;
    await Promise.all(
      Array.from({ length: SUBSCRIBERS }, (_, i) => {
        const rider = riders[i % riders.length]!;
        const token = issuer.bearer({ role: 'customer', userId: rider.userId, expiresInSeconds: 900 });
        return new Promise<void>((ok, fail) => {
          const req = request(`${base}/api/v1/deliveries/${rider.orderId}/stream`, { agent, headers: { authorization: token } }, (res) => {
            if (res.statusCode !== 200) return fail(new Error(`stream answered ${res.statusCode}`));
            res.setEncoding('utf8');
            res.on('error', () => undefined);
            let buffer = '';
            res.on('data', (chunk: string) => {
              buffer += chunk;
              let end: number;
              while ((end = buffer.indexOf('\n\n')) >= 0) {
                const frame = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                if (!measuring || !frame.includes('event: position')) continue;
                const data = frame.slice(frame.indexOf('data: ') + 6);
                received++;
                delays.push(Date.now() - Date.parse((JSON.parse(data) as { at: string }).at));
              }
            });
            ok();
          });
          req.on('error', (err) => (measuring ? undefined : fail(err)));
          req.end();
          streams.push({ close: () => req.destroy() });
        });
      }),
    );
    const servicePid = service.pid!;
    console.log(
      `\n${SUBSCRIBERS} streams open on one delivery-service (pid ${servicePid}); ${RIDERS} riders reporting once a second for ${DURATION_S} s`,
    );

    // Every rider once a second, spread over the second, moving 20 m per report.
    measuring = true;
    const before = processUsage(servicePid);
    const started = Date.now();
    let reports = 0;
    let refused = 0;
    let failed = 0;
    let lastFailure = '';
    const timers = riders.map((rider, i) =>
      setTimeout(
        () => {
          const tick = async () => {
            rider.step++;
            try {
              const at = { lat: store.lat + rider.step * 0.0002, lng: store.lng + (i % 50) * 0.0002 };
              const res = await call('POST', '/api/v1/partners/me/location', rider.token, at);
              if (res.status === 204) reports++;
              else refused++;
            } catch (err) {
              failed++;
              lastFailure = err instanceof Error ? `${err.message} ${String(err.cause ?? '')}` : String(err);
            }
          };
          void tick();
          timers[i] = setInterval(() => void tick(), 1_000);
        },
        (i * 1_000) / RIDERS,
      ),
    );
    await new Promise((r) => setTimeout(r, DURATION_S * 1_000));
    for (const timer of timers) clearInterval(timer);
    await new Promise((r) => setTimeout(r, 1_000));
    measuring = false;
    const elapsed = (Date.now() - started) / 1000;
    const after = processUsage(servicePid);

    delays.sort((a, b) => a - b);
    const expected = reports * (SUBSCRIBERS / RIDERS);
    const summary = {
      subscribers: SUBSCRIBERS,
      riders: RIDERS,
      durationSeconds: DURATION_S,
      reportsAccepted: reports,
      reportsRefused: refused,
      reportsFailed: failed,
      eventsExpected: expected,
      eventsReceived: received,
      eventsPerSecond: Math.round(received / elapsed),
      delayMs: { p50: percentile(delays, 50), p90: percentile(delays, 90), p99: percentile(delays, 99), max: delays.at(-1) ?? NaN },
      serviceCpuPercent: Math.round(((after.cpuSeconds - before.cpuSeconds) / elapsed) * 100),
      serviceRssMb: Math.round(after.rssMb),
    };
    console.log(`
position reports accepted ${reports} (${(reports / elapsed).toFixed(0)}/s), refused ${refused}, failed ${failed}${lastFailure ? ` (${lastFailure})` : ''}
events delivered to streams ${received} of ${expected} expected (${summary.eventsPerSecond}/s)
fan-out delay, report accepted → frame at the subscriber: p50 ${summary.delayMs.p50} ms, p90 ${summary.delayMs.p90} ms, p99 ${summary.delayMs.p99} ms, max ${summary.delayMs.max} ms
delivery-service: ${summary.serviceCpuPercent} % of one CPU, RSS ${summary.serviceRssMb} MB
targets: >= 2000 subscribers: ${SUBSCRIBERS >= 2_000 ? 'met' : 'MISSED'}; p99 < 200 ms: ${summary.delayMs.p99 < 200 ? 'met' : 'MISSED'}`);
    saveResults('tracking', { node: process.versions.node, cpus: cpus().length, ...summary });
  } finally {
    for (const stream of streams) stream.close();
    service.kill('SIGTERM');
    await new Promise((r) => service.once('exit', r));
    await producer.disconnect().catch(() => undefined);
    agent.destroy();
    await Promise.all([schema.drop(), issuer.close()]);
  }
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exitCode = 1;
});
