import { resolve } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { FLEET, FleetProcesses, GATEWAY, SERVICES, portOf, processEnv } from '@qc/shared/fleet';

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

  it('when a service route is called through the gateway, then the service answers it with the same request id', async () => {
    const res = await fetch(`${gateway}/api/v1/analytics/events?limit=5`, { headers: { 'x-request-id': 'e2e-through-gateway' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('e2e-through-gateway');
    expect(await res.json()).toMatchObject({ success: true, data: expect.any(Array), meta: { limit: 5 } });
  });

  it('when a route is unknown, then the gateway answers 404 in the error envelope', async () => {
    const res = await fetch(`${gateway}/api/v1/no-such-thing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ success: false, code: 404, errorCode: expect.any(String), requestId: expect.any(String) });
  });

  it('when a service is stopped, then it exits cleanly, the gateway answers 503 fast for it, and the rest stay up', async () => {
    expect(await fleet.stopOne('analytics-service')).toBe(0);
    const started = Date.now();
    const res = await fetch(`${gateway}/api/v1/analytics/events`);
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
