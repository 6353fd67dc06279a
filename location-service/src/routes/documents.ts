import { z } from 'zod';
import '@qc/shared/openapi';

/** OpenAPI descriptions of the envelope (DESIGN §3) around a route's data. */
export function okResponse(description: string, data: z.ZodType) {
  return { description, content: { 'application/json': { schema: z.object({ success: z.literal(true), data }) } } };
}

export function pageResponse(description: string, item: z.ZodType) {
  const meta = z.object({ limit: z.number().int(), nextCursor: z.string().nullable() });
  return { description, content: { 'application/json': { schema: z.object({ success: z.literal(true), data: z.array(item), meta }) } } };
}

const Failure = z
  .object({
    success: z.literal(false),
    error: z.string(),
    code: z.number().int(),
    errorCode: z.string(),
    details: z.array(z.object({ path: z.string().optional(), message: z.string() }).loose()),
    requestId: z.string().optional(),
  })
  .openapi('Failure');

export function failureResponse(description: string) {
  return { description, content: { 'application/json': { schema: Failure } } };
}

/** The failures of an admin route: bad input, no token, wrong role. */
export const adminFailures = {
  400: failureResponse('invalid input (VALIDATION_FAILED, INVALID_POLYGON)'),
  401: failureResponse('no valid access token'),
  403: failureResponse('not an admin'),
};
