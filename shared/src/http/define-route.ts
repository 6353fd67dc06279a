import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { allow, anyone } from '../auth/middleware';
import type { Principal, Role } from '../auth/principal';
import { BEARER_AUTH, failureResponse, type OpenAPIRegistry } from '../openapi';
import { IdempotencyKeys, IDEMPOTENCY_KEY_HEADER, type StoredAnswer } from '../idempotency';
import { currentContext } from '../logging';
import { failure, ok } from './envelope';
import { AppError, STATUS_BY_KIND } from './errors';
import { validate, type RequestSchemas } from './validate';

/**
 * One way to declare an HTTP endpoint: method, path, who may call it, the zod schemas of its
 * params, query, headers, body and answer, and a handler with typed input. `defineRoute` registers
 * the OpenAPI operation (with its `security`), mounts the access rule and the validation, and
 * turns the handler's result into the success envelope. Routes adapt HTTP to a use case; the
 * business stays in `domain/`.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: anyone, or a signed-in caller with one of these roles (deny by default). */
export type Access = 'anyone' | readonly [Role, ...Role[]];

/** `{success: true, data}`, with `data` as the handler returns it; status 200 unless set. */
export interface DataAnswer<S extends z.ZodType = z.ZodType> {
  kind: 'data';
  status: number;
  description: string;
  schema: S;
}
/** `{success: true, data: [...], meta: {limit, nextCursor, ...}}`: a page of a list. */
export interface PageAnswer<S extends z.ZodType = z.ZodType> {
  kind: 'page';
  status: number;
  description: string;
  schema: S;
}
/** 204, no body. */
export interface EmptyAnswer {
  kind: 'empty';
  status: 204;
  description: string;
}
/**
 * The handler writes the answer itself through `res`: a cached body with its ETag, a stream of
 * Server-Sent Events, a CSV file, an HTML page, a document that is not in the envelope.
 */
export interface CustomAnswer {
  kind: 'custom';
  status: number;
  description: string;
  contentType: string;
  schema?: z.ZodType | undefined;
}
export type Answer = DataAnswer | PageAnswer | EmptyAnswer | CustomAnswer;

export const answers = {
  data: <S extends z.ZodType>(description: string, schema: S, status = 200): DataAnswer<S> => ({
    kind: 'data',
    status,
    description,
    schema,
  }),
  page: <S extends z.ZodType>(description: string, item: S): PageAnswer<S> => ({ kind: 'page', status: 200, description, schema: item }),
  empty: (description: string): EmptyAnswer => ({ kind: 'empty', status: 204, description }),
  custom: (description: string, contentType: string, schema?: z.ZodType, status = 200): CustomAnswer => ({
    kind: 'custom',
    status,
    description,
    contentType,
    schema,
  }),
};

/** A data answer with a status other than the route's usual one (`201` when a sign-in created the account). */
export class WithStatus<T> {
  constructor(
    readonly status: number,
    readonly data: T,
  ) {}
}
export const withStatus = <T>(status: number, data: T): WithStatus<T> => new WithStatus(status, data);

export interface PageResult<T> {
  items: T[];
  meta: { limit: number; nextCursor: string | null } & Record<string, unknown>;
}

/** Params, query and headers are objects (or objects piped through a transform), as OpenAPI lists them field by field. */
export type ParameterSchema = z.ZodObject | z.ZodPipe;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler is given: the validated input, the caller, and the raw exchange for headers. */
export interface RouteInput<A extends Access, P, Q, H, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  headers: Parsed<H>;
  body: Parsed<B>;
  /** The verified caller; always present on a route that admits only roles. */
  principal: A extends 'anyone' ? Principal | undefined : Principal;
  req: Request;
  res: Response;
}

type HandlerResult<R extends Answer> =
  R extends DataAnswer<infer S> ? z.input<S> | WithStatus<z.input<S>> : R extends PageAnswer<infer S> ? PageResult<z.input<S>> : void;

