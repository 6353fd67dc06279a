import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import request from 'supertest';
import { createHttpApp, markRelayed, ok } from '@qc/shared/http';
import { healthRouter } from '@qc/shared/health';
import { currentContext, runWithContext } from '@qc/shared/logging';
import { closeServer } from '@qc/shared/runtime';
import { eventually, memoryLogger } from '@qc/shared/testing';
import { Metrics } from '@qc/shared/metrics';

function appWithMemoryLog({ logRelayedAnswers }: { logRelayedAnswers?: boolean } = {}) {
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
    })
    // As the gateway's proxy does with a service's answer.
    .get('/api/v1/relayed/:status', (req, res) => {
      markRelayed(res);
      res.status(Number(req.params.status)).json(ok({}));
    })
    .get('/api/v1/relayed-stream', (_req, res) => {
      markRelayed(res);
      res.writeHead(200, { 'content-type': 'text/event-stream' }).write('data: first\n\n');
    });
  const metrics = new Metrics('access-log-test');
  const app = createHttpApp({
    logger,
    metrics,
    bodyLimit: '1kb',
    operational: [healthRouter('access-log-test', [])],
    routes: [routes],
    logRelayedAnswers,
  });
  return { app, lines, metrics };
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

  describe('answers relayed from a service, which logs them itself', () => {
    it('when a relayed answer succeeds, then it is counted in the metrics but gets no access line here', async () => {
      const { app, lines, metrics } = appWithMemoryLog();
      await request(app).get('/api/v1/relayed/200').set('x-request-id', 'relayed-1').expect(200);
      await request(app).get('/api/v1/relayed/404').set('x-request-id', 'relayed-2').expect(404);
      // A request answered here, after them: had their lines been written, they would be out by now.
      await request(app).get('/api/v1/things/1').set('x-request-id', 'relayed-3').expect(200);
      expect(lines().map((l) => l.requestId)).toEqual(['relayed-3']);
      const durations = await metrics.httpDuration.get();
      expect(durations.values).toContainEqual(
        expect.objectContaining({ labels: expect.objectContaining({ route: '/api/v1/relayed/:status', status_code: 200 }) }),
      );
    });

    it('when logging relayed answers is on, then a relayed answer gets its line', async () => {
      const { app, lines } = appWithMemoryLog({ logRelayedAnswers: true });
      await request(app).get('/api/v1/relayed/200').set('x-request-id', 'relayed-4').expect(200);
      expect(lines().find((l) => l.msg === 'request completed')).toMatchObject({ requestId: 'relayed-4', statusCode: 200 });
    });

    it('when a relayed answer is a 5xx, then it is logged as a failure all the same', async () => {
      const { app, lines } = appWithMemoryLog();
      await request(app).get('/api/v1/relayed/503').set('x-request-id', 'relayed-5').expect(503);
      expect(lines().find((l) => l.msg === 'request failed')).toMatchObject({ level: 'error', statusCode: 503, requestId: 'relayed-5' });
    });

    it('when the client leaves before a relayed answer is complete, then that is logged all the same', async () => {
      const { app, lines } = appWithMemoryLog();
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        await new Promise<void>((resolve, reject) => {
          const req = get({ port, host: '127.0.0.1', path: '/api/v1/relayed-stream', headers: { 'x-request-id': 'relayed-6' } }, (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          });
          req.on('error', reject);
        });
        const line = await eventually(() => Promise.resolve(lines().find((l) => l.msg === 'request aborted by the client')));
        expect(line).toMatchObject({ level: 'warn', requestId: 'relayed-6', aborted: true });
      } finally {
        server.closeAllConnections();
        await closeServer(server);
      }
    });
  });
});
