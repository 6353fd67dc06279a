import { Router, type Express } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { AppError, createHttpApp, ok, validate } from '@qc/shared/http';
import type { TrustedProxies } from '@qc/shared/config';
import { currentContext } from '@qc/shared/logging';
import { memoryLogger } from '@qc/shared/testing';
import { Metrics } from '@qc/shared/metrics';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INTERNAL_DETAIL = 'pool qc_order@10.0.0.7 exhausted: password=hunter2';

interface TestApp {
  app: Express;
  metrics: Metrics;
  logs: () => Record<string, unknown>[];
}

/** A real createHttpApp with a tiny router; logs go to memory so tests can read them. */
function buildApp(options: { corsOrigins?: string[]; bodyLimit?: string; trustedProxies?: TrustedProxies } = {}): TestApp {
  const { logger, lines: logs } = memoryLogger('http-app-test');
  const metrics = new Metrics('http-app-test');
  const CreateItem = z.strictObject({ name: z.string().min(1), quantity: z.number().int().positive() });
  const routes = Router()
    .post('/items', validate({ body: CreateItem }), (req, res) => void res.status(201).json(ok(req.body)))
    .get('/items/:id', (req, res) => void res.json(ok({ id: req.params.id, requestId: currentContext()?.requestId })))
    .get('/client', (req, res) => void res.json(ok({ ip: req.ip, protocol: req.protocol })))
    .get('/boom', () => {
      throw new Error(INTERNAL_DETAIL);
    })
    .get('/boom-async', async () => {
      await new Promise((r) => setImmediate(r));
      throw new TypeError(INTERNAL_DETAIL);
    })
    .get('/busy', () => {
      throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'payment-service is unavailable', { retryAfterSeconds: 2.5 });
    });
  const operational = Router().get('/health/live', (_req, res) => void res.json({ status: 'pass' }));
  const app = createHttpApp({
    logger,
    metrics,
    bodyLimit: options.bodyLimit ?? '1kb',
    corsOrigins: options.corsOrigins,
    trustedProxies: options.trustedProxies,
    operational: [operational],
    routes: [routes],
  });
  return { app, metrics, logs };
}

async function unhandledCount(metrics: Metrics): Promise<number> {
  return (await metrics.unhandledErrors.get()).values.reduce((sum, v) => sum + v.value, 0);
}

