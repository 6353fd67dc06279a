import request from 'supertest';
import type { ServiceDefinition, RunningService } from '../src/service';
import { rootQuery, startServiceUnderTest, type ServiceUnderTest, type TestSchema } from '../src/testing';

/**
 * The boot test every service runs: with its own fresh schema, the service migrates, reports
 * ready with every dependency checked, serves metrics and its OpenAPI document, answers unknown
 * routes in the error envelope, and stops gracefully within the shutdown deadline.
 */
export function describeServiceBoot(
  definition: ServiceDefinition,
  ownTables: string[] = [],
  /** Variables the service needs to start at all (its required secrets). */
  env: Record<string, string> = {},
): void {
  describe(`${definition.name} boot`, () => {
    let underTest: ServiceUnderTest;
    let schema: TestSchema;
    let service: RunningService;

    beforeAll(async () => {
      underTest = await startServiceUnderTest(definition, { env });
      ({ schema, service } = underTest);
    }, 60_000);

    afterAll(() => underTest?.stop(), 30_000);

    it('when started, then its migrations created the platform tables and its own', async () => {
      const rows = (await rootQuery('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?', [schema.name])) as {
        name: string;
      }[];
      expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['outbox', 'processed_events', 'migrations', ...ownTables]));
    });

    it('when asked if live, then it answers without asking its dependencies', async () => {
      const res = await request(service.server).get('/health/live');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/health\+json/);
      expect(JSON.parse(res.text)).toMatchObject({ status: 'pass', serviceId: definition.name });
    });

    it('when asked if ready, then MySQL, Redis, Kafka and the outbox all pass', async () => {
      const res = await request(service.server).get('/health/ready');
      expect(res.status).toBe(200);
      const body = JSON.parse(res.text);
      expect(body.status).toBe('pass');
      for (const check of ['mysql:connection', 'redis:connection', 'kafka:connection', 'outbox:backlog']) {
        expect(body.checks[check]?.[0]?.status).toBe('pass');
      }
    });

    it('when scraped, then it serves Prometheus metrics with its service label', async () => {
      await request(service.server).get('/health/live');
      const res = await request(service.server).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toContain(
        `http_request_duration_seconds_count{service="${definition.name}",method="GET",route="/health/live",status_code="200"}`,
      );
      expect(res.text).toContain('outbox_backlog');
    });

    it('when its API document is asked for, then it is OpenAPI 3.1', async () => {
      const res = await request(service.server).get('/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ openapi: '3.1.0', info: { title: definition.name } });
    });

    it('when a route does not exist, then it answers 404 in the error envelope', async () => {
      const res = await request(service.server).get('/api/v1/nothing-here').set('x-request-id', 'boot-test-404');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        success: false,
        error: expect.any(String),
        code: 404,
        errorCode: 'ROUTE_NOT_FOUND',
        details: [],
        requestId: 'boot-test-404',
      });
    });

    it('when stopped, then it closes its port within the shutdown deadline', async () => {
      const started = Date.now();
      await service.stop();
      expect(Date.now() - started).toBeLessThan(10_000);
      await expect(fetch(`http://127.0.0.1:${service.port}/health/live`)).rejects.toThrow();
    }, 15_000);
  });
}
