import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Lets request and response schemas carry `.openapi(...)` metadata; the same zod schemas that
// validate requests generate the document.
extendZodWithOpenApi(z);

export { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** A service's registry, with the bearer access-token scheme its protected routes refer to. */
export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  return registry;
}

export function generateDocument(registry: OpenAPIRegistry, title: string, version = '1.0.0'): OpenApiDocument {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title, version },
  });
}

/** A JSON request or response body for `registerPath`. */
export function jsonContent(schema: z.ZodType): { content: { 'application/json': { schema: z.ZodType } } } {
  return { content: { 'application/json': { schema } } };
}

/** Responses that only need a description, by status: `responses({ 200: 'Profile', 404: 'No such user' })`. */
export function responses(descriptions: Record<number, string>): Record<string, { description: string }> {
  return Object.fromEntries(Object.entries(descriptions).map(([status, description]) => [status, { description }]));
}

/** The error envelope (DESIGN §3), as the document shows it. */
export const Failure = z
  .object({
    success: z.literal(false),
    error: z.string(),
    code: z.number().int(),
    errorCode: z.string(),
    details: z.array(z.object({ path: z.string().optional(), message: z.string() }).loose()),
    requestId: z.string().optional(),
  })
  .openapi('Failure');

/** A success answer: `{success: true, data}`. */
export function okResponse(description: string, data: z.ZodType) {
  return { description, content: { 'application/json': { schema: z.object({ success: z.literal(true), data }) } } };
}

/** A page of a list: `{success: true, data: [...], meta: {limit, nextCursor}}`. */
export function pageResponse(description: string, item: z.ZodType) {
  const meta = z.object({ limit: z.number().int(), nextCursor: z.string().nullable() });
  return { description, content: { 'application/json': { schema: z.object({ success: z.literal(true), data: z.array(item), meta }) } } };
}

/** An answer in the error envelope. */
export function failureResponse(description: string) {
  return { description, content: { 'application/json': { schema: Failure } } };
}

/** `security` of a route that needs an access token (every service's document declares the scheme). */
export const BEARER_AUTH = [{ bearerAuth: [] }];