describe('createHttpApp', () => {
  describe('request bodies', () => {
    it('when the body is malformed JSON, then it answers 400 MALFORMED_JSON with the request id', async () => {
      const { app, metrics } = buildApp();
      const res = await request(app)
        .post('/items')
        .set('content-type', 'application/json')
        .set('x-request-id', 'req-malformed-1')
        .send('{"name": "milk", ');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: expect.any(String),
        code: 400,
        errorCode: 'MALFORMED_JSON',
        details: [],
        requestId: 'req-malformed-1',
      });
      expect(await unhandledCount(metrics)).toBe(0);
    });

    it('when the body is larger than the limit, then it answers 413 in the error envelope', async () => {
      const { app } = buildApp({ bodyLimit: '1kb' });
      const res = await request(app)
        .post('/items')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ name: 'x'.repeat(4_096), quantity: 1 }));
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ success: false, code: 413, errorCode: 'PAYLOAD_TOO_LARGE', requestId: expect.stringMatching(UUID) });
    });

    it('when a body is sent as text/plain, then it answers 415 without parsing it', async () => {
      const { app } = buildApp();
      const res = await request(app).post('/items').set('content-type', 'text/plain').send('name=milk');
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ success: false, code: 415, errorCode: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('when a body is sent as form data, then it answers 415', async () => {
      const { app } = buildApp();
      const res = await request(app).post('/items').type('form').send({ name: 'milk', quantity: 1 });
      expect(res.status).toBe(415);
    });

    it('when the body is JSON with a charset, then the route receives it', async () => {
      const { app } = buildApp();
      const res = await request(app)
        .post('/items')
        .set('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ name: 'milk', quantity: 2 }));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ success: true, data: { name: 'milk', quantity: 2 } });
    });

    it('when the body has an unknown field, then it answers 400 VALIDATION_FAILED with the details', async () => {
      const { app } = buildApp();
      const res = await request(app).post('/items').send({ name: '', quantity: 1, isAdmin: true });
      expect(res.status).toBe(400);
      expect(res.body.errorCode).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual(
        expect.arrayContaining([
          { path: 'body.name', message: expect.any(String) },
          { path: 'body', message: expect.stringContaining('isAdmin') },
        ]),
      );
    });
  });

  describe('errors', () => {
    it('when no route matches, then it answers 404 ROUTE_NOT_FOUND in the envelope', async () => {
      const { app } = buildApp();
      const res = await request(app).get('/nothing/here').set('x-request-id', 'req-404');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        success: false,
        error: expect.any(String),
        code: 404,
        errorCode: 'ROUTE_NOT_FOUND',
        details: [],
        requestId: 'req-404',
      });
    });

    it.each(['/boom', '/boom-async'])(
      'when %s throws something that is not an AppError, then it answers a generic 500 without internals and counts the bug',
      async (path) => {
        const { app, metrics, logs } = buildApp();
        const before = await unhandledCount(metrics);
        const res = await request(app).get(path).set('x-request-id', 'req-bug');
        expect(res.status).toBe(500);
        expect(res.body).toEqual({
          success: false,
          error: 'Internal server error',
          code: 500,
          errorCode: 'INTERNAL',
          details: [],
          requestId: 'req-bug',
        });
        expect(res.text).not.toContain('hunter2');
        expect(res.text).not.toContain('exhausted');
        expect(res.text).not.toMatch(/at .*\.ts:\d+/);
        expect(res.text).not.toContain('stack');
        expect(await unhandledCount(metrics)).toBe(before + 1);
        // The bug is logged with its stack, for the people who fix it.
        const logged = logs().find((l) => l.msg === 'unhandled error');
        expect(logged).toMatchObject({ requestId: 'req-bug', err: { stack: expect.stringContaining('exhausted') } });
      },
    );

    it('when the app keeps serving after a bug, then the next request succeeds', async () => {
      const { app } = buildApp();
      await request(app).get('/boom');
      const res = await request(app).get('/items/abc');
      expect(res.status).toBe(200);
    });

    it('when an AppError carries a retry hint, then the status and Retry-After header follow it', async () => {
      const { app, metrics } = buildApp();
      const res = await request(app).get('/busy');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('3');
      expect(res.body).toMatchObject({ errorCode: 'DEPENDENCY_UNAVAILABLE', error: 'payment-service is unavailable' });
      expect(await unhandledCount(metrics)).toBe(0);
    });
  });

  describe('request ids', () => {
    it('when a well-formed x-request-id is sent, then it is kept, echoed and in the request context', async () => {
      const { app } = buildApp();
      const res = await request(app).get('/items/7').set('x-request-id', 'gw-01:abc.DEF_9-z');
      expect(res.headers['x-request-id']).toBe('gw-01:abc.DEF_9-z');
      expect(res.body.data.requestId).toBe('gw-01:abc.DEF_9-z');
    });

    it.each([
      ['spaces and quotes', 'abc "injected" def'],
      ['a backslash escape', 'abc\\ndef'],
      ['too long', 'a'.repeat(129)],
    ])('when the x-request-id has %s, then a fresh UUID replaces it', async (_label, incoming) => {
      const { app } = buildApp();
      const res = await request(app).get('/items/7').set('x-request-id', incoming);
      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(res.headers['x-request-id']).not.toBe(incoming);
      expect(res.body.data.requestId).toBe(res.headers['x-request-id']);
    });

    it('when no x-request-id is sent, then each request gets its own UUID', async () => {
      const { app } = buildApp();
      const [a, b] = await Promise.all([request(app).get('/items/1'), request(app).get('/items/2')]);
      expect(a.headers['x-request-id']).toMatch(UUID);
      expect(b.headers['x-request-id']).toMatch(UUID);
      expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    });
  });

  describe('security headers and CORS', () => {
    it('when any response is sent, then helmet’s security headers are present and x-powered-by is not', async () => {
      const { app } = buildApp();
      for (const path of ['/items/1', '/nothing', '/health/live']) {
        const res = await request(app).get(path);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('when no origins are configured, then a cross-origin request gets no CORS grant', async () => {
      const { app } = buildApp();
      const res = await request(app).get('/items/1').set('origin', 'https://evil.example');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await request(app)
        .options('/items')
        .set('origin', 'https://evil.example')
        .set('access-control-request-method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('when an origin is configured, then it is granted and other origins are not', async () => {
      const { app } = buildApp({ corsOrigins: ['https://shop.example'] });
      const allowed = await request(app).get('/items/1').set('origin', 'https://shop.example');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example');
      const preflight = await request(app)
        .options('/items')
        .set('origin', 'https://shop.example')
        .set('access-control-request-method', 'POST');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://shop.example');
      const other = await request(app).get('/items/1').set('origin', 'https://evil.example');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('client address behind proxies', () => {
    // supertest connects from loopback (::ffff:127.0.0.1 or 127.0.0.1).
    it('when no proxy is trusted (the default), then X-Forwarded-For and -Proto are ignored: the client is the connection', async () => {
      const { app } = buildApp();
      for (const chain of ['203.0.113.9', '198.51.100.1, 203.0.113.9']) {
        const res = await request(app).get('/client').set('x-forwarded-for', chain).set('x-forwarded-proto', 'https');
        expect(res.body.data).toEqual({ ip: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/), protocol: 'http' });
      }
    });

    it.each([
      ['a public client behind the proxy', '203.0.113.9', '203.0.113.9'],
      ['a client behind a listed private-network proxy', '203.0.113.9, 10.0.0.5', '203.0.113.9'],
      ['an address the client wrote before the proxies', '198.51.100.1, 203.0.113.9, 10.0.0.5', '203.0.113.9'],
      ['a chain through a private proxy that is not listed', '203.0.113.9, 192.168.1.7', '192.168.1.7'],
    ])(
      'when loopback and 10.0.0.0/8 are trusted and the forwarded chain is %s, then the client is the last untrusted address, every time it is asked',
      async (_case, chain, client) => {
        const { app } = buildApp({ trustedProxies: ['loopback', '10.0.0.0/8'] });
        for (let attempt = 0; attempt < 2; attempt++) {
          const res = await request(app).get('/client').set('x-forwarded-for', chain).set('x-forwarded-proto', 'https');
          expect(res.body.data).toEqual({ ip: client, protocol: 'https' });
        }
      },
    );

    it('when one hop is trusted, then the client is the address that hop saw, whatever was written before it', async () => {
      const { app } = buildApp({ trustedProxies: 1 });
      const res = await request(app).get('/client').set('x-forwarded-for', '198.51.100.1, 203.0.113.9');
      expect(res.body.data.ip).toBe('203.0.113.9');
    });
  });
});
