import type { RequestHandler } from 'express';
import request from 'supertest';
import { z } from 'zod';
import type { Principal, Role } from '@qc/shared/auth';
import { AppError, answers, createHttpApp, createRoutes, defineRoute, withStatus } from '@qc/shared/http';
import { Metrics } from '@qc/shared/metrics';
import { createOpenApiRegistry, generateDocument } from '@qc/shared/openapi';
import { memoryLogger } from '@qc/shared/testing';

const ItemParams = z.strictObject({ itemId: z.uuid() });
const ItemView = z.object({ id: z.string(), name: z.string(), owner: z.string() });
const NewItem = z.strictObject({ name: z.string().min(1) });
const ListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(5).default(2) });
const ITEM_ID = '019a0000-0000-7000-8000-000000000001';

/** A stand-in for token verification: the `x-test-role` header names the caller's role. */
const fakeAuthentication: RequestHandler = (req, _res, next) => {
  const role = req.get('x-test-role') as Role | undefined;
  if (role) req.principal = { userId: `user-${role}`, role, sessionId: 's', issuedAt: 0, expiresAt: 0 } satisfies Principal;
  next();
};

function buildApp() {
  const openapi = createOpenApiRegistry();
  const routes = createRoutes(openapi);
  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/items/{itemId}',
    summary: 'One item',
    access: ['customer', 'admin'],
    request: { params: ItemParams },
    response: answers.data('The item', ItemView),
    errors: { 404: 'No such item' },
    // The handler's input is typed from the schemas: `params.itemId` is a string, `principal` is set.
    handler: ({ params, principal }) => ({ id: params.itemId, name: 'milk', owner: principal.userId }),
  });
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/items',
    summary: 'Create an item',
    access: ['admin'],
    request: { body: NewItem },
    response: answers.data('Created', ItemView, 201),
    handler: ({ body }) =>
      body.name === 'existing'
        ? withStatus(200, { id: ITEM_ID, name: body.name, owner: 'x' })
        : { id: ITEM_ID, name: body.name, owner: 'x' },
  });
  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/items',
    summary: 'A page of items',
    access: 'anyone',
    request: { query: ListQuery },
    response: answers.page('Items', ItemView),
    handler: ({ query, principal }) => ({
      items: Array.from({ length: query.limit }, (_, i) => ({ id: String(i), name: 'n', owner: principal?.userId ?? 'nobody' })),
      meta: { limit: query.limit, nextCursor: null },
    }),
  });
  defineRoute(routes, {
    method: 'delete',
    path: '/api/v1/items/{itemId}',
    summary: 'Delete an item',
    access: ['admin'],
    request: { params: ItemParams },
    response: answers.empty('Deleted'),
    handler: ({ params }) => {
      if (params.itemId !== ITEM_ID) throw new AppError('not_found', 'ITEM_NOT_FOUND', 'No such item');
    },
  });
  const app = createHttpApp({
    logger: memoryLogger('define-route-test').logger,
    metrics: new Metrics('define-route-test'),
    bodyLimit: '1kb',
    authenticate: fakeAuthentication,
    routes: [routes.router],
  });
  return { app, document: () => generateDocument(openapi, 'test') };
}

describe('defineRoute', () => {
  const { app, document } = buildApp();

  it('when the caller has an admitted role and valid params, then the handler answers in the success envelope', async () => {
    const res = await request(app).get(`/api/v1/items/${ITEM_ID}`).set('x-test-role', 'customer');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { id: ITEM_ID, name: 'milk', owner: 'user-customer' } });
  });

  it('when no one is signed in, then a role route answers 401; with another role 403', async () => {
    expect((await request(app).get(`/api/v1/items/${ITEM_ID}`)).status).toBe(401);
    expect((await request(app).get(`/api/v1/items/${ITEM_ID}`).set('x-test-role', 'delivery_partner')).status).toBe(403);
  });

  it('when params, query or body are invalid or carry unknown fields, then 400 VALIDATION_FAILED names them', async () => {
    const badParam = await request(app).get('/api/v1/items/not-a-uuid').set('x-test-role', 'admin');
    expect(badParam.status).toBe(400);
    expect(badParam.body.details[0].path).toBe('params.itemId');
    const unknownField = await request(app).post('/api/v1/items').set('x-test-role', 'admin').send({ name: 'x', price: 1 });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errorCode).toBe('VALIDATION_FAILED');
    expect((await request(app).get('/api/v1/items?limit=50')).status).toBe(400);
  });

  it('when the path is spelled with a trailing slash, another case or a doubled slash, then no route matches', async () => {
    for (const path of [`/api/v1/items/${ITEM_ID}/`, `/API/v1/items/${ITEM_ID}`, `/api/v1//items/${ITEM_ID}`]) {
      expect((await request(app).get(path).set('x-test-role', 'admin')).status).toBe(404);
    }
  });

  it('when the answer is declared 201, 204 or a page, then status and envelope follow it; withStatus overrides', async () => {
    const created = await request(app).post('/api/v1/items').set('x-test-role', 'admin').send({ name: 'eggs' });
    expect(created.status).toBe(201);
    const existing = await request(app).post('/api/v1/items').set('x-test-role', 'admin').send({ name: 'existing' });
    expect(existing.status).toBe(200);
    const deleted = await request(app).delete(`/api/v1/items/${ITEM_ID}`).set('x-test-role', 'admin');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const list = await request(app).get('/api/v1/items?limit=3');
    expect(list.body).toMatchObject({ success: true, meta: { limit: 3, nextCursor: null } });
    expect(list.body.data).toHaveLength(3);
    expect(list.body.data[0].owner).toBe('nobody');
  });

  it('when a handler throws an AppError, then the shared error envelope answers it', async () => {
    const res = await request(app).delete('/api/v1/items/019a0000-0000-7000-8000-00000000ffff').set('x-test-role', 'admin');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, code: 404, errorCode: 'ITEM_NOT_FOUND' });
  });

  it('when the document is generated, then each operation carries its security, parameters and failure answers', () => {
    const paths = document().paths!;
    const one = paths['/api/v1/items/{itemId}']!.get!;
    expect(one.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(one.responses!).sort()).toEqual(['200', '400', '401', '403', '404']);
    expect(one.description).toContain('customer, admin');
    expect(one.tags).toEqual(['items']);
    const list = paths['/api/v1/items']!.get!;
    expect(list.security).toBeUndefined();
    expect(Object.keys(list.responses!).sort()).toEqual(['200', '400']);
    expect(Object.keys(paths['/api/v1/items']!.post!.responses!)).toContain('201');
  });
});
