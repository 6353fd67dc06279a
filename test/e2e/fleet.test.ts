import { createHash, createHmac, createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import type { SeekEntry } from 'kafkajs';
import { createConnection } from 'mysql2/promise';
import { FLEET, SERVICES, allTopics, eventsTopic, serviceSpec } from '@qc/shared/fleet';
import { createLogger } from '@qc/shared/logging';
import { createRedis } from '@qc/shared/redis';
import { TEST_REDIS_URL, eventually, testKafka } from '@qc/shared/testing';
import { asRoot, startFleetUnderTest, type FleetUnderTest } from './fleet-under-test';

/**
 * The whole fleet as eleven separate processes on the real MySQL/MariaDB, Redis and Kafka, each
 * connecting as its own database user, seen through the gateway. The fleet runs in a namespace of
 * this run's own (fleet-under-test.ts, e2eNamespace): schemas and users `qce2e_<run>_*`, made before
 * and dropped after, consumer groups `e2e.<run>.<service>`, Redis keys under `e2e:<run>:` and topics
 * under `e2e.<run>.` (`e2e.<run>.product.events`), so neither `make run`'s data (`qc_*`, unprefixed
 * keys and topics) nor another run's is read or written. Ports are offset by 10 000 so a fleet
 * started with `make run` can keep running beside the test.
 */
const PORT_OFFSET = 10_000;

interface HealthReport {
  status: 'pass' | 'warn' | 'fail';
  checks: Record<string, { status: string }[]>;
}
const healthOf = async (res: Response) => (await res.json()) as HealthReport;
const OPS_TOKEN = randomUUID().replaceAll('-', '');
const opsHeaders = { authorization: `Bearer ${OPS_TOKEN}` };

interface SignedIn {
  data: { user: { email: string; role: string }; accessToken: string; refreshToken: string };
}
const signedInOf = async (res: Response) => (await res.json()) as SignedIn;

interface RawEvent {
  eventId: string;
  type: string;
  source: string;
  data: { productId?: string; sku?: string };
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** The claims of a JWT, unverified (the test reads what it was given). */
function claimsOf(token: string): { sid: string } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string };
}

/** Tokens made wrong in ways only the real signing key's owner could have avoided. */
function forgeries(realToken: string, jwk: JsonWebKey): Record<string, string> {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const [header, payload, signature] = realToken.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT', kid: jwk.kid })}.${b64(claims)}`;
  const publicPem = createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'pem', type: 'spki' });
  return {
    algNone: `${b64({ alg: 'none', typ: 'JWT', kid: jwk.kid })}.${payload}.`,
    hs256SignedWithPublicKey: `${unsigned}.${createHmac('sha256', publicPem).update(unsigned).digest('base64url')}`,
    // Another user's id in a genuine admin token: impersonation without the key.
    tamperedSubject: `${header}.${b64({ ...claims, sub: randomUUID() })}.${signature}`,
    unknownKid: `${b64({ alg: 'ES256', typ: 'JWT', kid: 'no-such-key' })}.${payload}.${signature}`,
  };
}

