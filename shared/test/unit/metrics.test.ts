import express, { Router, type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { healthRouter } from '@qc/shared/health';
import { observeRequests } from '@qc/shared/http';
import { createLogger } from '@qc/shared/logging';
import { Metrics, trackRouteTemplates } from '@qc/shared/metrics';

/** Sample counts of the request-duration histogram, keyed by `method route status`. */
async function requestCounts(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.httpDuration.get();
  const counts: Record<string, number> = {};
  for (const v of values) {
    if (v.metricName !== 'http_request_duration_seconds_count') continue;
    counts[`${v.labels.method} ${v.labels.route} ${v.labels.status_code}`] = v.value;
  }
  return counts;
}

/** An app that tracks route templates, as createHttpApp's does, with the shared request observer first; access lines discarded. */
function observedApp(metrics: Metrics) {
  const app = express();
  trackRouteTemplates(app);
  return app.use(observeRequests(createLogger('metrics-test', 'silent'), metrics, { logRelayedAnswers: false }));
}

function buildApp(metrics: Metrics) {
  const onError: ErrorRequestHandler = (_err, _req, res, _next) => void res.status(500).json({ failed: true });
  const items = Router()
    .get('/items/:id', (req, res) => void res.json({ id: req.params.id }))
    .get('/items/:id/boom', () => {
      throw new Error('bug');
    });
  return observedApp(metrics)
    .use(Router().get('/orders/:orderId', (req, res) => void res.json({ id: req.params.orderId })))
    .use('/api/v1', items)
    .get('/metrics', metrics.handler())
    .use(onError);
}

describe('request metrics (observeRequests)', () => {
  it('when requests hit different ids on one route, then they share one label: the route template', async () => {
    const metrics = new Metrics('metrics-test');
    const app = buildApp(metrics);
    for (const id of ['a1', 'b2', 'c3']) expect((await request(app).get(`/orders/${id}`)).status).toBe(200);
    const counts = await requestCounts(metrics);
    expect(counts).toEqual({ 'GET /orders/:orderId 200': 3 });
  });

  it('when the route sits in a router mounted on a path, then the label includes the mount path', async () => {
    const metrics = new Metrics('metrics-test');
    await request(buildApp(metrics)).get('/api/v1/items/42');
    expect(await requestCounts(metrics)).toEqual({ 'GET /api/v1/items/:id 200': 1 });
  });

  it('when the route throws, then the failure is counted under its template with its status', async () => {
    const metrics = new Metrics('metrics-test');
    const res = await request(buildApp(metrics)).get('/api/v1/items/42/boom');
    expect(res.status).toBe(500);
    expect(await requestCounts(metrics)).toEqual({ 'GET /api/v1/items/:id/boom 500': 1 });
  });

  it('when the readiness probe is served by the health router, then each of its paths has its own label', async () => {
    const metrics = new Metrics('metrics-test');
    const app = observedApp(metrics).use(healthRouter('metrics-test', []));
    for (const path of ['/health', '/health/ready', '/health/live']) expect((await request(app).get(path)).status).toBe(200);
    expect(await requestCounts(metrics)).toEqual({ 'GET /health 200': 1, 'GET /health/ready 200': 1, 'GET /health/live 200': 1 });
  });

  it('when a route hands on to the next route, then the label is the route that answered', async () => {
    const metrics = new Metrics('metrics-test');
    const app = observedApp(metrics)
      .get('/items/:id', (_req, _res, next) => next('route'))
      .get('/items/special', (_req, res) => void res.json({ special: true }));
    await request(app).get('/items/special');
    expect(await requestCounts(metrics)).toEqual({ 'GET /items/special 200': 1 });
  });

  it('when no route matches, then the request is counted as unmatched, never under its raw path', async () => {
    const metrics = new Metrics('metrics-test');
    const app = buildApp(metrics);
    await request(app).get('/random/path/1');
    await request(app).get('/random/path/2');
    const counts = await requestCounts(metrics);
    expect(counts).toEqual({ 'GET unmatched 404': 2 });
  });

  it('when scraped, then the exposition carries the template label, the service label and no raw id', async () => {
    const metrics = new Metrics('metrics-test');
    const app = buildApp(metrics);
    await request(app).get('/orders/0198c0de-raw-id');
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const countLines = res.text.split('\n').filter((l) => l.startsWith('http_request_duration_seconds_count{'));
    expect(countLines).toHaveLength(1);
    for (const label of ['method="GET"', 'route="/orders/:orderId"', 'status_code="200"', 'service="metrics-test"']) {
      expect(countLines[0]).toContain(label);
    }
    expect(countLines[0]).toMatch(/} 1$/);
    expect(res.text).not.toContain('0198c0de-raw-id');
    for (const name of ['unhandled_errors_total', 'events_published_total', 'events_consumed_total', 'outbox_backlog', 'consumer_lag']) {
      expect(res.text).toContain(`# TYPE ${name} `);
    }
  });
});