export interface RouteSpec<A extends Access, P, Q, H, B, R extends Answer> {
  method: Method;
  /** OpenAPI form, `{name}` for a parameter: `/api/v1/orders/{orderId}`. */
  path: string;
  summary: string;
  description?: string;
  access: A;
  request?: { params?: P; query?: Q; headers?: H; body?: B };
  response: R;
  /** Failure answers beyond those the platform adds (400 with a request schema, 401/403 with roles). */
  errors?: Record<number, string>;
  /**
   * Makes the route take a required `Idempotency-Key` header with Stripe's semantics (see
   * `@qc/shared/idempotency`): the first answer to a key is stored and replayed. Data answers only.
   */
  idempotency?: IdempotencyKeys;
  handler: (input: RouteInput<A, P, Q, H, B>) => Promise<HandlerResult<R>> | HandlerResult<R>;
}

/** Where a service's routes go: one strict, case-sensitive router, and the service's OpenAPI registry. */
export interface Routes {
  router: Router;
  openapi: OpenAPIRegistry;
}

/**
 * A router for `defineRoute`. Strict and case-sensitive: `/auth/login/` and `/Auth/Login` are not
 * `/auth/login`, so no rule keyed on a path can be stepped around by spelling it differently.
 */
export function createRoutes(openapi: OpenAPIRegistry): Routes {
  return { router: Router({ strict: true, caseSensitive: true }), openapi };
}

const PATH_PARAMETER = /\{(\w+)\}/g;

export function defineRoute<
  A extends Access,
  R extends Answer,
  P extends ParameterSchema | undefined = undefined,
  Q extends ParameterSchema | undefined = undefined,
  H extends ParameterSchema | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(routes: Routes, spec: RouteSpec<A, P, Q, H, B, R>): void {
  routes.openapi.registerPath(operationOf(spec));
  const { params, query, headers, body } = spec.request ?? {};
  const access: Access = spec.access;
  const rule: RequestHandler = access === 'anyone' ? anyone : allow(...access);
  const checks = validate({ params, query, headers, body } as RequestSchemas);
  const handle: RequestHandler = async (req, res) => {
    // `validate` replaced each part with its parsed value; the schemas above are what made them so.
    const input = {
      params: req.params,
      query: req.query,
      headers: headers ? req.validatedHeaders : undefined,
      body: body ? req.body : undefined,
      principal: req.principal,
      req,
      res,
    } as RouteInput<A, P, Q, H, B>;
    const result: unknown = await spec.handler(input);
    sendAnswer(res, spec.response, result);
  };
  const idempotency = spec.idempotency;
  if (idempotency && spec.response.kind !== 'data') throw new Error(`${spec.path}: Idempotency-Key needs a data answer`);
  routes.router[spec.method](
    spec.path.replace(PATH_PARAMETER, ':$1'),
    rule,
    checks,
    idempotency ? onceByKey(idempotency, spec.response as DataAnswer, spec.handler as (input: unknown) => unknown) : handle,
  );
}

const IdempotencyKeyHeader = z.object({
  [IDEMPOTENCY_KEY_HEADER]: z.string().min(1).max(255).openapi({ description: 'Retries with the same key replay the first answer' }),
});

/**
 * The handler behind an `Idempotency-Key`: claims the key, runs the handler once, stores its answer
 * (a success, or a 4xx the use case decided), and replays it for a retry. A 5xx or a crash frees
 * the key, so the client's retry runs again.
 */
function onceByKey(keys: IdempotencyKeys, answer: DataAnswer, handler: (input: unknown) => unknown): RequestHandler {
  return async (req, res) => {
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    if (!key || key.length > 255) {
      throw new AppError(
        'invalid_input',
        'IDEMPOTENCY_KEY_REQUIRED',
        'Send an Idempotency-Key header (1 to 255 characters) with this request',
      );
    }
    const scope = req.principal?.userId ?? 'anonymous';
    const claim = await keys.claim(scope, key, IdempotencyKeys.fingerprint(req.method, req.originalUrl, req.body));
    if (claim.outcome === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(claim.answer.status).json(claim.answer.body);
      return;
    }
    let stored: StoredAnswer;
    try {
      const input = {
        params: req.params,
        query: req.query,
        headers: req.validatedHeaders,
        body: req.body,
        principal: req.principal,
        req,
        res,
      };
      const result = await handler(input);
      stored =
        result instanceof WithStatus ? { status: result.status, body: ok(result.data) } : { status: answer.status, body: ok(result) };
    } catch (err) {
      const status = err instanceof AppError ? STATUS_BY_KIND[err.kind] : 500;
      if (err instanceof AppError && status < 500) {
        const body = failure(status, err.code, err.message, err.details, currentContext()?.requestId);
        await keys.complete(scope, key, { status, body });
      } else {
        await keys.release(scope, key);
      }
      throw err;
    }
    await keys.complete(scope, key, stored);
    res.status(stored.status).json(stored.body);
  };
}

