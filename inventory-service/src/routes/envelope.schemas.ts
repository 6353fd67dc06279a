import { z } from 'zod';
import type { ZodType } from 'zod';
import type { OpenAPIRegistry } from '@qc/shared/openapi';

/** OpenAPI shapes of the envelope (DESIGN §3) around this service's views. */
export function okBody<T extends ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

export function pageBody<T extends ZodType>(item: T) {
  return z.object({
    success: z.literal(true),
    data: z.array(item),
    meta: z.object({ limit: z.number().int(), nextCursor: z.string().nullable() }),
  });
}

const ErrorBody = z.object({
  success: z.literal(false),
  error: z.string(),
  code: z.number().int(),
  errorCode: z.string(),
  details: z.array(z.object({ path: z.string().optional(), message: z.string() })),
  requestId: z.string().optional(),
});

const ERROR_DESCRIPTIONS = {
  400: 'Invalid input (unknown fields included)',
  401: 'No valid access token',
  403: 'The caller’s role may not do this',
  404: 'No such store, stock item or reservation',
  422: 'A stock rule refuses the change',
} as const;

export function errors(...statuses: (keyof typeof ERROR_DESCRIPTIONS)[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: ERROR_DESCRIPTIONS[status], content: { 'application/json': { schema: ErrorBody } } }]),
  );
}

export function json<T extends ZodType>(description: string, schema: T) {
  return { description, content: { 'application/json': { schema } } };
}

/** Admin routes say so in the document: a bearer access token (with the admin role). */
export const BEARER_AUTH = [{ bearerAuth: [] }];

export function registerBearerAuth(openapi: OpenAPIRegistry): void {
  openapi.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
}
