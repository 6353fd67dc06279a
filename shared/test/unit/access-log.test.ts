import { Router } from 'express';
import request from 'supertest';
import { createHttpApp, ok } from '@qc/shared/http';
import { healthRouter } from '@qc/shared/health';
import { currentContext, runWithContext } from '@qc/shared/logging';
import { memoryLogger } from '@qc/shared/testing';
import { Metrics } from '@qc/shared/metrics';

function appWithMemoryLog() {
  const { logger, lines } = memoryLogger('access-log-test');
  const routes = Router()
    .get('/api/v1/things/:id', (req, res) => void res.json(ok({ id: req.params.id })))
    // As authenticate does once the token checks out.
    .get('/api/v1/mine', (_req, res) => {
      currentContext()!.userId = 'user-7';
      res.json(ok({}));
    })
    // What a pooled upstream socket does to the gateway: the answer is written from a callback
    // that belongs to another request's context.
    .get('/api/v1/answered-elsewhere', (_req, res) =>
      runWithContext({ requestId: 'someone-else', userId: 'user-else' }, () => setImmediate(() => void res.json(ok({})))),
    )
    .get('/api/v1/boom', () => {
      throw new Error('boom');
    });
  const app = createHttpApp({
    logger,
    metrics: new Metrics('access-log-test'),
    bodyLimit: '1kb',
    operational: [healthRouter('access-log-test', [])],
    routes: [routes],
  });
  return { app, lines };
}

describe('access log', () => {
  it('when a request finishes, then one line carries its method, path, status, duration and request id, and no headers', async () => {
    const { app, lines } = appWithMemoryLog();
    await request(app).get('/api/v1/things/42?x=1').set('x-request-id', 'access-1').set('authorization', 'Bearer secret-token');
    const line = lines().find((l) => l.msg === 'request completed');
    expect(line).toMatchObject({
      method: 'GET',
      url: '/api/v1/things/42?x=1',
      statusCode: 200,
      requestId: 'access-1',
      service: 'access-log-test',
    });
    expect(line?.durationMs).toEqual(expect.any(Number));
    expect(JSON.stringify(lines())).not.toContain('secret-token');
  });

  it('when the request is signed in, then its line carries the user id', async () => {
    const { app, lines } = appWithMemoryLog();
    await request(app).get('/api/v1/mine').set('x-request-id', 'access-4');
    expect(lines().find((l) => l.msg === 'request completed')).toMatchObject({ requestId: 'access-4', userId: 'user-7' });
  });

  it('when the answer is written from inside another request context, then the line still carries only this request ids', async () => {
    const { app, lines } = appWithMemoryLog();
    await request(app).get('/api/v1/answered-elsewhere').set('x-request-id', 'access-3');
    const line = lines().find((l) => l.msg === 'request completed');
    expect(line).toMatchObject({ url: '/api/v1/answered-elsewhere', requestId: 'access-3' });
    expect(line).not.toHaveProperty('userId');
  });

  it('when a request fails with a 5xx, then its line is an error', async () => {
    const { app, lines } = appWithMemoryLog();
    await request(app).get('/api/v1/boom').set('x-request-id', 'access-2');
    expect(lines().find((l) => l.msg === 'request failed')).toMatchObject({ level: 'error', statusCode: 500, requestId: 'access-2' });
  });

  it('when a probe or a scrape comes in, then it is not logged', async () => {
    const { app, lines } = appWithMemoryLog();
    await request(app).get('/health/live');
    expect(lines().filter((l) => l.url === '/health/live')).toEqual([]);
  });
});
