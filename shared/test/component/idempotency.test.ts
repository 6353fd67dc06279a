import type { RequestHandler } from 'express';
import request from 'supertest';
import { z } from 'zod';
import type { Role } from '@qc/shared/auth';
import { createDataSource, migrate, type DataSource } from '@qc/shared/db';
import { AppError, answers, createHttpApp, createRoutes, defineRoute } from '@qc/shared/http';
import { IdempotencyKeys, IdempotencyKeysTable1764806400000 } from '@qc/shared/idempotency';
import { Metrics } from '@qc/shared/metrics';
import { createOpenApiRegistry } from '@qc/shared/openapi';
import { createTestSchema, memoryLogger, rootQuery, type TestSchema } from '@qc/shared/testing';

const NewCharge = z.strictObject({ amount: z.number().int().positive() });
const ChargeView = z.object({ chargeNumber: z.number().int(), amount: z.number().int() });

/** The `x-test-user` header names the caller (scope of the keys). */
const fakeAuthentication: RequestHandler = (req, _res, next) => {
  const userId = req.get('x-test-user');
  if (userId) req.principal = { userId, role: 'customer' as Role, sessionId: 's', issuedAt: 0, expiresAt: 0 };
  next();
};

describe('Idempotency-Key on a route (real MariaDB)', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  let charges = 0;
  let gate: Promise<void> | undefined;
  let failNext: 'unavailable' | 'rule' | undefined;
  let app: ReturnType<typeof createHttpApp>;

  beforeAll(async () => {
    schema = await createTestSchema('shared_idempotency');
    dataSource = createDataSource({ url: schema.url, poolSize: 4, migrations: [IdempotencyKeysTable1764806400000] });
    await dataSource.initialize();
    await migrate(dataSource);
    const routes = createRoutes(createOpenApiRegistry());
    defineRoute(routes, {
      method: 'post',
      path: '/api/v1/charges',
      summary: 'Charge once per key',
      access: ['customer'],
      request: { body: NewCharge },
      response: answers.data('Charged', ChargeView, 201),
      idempotency: new IdempotencyKeys(dataSource),
      handler: async ({ body }) => {
        await gate;
        const failure = failNext;
        failNext = undefined;
        if (failure === 'unavailable') throw new AppError('unavailable', 'PROVIDER_DOWN', 'The provider is down');
        if (failure === 'rule') throw new AppError('rule_violation', 'CARD_DECLINED', 'The card was declined');
        charges += 1;
        return { chargeNumber: charges, amount: body.amount };
      },
    });
    app = createHttpApp({
      logger: memoryLogger('idempotency-test').logger,
      metrics: new Metrics('idempotency-test'),
      bodyLimit: '1kb',
      authenticate: fakeAuthentication,
      routes: [routes.router],
    });
  });

  afterAll(async () => {
    await dataSource.destroy();
    await schema.drop();
  });

  const charge = (key: string | undefined, amount: number, user = 'asha') => {
    const req = request(app).post('/api/v1/charges').set('x-test-user', user);
    return (key ? req.set('idempotency-key', key) : req).send({ amount });
  };

  it('when the same key and body come again, then the first answer is replayed and the handler ran once', async () => {
    const before = charges;
    const first = await charge('key-replay', 4999);
    const again = await charge('key-replay', 4999);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(charges).toBe(before + 1);
  });

  it('when the same key comes with another body, then 422 IDEMPOTENCY_KEY_REUSED and nothing runs', async () => {
    await charge('key-reused', 100);
    const before = charges;
    const other = await charge('key-reused', 200);
    expect(other.status).toBe(422);
    expect(other.body.errorCode).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(charges).toBe(before);
  });

  it('when a duplicate arrives while the first is running, then it gets 409 and only the first charges', async () => {
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    const before = charges;
    const first = charge('key-concurrent', 700);
    const firstDone = first.then((res) => res);
    await new Promise((r) => setTimeout(r, 200));
    const duplicate = await charge('key-concurrent', 700);
    open();
    gate = undefined;
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errorCode).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS');
    expect(duplicate.headers['retry-after']).toBe('1');
    expect((await firstDone).status).toBe(201);
    expect(charges).toBe(before + 1);
  });

  it('when the keys are the same but the callers differ, then each caller gets their own answer', async () => {
    const before = charges;
    await charge('key-shared', 300, 'asha');
    const other = await charge('key-shared', 300, 'ravi');
    expect(other.status).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(charges).toBe(before + 2);
  });

  it('when the first attempt failed with a 5xx, then the key is freed and a retry runs', async () => {
    failNext = 'unavailable';
    expect((await charge('key-retry-5xx', 900)).status).toBe(503);
    const retry = await charge('key-retry-5xx', 900);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('when the use case refused with a 4xx, then that refusal is what the key replays', async () => {
    failNext = 'rule';
    const first = await charge('key-declined', 500);
    const retry = await charge('key-declined', 500);
    expect(first.status).toBe(422);
    expect(retry.status).toBe(422);
    expect(retry.body.errorCode).toBe('CARD_DECLINED');
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('when the key is missing, then 400 IDEMPOTENCY_KEY_REQUIRED and nothing runs', async () => {
    const before = charges;
    const res = await charge(undefined, 100);
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('IDEMPOTENCY_KEY_REQUIRED');
    expect(charges).toBe(before);
  });

  it('when a claim was left unfinished by a process that died, then after the stale time a retry takes it over', async () => {
    const keys = new IdempotencyKeys(dataSource, { staleAfterMs: 1_000 });
    const fingerprint = IdempotencyKeys.fingerprint('POST', '/x', { a: 1 });
    const start = new Date();
    expect(await keys.claim('u', 'key-stale', fingerprint, start)).toEqual({ outcome: 'claimed' });
    await expect(keys.claim('u', 'key-stale', fingerprint, new Date(start.getTime() + 500))).rejects.toMatchObject({ kind: 'conflict' });
    expect(await keys.claim('u', 'key-stale', fingerprint, new Date(start.getTime() + 1_500))).toEqual({ outcome: 'claimed' });
  });

  it('when keys are past their retention, then purgeExpired deletes them and the key can be used afresh', async () => {
    const keys = new IdempotencyKeys(dataSource);
    const fingerprint = IdempotencyKeys.fingerprint('POST', '/x', { b: 2, a: 1 });
    expect(IdempotencyKeys.fingerprint('POST', '/x', { a: 1, b: 2 })).toBe(fingerprint);
    await keys.claim('u', 'key-old', fingerprint);
    await keys.complete('u', 'key-old', { status: 201, body: { done: true } });
    const later = new Date(Date.now() + 25 * 3_600_000);
    expect(await keys.purgeExpired(later)).toBeGreaterThanOrEqual(1);
    const rows = (await rootQuery(`SELECT COUNT(*) AS n FROM \`${schema.name}\`.idempotency_keys WHERE idempotency_key = 'key-old'`)) as {
      n: number;
    }[];
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