describe('the fleet end to end', () => {
  let fut: FleetUnderTest;
  /** Unprefixed: it sees every key, this run's under their full names. */
  const redis = createRedis(TEST_REDIS_URL, createLogger('e2e', 'silent'));
  const kafka = testKafka('e2e');
  const kafkaAdmin = kafka.admin();
  /** Where `make run`'s (unprefixed) product.events ended before this run's fleet started. */
  let sharedProductEventsAtStart: SeekEntry[] = [];
  const keysMatching = async (pattern: string): Promise<string[]> => {
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: pattern, count: 1_000 })) keys.push(...(batch as string[]));
    return keys;
  };

  /** The values of the messages on `topic` from `from` (every partition's start when not given) to its end now. */
  async function messagesOn(topic: string, from: SeekEntry[] = []): Promise<string[]> {
    const startOf = (partition: number) => BigInt(from.find((p) => p.partition === partition)?.offset ?? '0');
    const ends = new Map((await kafkaAdmin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    const remaining = new Set([...ends].filter(([partition, end]) => end > startOf(partition)).map(([partition]) => partition));
    if (remaining.size === 0) return [];
    const groupId = `e2e-reader.${randomUUID()}`;
    const reader = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const values: string[] = [];
    await reader.connect();
    try {
      await reader.subscribe({ topics: [topic], fromBeginning: true });
      await reader.run({
        eachMessage: async ({ partition, message }) => {
          const offset = BigInt(message.offset);
          if (offset < startOf(partition) || offset >= ends.get(partition)!) return;
          values.push(message.value?.toString() ?? '');
          if (offset + 1n >= ends.get(partition)!) remaining.delete(partition);
        },
      });
      for (const { partition, offset } of from) reader.seek({ topic, partition, offset });
      await eventually(async () => remaining.size === 0, 30_000, 50);
      return values;
    } finally {
      await reader.disconnect();
      await kafkaAdmin.deleteGroups([groupId]).catch(() => undefined);
    }
  }

  beforeAll(async () => {
    await Promise.all([redis.connect(), kafkaAdmin.connect()]);
    sharedProductEventsAtStart = (await kafkaAdmin.fetchTopicOffsets(eventsTopic('product-service'))).map(({ partition, high }) => ({
      partition,
      offset: high,
    }));
    // OPS_TOKEN unlocks the gateway's fleet detail in /health.
    fut = await startFleetUnderTest({ portOffset: PORT_OFFSET, logs: 'e2e', env: { OPS_TOKEN } });
  }, 180_000);

  afterAll(async () => {
    await fut?.stop();
    await Promise.all([redis.quit(), kafkaAdmin.disconnect()]);
  }, 120_000);

  it('when all eleven are up, then the gateway reports every service healthy', async () => {
    const res = await fetch(`${fut.gateway}/health`, { headers: opsHeaders });
    const body = await healthOf(res);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/health\+json/);
    expect(body.status).toBe('pass');
    for (const service of SERVICES) {
      expect(body.checks[`${service.name}:ready`]?.[0]?.status).toBe('pass');
    }
  });

  it("when the fleet runs, then every process is in this run's namespace and none in make run's", async () => {
    for (const spec of FLEET) {
      expect({ name: spec.name, prefix: fut.fleet.envOf(spec.name).REDIS_KEY_PREFIX }).toEqual({
        name: spec.name,
        prefix: `e2e:${fut.run}:`,
      });
    }
    for (const service of SERVICES) {
      const processEnv = fut.fleet.envOf(service.name);
      const url = new URL(processEnv.MYSQL_URL!);
      expect({
        user: url.username,
        schema: url.pathname.slice(1),
        group: processEnv.KAFKA_CONSUMER_GROUP,
        topicPrefix: processEnv.KAFKA_TOPIC_PREFIX,
      }).toEqual({
        user: `qce2e_${fut.run}_${service.name.replace(/-service$/, '')}`,
        schema: `qce2e_${fut.run}_${service.name.replace(/-service$/, '')}`,
        group: `e2e.${fut.run}.${service.name}`,
        topicPrefix: `e2e.${fut.run}.`,
      });
    }
    // Its services made their topics under the run's prefix as they started: every `<service>.events` and `dlq.<service>`.
    const ours = (await kafkaAdmin.listTopics()).filter((topic) => topic.startsWith(`e2e.${fut.run}.`));
    expect(ours).toEqual(expect.arrayContaining(allTopics().map((topic) => `e2e.${fut.run}.${topic}`)));
    // What the live processes are connected as, in MySQL's own words: this run's users, each on its schema.
    const connections = (await asRoot((c) =>
      c.query('SELECT USER AS user, DB AS db FROM information_schema.PROCESSLIST WHERE USER LIKE ?', [`qce2e\\_${fut.run}\\_%`]),
    )) as unknown as [{ user: string; db: string | null }[]];
    const seen = new Map(connections[0].map((c) => [c.user, c.db]));
    expect([...seen.keys()].sort()).toEqual(SERVICES.map((s) => fut.namespace.databaseUser(s)).sort());
    for (const c of connections[0]) expect(c.db).toBe(c.user);
  });

  it("when each service connects as its own database user, then that user sees this run's schema only", async () => {
    for (const service of SERVICES) {
      const connection = await createConnection({ uri: fut.fleet.envOf(service.name).MYSQL_URL! });
      try {
        const [rows] = await connection.query('SHOW DATABASES');
        const visible = (rows as { Database: string }[]).map((r) => r.Database).filter((name) => name !== 'information_schema');
        expect(visible).toEqual([fut.namespace.schema(service)]);
      } finally {
        await connection.end();
      }
    }
  });

  const adminEmail = `e2e-admin-${randomUUID()}@example.com`;
  const adminPassword = 'e2e admin passphrase';
  let adminBearer = '';

  it('when the first admin is created with the documented command, then they can log in through the gateway', async () => {
    expect(await fut.command('user-service', 'create-admin.js', [adminEmail, adminPassword])).toContain(`created admin ${adminEmail}`);
    const res = await postJson(`${fut.gateway}/api/v1/auth/login`, { email: adminEmail, password: adminPassword });
    expect(res.status).toBe(200);
    const body = await signedInOf(res);
    expect(body.data.user.role).toBe('admin');
    adminBearer = `Bearer ${body.data.accessToken}`;
  });

  it('when an admin calls a service route through the gateway, then the service answers it with the same request id', async () => {
    const res = await fetch(`${fut.gateway}/api/v1/analytics/events?limit=5`, {
      headers: { 'x-request-id': 'e2e-through-gateway', authorization: adminBearer },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('e2e-through-gateway');
    expect(await res.json()).toMatchObject({ success: true, data: expect.any(Array), meta: { limit: 5 } });
  });

  it("when an admin creates a product through the gateway, then its product.created reaches analytics' raw store through Kafka", async () => {
    const headers = { authorization: adminBearer };
    const category = await postJson(`${fut.gateway}/api/v1/categories`, { name: `E2E ${fut.run}` }, headers);
    expect(category.status).toBe(201);
    const categoryId = ((await category.json()) as { data: { id: string } }).data.id;
    const sku = `E2E-${fut.run.toUpperCase()}`;
    const created = await postJson(
      `${fut.gateway}/api/v1/products`,
      {
        sku,
        name: 'End-to-end test milk',
        brand: 'E2E',
        packSize: 500,
        unit: 'ml',
        mrp: { amount: 3_200, currency: 'INR' },
        price: { amount: 3_000, currency: 'INR' },
        categoryIds: [categoryId],
      },
      headers,
    );
    expect(created.status).toBe(201);
    const productId = ((await created.json()) as { data: { id: string } }).data.id;

    // product-service's outbox → product.events → analytics-service's consumer (this run's group) → its raw store.
    const event = await eventually(async () => {
      const res = await fetch(`${fut.gateway}/api/v1/analytics/events?type=product.created&limit=50`, { headers });
      const body = (await res.json()) as { data: RawEvent[] };
      return body.data.find((e) => e.data.productId === productId);
    }, 30_000);
    expect(event).toMatchObject({ type: 'product.created', source: '/product-service', data: { productId, sku } });
    const [group] = (await kafkaAdmin.describeGroups([fut.namespace.consumerGroup(serviceSpec('analytics-service'))])).groups;
    expect({ state: group!.state, members: group!.members.length > 0 }).toEqual({ state: 'Stable', members: true });

    // It crossed on this run's own topic; `make run`'s product.events got nothing of this run's since it started.
    const ownTopic = `${fut.namespace.kafkaTopicPrefix}${eventsTopic('product-service')}`;
    const onOwnTopic = (await messagesOn(ownTopic)).map(
      (value) => JSON.parse(value) as { id: string; type: string; data: { productId?: string } },
    );
    expect(onOwnTopic.find((e) => e.type === 'product.created' && e.data.productId === productId)).toMatchObject({ id: event.eventId });
    const onSharedTopic = await messagesOn(eventsTopic('product-service'), sharedProductEventsAtStart);
    expect(onSharedTopic.filter((value) => value.includes(productId) || value.includes(sku))).toEqual([]);
  }, 60_000);

  it('when a customer signs up, rotates a refresh token and reads their profile through the gateway, then the tokens work as designed', async () => {
    const email = `e2e-${randomUUID()}@example.com`;
    const signup = await postJson(`${fut.gateway}/api/v1/auth/register`, { email, password: 'a long passphrase', name: 'E2E Customer' });
    expect(signup.status).toBe(201);
    const { accessToken, refreshToken } = (await signedInOf(signup)).data;
    const me = await fetch(`${fut.gateway}/api/v1/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(((await me.json()) as SignedIn['data'] & { data: { email: string } }).data.email).toBe(email);
    expect((await fetch(`${fut.gateway}/api/v1/analytics/events`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(
      403,
    );
    expect((await fetch(`${fut.gateway}/api/v1/users/me`)).status).toBe(401);

    const rotated = await postJson(`${fut.gateway}/api/v1/auth/refresh`, { refreshToken });
    expect(rotated.status).toBe(200);
    const reused = await postJson(`${fut.gateway}/api/v1/auth/refresh`, { refreshToken });
    expect(reused.status).toBe(401);
    // The reuse ended the session: the token it issued a moment ago is refused through the gateway
    // too, and the ended session is recorded under this run's prefix only.
    const newAccess = (await signedInOf(rotated)).data.accessToken;
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await fetch(`${fut.gateway}/api/v1/users/me`, { headers: { authorization: `Bearer ${newAccess}` } })).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
    const { sid } = claimsOf(newAccess);
    expect(await redis.zscore(`e2e:${fut.run}:auth:revocations`, sid)).not.toBeNull();
    expect(await redis.zscore('auth:revocations', sid)).toBeNull();
  });

  it("when the fleet counts in Redis, then the keys are under this run's prefix and not make run's names", async () => {
    const wrong = await postJson(`${fut.gateway}/api/v1/auth/login`, { email: adminEmail, password: 'not the passphrase' });
    expect(wrong.status).toBe(401);
    // user-service's failed-login count for the admin (login-throttle.ts names it by the email's hash).
    const failures = `auth:login-failures:${createHash('sha256').update(adminEmail).digest('base64url')}`;
    expect({ prefixed: await redis.get(`e2e:${fut.run}:${failures}`), bare: await redis.exists(failures) }).toEqual({
      prefixed: '1',
      bare: 0,
    });
    // The gateway's rate-limit counts, shared through Redis every RATE_LIMIT_SYNC_MS.
    const counts = await eventually(async () => {
      const keys = await keysMatching(`e2e:${fut.run}:ratelimit:*`);
      return keys.length > 0 && keys;
    }, 5_000);
    expect(counts.length).toBeGreaterThan(0);
  });

  it('when forged tokens are sent through the gateway and straight to a service, then both refuse them with 401', async () => {
    const jwks = (await (await fetch(`${fut.gateway}/.well-known/jwks.json`)).json()) as { keys: JsonWebKey[] };
    const login = await postJson(`${fut.gateway}/api/v1/auth/login`, { email: adminEmail, password: adminPassword });
    const { accessToken } = (await signedInOf(login)).data;
    const kid = JSON.parse(Buffer.from(accessToken.split('.')[0]!, 'base64url').toString()).kid;
    const signingKey = jwks.keys.find((key) => key.kid === kid)!;
    const userService = fut.urlOf('user-service');
    for (const [name, token] of Object.entries(forgeries(accessToken, signingKey))) {
      for (const base of [fut.gateway, userService]) {
        const res = await fetch(`${base}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } });
        expect({ name, base, status: res.status }).toEqual({ name, base, status: 401 });
      }
    }
  });

  it('when the demo data is seeded twice, then the second run adds nothing', async () => {
    const seed = (service: string) => fut.command(service, 'seed-demo.js');
    for (const service of ['product-service', 'inventory-service', 'location-service']) await seed(service);
    expect(await seed('product-service')).toMatch(/ 0 categories and 0 products created/);
    expect(await seed('inventory-service')).toMatch(/\(0 new, 0 changed\), \d+ stock items \(0 new/);
    expect(await seed('location-service')).toMatch(/\(0 new\), \d+ zones \(0 new\)/);
  }, 60_000);

  it('when a customer in Koramangala browses, then a store serves them and the catalog shows live stock there', async () => {
    const here = { lat: '12.9352', lng: '77.6245' };
    const serviceability = await (await fetch(`${fut.gateway}/api/v1/locations/serviceability?${new URLSearchParams(here)}`)).json();
    expect(serviceability).toMatchObject({ data: { serviceable: true, storeId: expect.any(String), etaMinutes: expect.any(Number) } });
    const listing = await fetch(`${fut.gateway}/api/v1/products?${new URLSearchParams({ ...here, q: 'milk', limit: '5' })}`);
    expect(listing.status).toBe(200);
    const body = (await listing.json()) as { data: { available?: number }[]; meta: { availability: string; storeId: string } };
    expect(body.meta).toMatchObject({ availability: 'live', storeId: (serviceability as { data: { storeId: string } }).data.storeId });
    expect(body.data.length).toBeGreaterThan(0);
    for (const item of body.data) expect(item.available).toEqual(expect.any(Number));
  });

  it('when a route is unknown, then the gateway answers 404 in the error envelope', async () => {
    const res = await fetch(`${fut.gateway}/api/v1/no-such-thing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ success: false, code: 404, errorCode: expect.any(String), requestId: expect.any(String) });
  });

  it('when a service is stopped, then it exits cleanly, the gateway answers 503 fast for it, and the rest stay up', async () => {
    expect(await fut.fleet.stopOne('analytics-service')).toBe(0);
    const started = Date.now();
    const res = await fetch(`${fut.gateway}/api/v1/analytics/events`, { headers: { authorization: adminBearer } });
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    const health = await healthOf(await fetch(`${fut.gateway}/health`, { headers: opsHeaders }));
    expect(health.checks['analytics-service:ready']?.[0]?.status).toBe('fail');
    expect(health.checks['order-service:ready']?.[0]?.status).toBe('pass');
  });

  it('when the fleet gets SIGTERM, then every process exits 0 within the shutdown deadline', async () => {
    const remaining = FLEET.filter((s) => s.name !== 'analytics-service');
    const codes = await Promise.all(remaining.map((s) => fut.fleet.stopOne(s.name)));
    expect(codes).toEqual(remaining.map(() => 0));
  }, 30_000);
});
