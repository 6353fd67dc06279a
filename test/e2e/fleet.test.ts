import { execFile } from 'node:child_process';
import { createHmac, createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { FLEET, FleetProcesses, GATEWAY, SERVICES, portOf, processEnv, serviceSpec } from '@qc/shared/fleet';

/**
 * The whole fleet as eleven separate processes on the real MySQL/MariaDB, Redis and Kafka, each
 * connecting as its own database user, seen through the gateway. Ports are offset so a fleet
 * started with `make run` can keep running beside the test.
 */
const PORT_OFFSET = 10_000;
const root = resolve(__dirname, '../..');
const gateway = `http://127.0.0.1:${portOf(GATEWAY, PORT_OFFSET)}`;

interface HealthReport {
  status: 'pass' | 'warn' | 'fail';
  checks: Record<string, { status: string }[]>;
}
const healthOf = async (res: Response) => (await res.json()) as HealthReport;

interface SignedIn {
  data: { user: { email: string; role: string }; accessToken: string; refreshToken: string };
}
const signedInOf = async (res: Response) => (await res.json()) as SignedIn;

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
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
  const fleet = new FleetProcesses({
    root,
    logDir: resolve(root, '.infra/logs/e2e'),
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn' },
    portOffset: PORT_OFFSET,
  });

  beforeAll(() => fleet.start(), 180_000);
  afterAll(() => fleet.stop(), 30_000);

  it('when all eleven are up, then the gateway reports every service healthy', async () => {
    const res = await fetch(`${gateway}/health`);
    const body = await healthOf(res);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/health\+json/);
    expect(body.status).toBe('pass');
    for (const service of SERVICES) {
      expect(body.checks[`${service.name}:ready`]?.[0]?.status).toBe('pass');
    }
  });

  it('when each service connects as its own database user, then that user sees its own schema only', async () => {
    for (const service of SERVICES) {
      const connection = await createConnection({ uri: processEnv(service, process.env).MYSQL_URL! });
      try {
        const [rows] = await connection.query('SHOW DATABASES');
        const visible = (rows as { Database: string }[]).map((r) => r.Database).filter((name) => name !== 'information_schema');
        expect(visible).toEqual([service.schema]);
      } finally {
        await connection.end();
      }
    }
  });

  const adminEmail = `e2e-admin-${randomUUID()}@example.com`;
  const adminPassword = 'e2e admin passphrase';
  let adminBearer = '';

  it('when the first admin is created with the documented command, then they can log in through the gateway', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [resolve(root, 'user-service/dist/cli/create-admin.js'), adminEmail, adminPassword],
      {
        env: process.env,
      },
    );
    expect(stdout).toContain(`created admin ${adminEmail}`);
    const res = await postJson(`${gateway}/api/v1/auth/login`, { email: adminEmail, password: adminPassword });
    expect(res.status).toBe(200);
    const body = await signedInOf(res);
    expect(body.data.user.role).toBe('admin');
    adminBearer = `Bearer ${body.data.accessToken}`;
  });

  it('when an admin calls a service route through the gateway, then the service answers it with the same request id', async () => {
    const res = await fetch(`${gateway}/api/v1/analytics/events?limit=5`, {
      headers: { 'x-request-id': 'e2e-through-gateway', authorization: adminBearer },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('e2e-through-gateway');
    expect(await res.json()).toMatchObject({ success: true, data: expect.any(Array), meta: { limit: 5 } });
  });

  it('when a customer signs up, rotates a refresh token and reads their profile through the gateway, then the tokens work as designed', async () => {
    const email = `e2e-${randomUUID()}@example.com`;
    const signup = await postJson(`${gateway}/api/v1/auth/register`, { email, password: 'a long passphrase', name: 'E2E Customer' });
    expect(signup.status).toBe(201);
    const { accessToken, refreshToken } = (await signedInOf(signup)).data;
    const me = await fetch(`${gateway}/api/v1/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(((await me.json()) as SignedIn['data'] & { data: { email: string } }).data.email).toBe(email);
    expect((await fetch(`${gateway}/api/v1/analytics/events`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(403);
    expect((await fetch(`${gateway}/api/v1/users/me`)).status).toBe(401);

    const rotated = await postJson(`${gateway}/api/v1/auth/refresh`, { refreshToken });
    expect(rotated.status).toBe(200);
    const reused = await postJson(`${gateway}/api/v1/auth/refresh`, { refreshToken });
    expect(reused.status).toBe(401);
    // The reuse ended the session: the token it issued a moment ago is refused at the gateway too.
    const newAccess = (await signedInOf(rotated)).data.accessToken;
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await fetch(`${gateway}/api/v1/users/me`, { headers: { authorization: `Bearer ${newAccess}` } })).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
  });

  it('when forged tokens are sent through the gateway and straight to a service, then both refuse them with 401', async () => {
    const jwks = (await (await fetch(`${gateway}/.well-known/jwks.json`)).json()) as { keys: JsonWebKey[] };
    const login = await postJson(`${gateway}/api/v1/auth/login`, { email: adminEmail, password: adminPassword });
    const { accessToken } = (await signedInOf(login)).data;
    const kid = JSON.parse(Buffer.from(accessToken.split('.')[0]!, 'base64url').toString()).kid;
    const signingKey = jwks.keys.find((key) => key.kid === kid)!;
    const userService = `http://127.0.0.1:${portOf(serviceSpec('user-service'), PORT_OFFSET)}`;
    for (const [name, token] of Object.entries(forgeries(accessToken, signingKey))) {
      for (const base of [gateway, userService]) {
        const res = await fetch(`${base}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } });
        expect({ name, base, status: res.status }).toEqual({ name, base, status: 401 });
      }
    }
  });

  it('when the demo data is seeded twice, then the second run adds nothing', async () => {
    const seed = (service: string) =>
      promisify(execFile)(process.execPath, [resolve(root, `${service}/dist/cli/seed-demo.js`)], { env: process.env }).then(
        (r) => r.stdout,
      );
    for (const service of ['product-service', 'inventory-service', 'location-service']) await seed(service);
    expect(await seed('product-service')).toMatch(/ 0 categories and 0 products created/);
    expect(await seed('inventory-service')).toMatch(/\(0 new, 0 changed\), \d+ stock items \(0 new/);
    expect(await seed('location-service')).toMatch(/\(0 new\), \d+ zones \(0 new\)/);
  }, 60_000);

  it('when a customer in Koramangala browses, then a store serves them and the catalog shows live stock there', async () => {
    const here = { lat: '12.9352', lng: '77.6245' };
    const serviceability = await (await fetch(`${gateway}/api/v1/locations/serviceability?${new URLSearchParams(here)}`)).json();
    expect(serviceability).toMatchObject({ data: { serviceable: true, storeId: expect.any(String), etaMinutes: expect.any(Number) } });
    const listing = await fetch(`${gateway}/api/v1/products?${new URLSearchParams({ ...here, q: 'milk', limit: '5' })}`);
    expect(listing.status).toBe(200);
    const body = (await listing.json()) as { data: { available?: number }[]; meta: { availability: string; storeId: string } };
    expect(body.meta).toMatchObject({ availability: 'live', storeId: (serviceability as { data: { storeId: string } }).data.storeId });
    expect(body.data.length).toBeGreaterThan(0);
    for (const item of body.data) expect(item.available).toEqual(expect.any(Number));
  });

  it('when a route is unknown, then the gateway answers 404 in the error envelope', async () => {
    const res = await fetch(`${gateway}/api/v1/no-such-thing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ success: false, code: 404, errorCode: expect.any(String), requestId: expect.any(String) });
  });

  it('when a service is stopped, then it exits cleanly, the gateway answers 503 fast for it, and the rest stay up', async () => {
    expect(await fleet.stopOne('analytics-service')).toBe(0);
    const started = Date.now();
    const res = await fetch(`${gateway}/api/v1/analytics/events`, { headers: { authorization: adminBearer } });
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    const health = await healthOf(await fetch(`${gateway}/health`));
    expect(health.checks['analytics-service:ready']?.[0]?.status).toBe('fail');
    expect(health.checks['order-service:ready']?.[0]?.status).toBe('pass');
  });

  it('when the fleet gets SIGTERM, then every process exits 0 within the shutdown deadline', async () => {
    const remaining = FLEET.filter((s) => s.name !== 'analytics-service');
    const codes = await Promise.all(remaining.map((s) => fleet.stopOne(s.name)));
    expect(codes).toEqual(remaining.map(() => 0));
  }, 30_000);
});
