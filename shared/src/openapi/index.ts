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

/**
 * Documents an endpoint that is not declared with `defineRoute`: the gateway's own operational
 * endpoints (health, metrics, this document), which answer before any route.
 */
export function documentOperationalEndpoint(
  registry: OpenAPIRegistry,
  endpoint: { path: string; tag: string; summary: string; responses: Record<number, string> },
): void {
  registry.registerPath({
    method: 'get',
    path: endpoint.path,
    tags: [endpoint.tag],
    summary: endpoint.summary,
    responses: Object.fromEntries(Object.entries(endpoint.responses).map(([status, description]) => [status, { description }])),
  });
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

/** An answer in the error envelope. */
export function failureResponse(description: string) {
  return { description, content: { 'application/json': { schema: Failure } } };
}

/** `security` of a route that needs an access token (every service's document declares the scheme); `defineRoute` sets it. */
export const BEARER_AUTH = [{ bearerAuth: [] }];
