import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  AppError,
  STATUS_BY_KIND,
  decodeCursor,
  encodeCursor,
  failure,
  ok,
  page,
  pageQuery,
  validate,
  type ErrorKind,
  type RequestSchemas,
} from '@qc/shared/http';

describe('AppError kinds', () => {
  it.each<[ErrorKind, number]>([
    ['invalid_input', 400],
    ['unauthenticated', 401],
    ['forbidden', 403],
    ['not_found', 404],
    ['conflict', 409],
    ['payload_too_large', 413],
    ['unsupported_media_type', 415],
    ['rule_violation', 422],
    ['rate_limited', 429],
    ['internal', 500],
    ['unavailable', 503],
  ])('when the kind is %s, then the status is %i', (kind, status) => {
    expect(STATUS_BY_KIND[kind]).toBe(status);
  });

  it('when every kind is listed, then no two kinds share a status', () => {
    const statuses = Object.values(STATUS_BY_KIND);
    expect(new Set(statuses).size).toBe(statuses.length);
  });

  it('when built with options, then it keeps kind, code, details, retry hint and cause', () => {
    const cause = new Error('pool exhausted');
    const err = new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'try later', {
      details: [{ path: 'x', message: 'y' }],
      retryAfterSeconds: 7,
      cause,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'AppError',
      kind: 'unavailable',
      code: 'DEPENDENCY_UNAVAILABLE',
      message: 'try later',
      retryAfterSeconds: 7,
    });
    expect(err.details).toEqual([{ path: 'x', message: 'y' }]);
    expect(err.cause).toBe(cause);
  });

  it('when built without options, then details are empty and there is no retry hint', () => {
    const err = new AppError('not_found', 'ORDER_NOT_FOUND', 'no such order');
    expect(err.details).toEqual([]);
    expect(err.retryAfterSeconds).toBeUndefined();
  });
});

describe('envelopes', () => {
  it('when data is wrapped without meta, then the envelope has no meta key', () => {
    expect(ok({ id: 'a' })).toStrictEqual({ success: true, data: { id: 'a' } });
  });

  it('when data is wrapped with meta, then meta is kept', () => {
    expect(ok([1, 2], { nextCursor: 'c', limit: 2 })).toStrictEqual({ success: true, data: [1, 2], meta: { nextCursor: 'c', limit: 2 } });
  });

  it('when a failure is built, then it has the seeds’ error envelope shape', () => {
    expect(failure(409, 'ORDER_NOT_CANCELLABLE', 'already shipped', [{ message: 'm' }], 'req-1')).toStrictEqual({
      success: false,
      error: 'already shipped',
      code: 409,
      errorCode: 'ORDER_NOT_CANCELLABLE',
      details: [{ message: 'm' }],
      requestId: 'req-1',
    });
  });
});

/** Runs the middleware on a request-shaped object and returns what it handed to next(). */
function runValidate(schemas: RequestSchemas, req: Partial<Request>): { error: unknown; req: Request } {
  let error: unknown = 'next not called';
  const request = { params: {}, query: {}, body: undefined, ...req } as Request;
  validate(schemas)(request, {} as Response, (err?: unknown) => {
    error = err;
  });
  return { error, req: request };
}

describe('validate', () => {
  const Body = z.strictObject({ name: z.string().min(1), quantity: z.number().int().positive() });

  it('when the body is valid, then next gets no error and the body is the parsed value', () => {
    const { error, req } = runValidate(
      { body: Body.extend({ note: z.string().default('none') }) },
      { body: { name: 'milk', quantity: 2 } },
    );
    expect(error).toBeUndefined();
    expect(req.body).toEqual({ name: 'milk', quantity: 2, note: 'none' });
  });

  it('when the body carries a field the strict schema does not know, then it is rejected as invalid_input', () => {
    const { error } = runValidate({ body: Body }, { body: { name: 'milk', quantity: 1, role: 'admin' } });
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ kind: 'invalid_input', code: 'VALIDATION_FAILED' });
    expect((error as AppError).details).toEqual([{ path: 'body', message: expect.stringContaining('role') }]);
  });

  it('when body, query and params are all wrong, then every issue is reported with its path', () => {
    const { error } = runValidate(
      {
        params: z.strictObject({ id: z.uuid() }),
        query: z.strictObject({ limit: z.coerce.number().int().max(100) }),
        body: Body,
      },
      { params: { id: 'nope' }, query: { limit: '500' } as Request['query'], body: { name: '', quantity: -1 } },
    );
    expect(error).toBeInstanceOf(AppError);
    const paths = (error as AppError).details.map((d) => d.path).sort();
    expect(paths).toEqual(['body.name', 'body.quantity', 'params.id', 'query.limit']);
    for (const detail of (error as AppError).details) expect(detail.message).toEqual(expect.any(String));
  });

  it('when the query is valid, then coerced values replace the raw strings', () => {
    const { error, req } = runValidate({ query: z.strictObject(pageQuery) }, { query: { limit: '5' } as Request['query'] });
    expect(error).toBeUndefined();
    expect(req.query).toEqual({ limit: 5 });
  });

  it('when no body was sent, then the schema sees an empty object', () => {
    const { error } = runValidate({ body: Body }, { body: undefined });
    expect((error as AppError).details.map((d) => d.path).sort()).toEqual(['body.name', 'body.quantity']);
  });
});

describe('paging', () => {
  it('when a position is encoded, then decoding returns it unchanged', () => {
    const position = `019a-${Math.random().toString(36).slice(2)}|2025-01-01T00:00:00Z`;
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(cursor).not.toContain(position);
    expect(decodeCursor(cursor)).toBe(position);
  });

  it('when no cursor is given, then there is no position', () => {
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it.each([
    ['garbage', 'not-base64-json!!'],
    ['JSON without p', Buffer.from(JSON.stringify({ q: 'x' })).toString('base64url')],
    ['p not a string', Buffer.from(JSON.stringify({ p: 5 })).toString('base64url')],
    ['JSON null', Buffer.from('null').toString('base64url')],
    ['empty', ''],
  ])('when the cursor is %s, then it is an invalid_input AppError', (_label, cursor) => {
    let thrown: unknown;
    try {
      decodeCursor(cursor);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ kind: 'invalid_input', code: 'INVALID_CURSOR' });
  });

  it('when more rows than the limit were fetched, then the page is trimmed and points past its last item', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const result = page(rows, 2, (r) => r.id);
    expect(result.items).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(result.meta.limit).toBe(2);
    expect(decodeCursor(result.meta.nextCursor ?? undefined)).toBe('b');
  });

  it.each([
    ['exactly the limit', 2],
    ['fewer than the limit', 1],
    ['no rows', 0],
  ])('when %s came back, then there is no next page', (_label, count) => {
    const rows = [{ id: 'a' }, { id: 'b' }].slice(0, count);
    const result = page(rows, 2, (r) => r.id);
    expect(result.items).toEqual(rows);
    expect(result.meta).toEqual({ limit: 2, nextCursor: null });
  });

  it('when the limit query is missing or out of range, then the default applies or it is rejected', () => {
    const query = z.strictObject(pageQuery);
    expect(query.parse({})).toEqual({ limit: 20 });
    expect(query.safeParse({ limit: '101' }).success).toBe(false);
    expect(query.safeParse({ limit: '0' }).success).toBe(false);
    expect(query.safeParse({ cursor: 'x'.repeat(501) }).success).toBe(false);
  });
});