function sendAnswer(res: Response, answer: Answer, result: unknown): void {
  switch (answer.kind) {
    case 'data':
      if (result instanceof WithStatus) res.status(result.status).json(ok(result.data));
      else res.status(answer.status).json(ok(result));
      return;
    case 'page': {
      const { items, meta } = result as PageResult<unknown>;
      res.status(answer.status).json(ok(items, meta));
      return;
    }
    case 'empty':
      res.status(204).end();
      return;
    case 'custom':
      if (!res.headersSent && !res.writableEnded)
        throw new Error(`a custom answer's handler must write it (${res.req.method} ${res.req.path})`);
  }
}

const jsonBody = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

function successResponse(answer: Answer) {
  switch (answer.kind) {
    case 'data':
      return { description: answer.description, ...jsonBody(envelopeOf(answer.schema)) };
    case 'page':
      return { description: answer.description, ...jsonBody(pageEnvelopeOf(answer.schema)) };
    case 'empty':
      return { description: answer.description };
    case 'custom':
      return answer.schema
        ? { description: answer.description, content: { [answer.contentType]: { schema: answer.schema } } }
        : { description: answer.description };
  }
}

const envelopeOf = (data: z.ZodType) => z.object({ success: z.literal(true), data });
const pageEnvelopeOf = (item: z.ZodType) =>
  z.object({
    success: z.literal(true),
    data: z.array(item),
    meta: z.object({ limit: z.number().int(), nextCursor: z.string().nullable() }).loose(),
  });

const PLATFORM_ERRORS = {
  400: 'Invalid input (unknown fields included)',
  401: 'No valid access token',
  403: 'The caller’s role may not do this',
} as const;

function operationOf<
  A extends Access,
  P extends ParameterSchema | undefined,
  Q extends ParameterSchema | undefined,
  H extends ParameterSchema | undefined,
  B extends z.ZodType | undefined,
  R extends Answer,
>(spec: RouteSpec<A, P, Q, H, B, R>) {
  const request = spec.request ?? {};
  const failures: Record<number, string> = {};
  if (request.params || request.query || request.headers || request.body || spec.idempotency) failures[400] = PLATFORM_ERRORS[400];
  if (spec.idempotency) {
    Object.assign(failures, {
      409: 'A request with this Idempotency-Key is still being processed',
      422: 'This Idempotency-Key was used for a different request',
    });
  }
  if (spec.access !== 'anyone') Object.assign(failures, { 401: PLATFORM_ERRORS[401], 403: PLATFORM_ERRORS[403] });
  Object.assign(failures, spec.errors);
  const access: Access = spec.access;
  const who = access === 'anyone' ? 'Anyone may call this.' : `Who may call this: ${access.join(', ')}.`;
  return {
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    description: spec.description ? `${spec.description}\n\n${who}` : who,
    tags: [tagOf(spec.path)],
    ...(spec.access === 'anyone' ? {} : { security: BEARER_AUTH }),
    request: {
      ...(request.params ? { params: request.params } : {}),
      ...(request.query ? { query: request.query } : {}),
      ...(request.headers || spec.idempotency
        ? {
            headers:
              spec.idempotency && request.headers
                ? mergeHeaders(request.headers, IdempotencyKeyHeader)
                : (request.headers ?? IdempotencyKeyHeader),
          }
        : {}),
      ...(request.body ? { body: jsonBody(request.body) } : {}),
    },
    responses: {
      [spec.response.status]: successResponse(spec.response),
      ...Object.fromEntries(Object.entries(failures).map(([status, description]) => [status, failureResponse(description)])),
    },
  };
}

function mergeHeaders(declared: ParameterSchema, idempotency: z.ZodObject): ParameterSchema {
  return declared instanceof z.ZodObject ? declared.extend(idempotency.shape) : declared;
}

/** The operation's tag: the resource after the version (`/api/v1/orders/...` → `orders`). */
function tagOf(path: string): string {
  const [, first, second, third] = path.split('/');
  return first === 'api' && third ? third : (second ?? first ?? 'root');
}
