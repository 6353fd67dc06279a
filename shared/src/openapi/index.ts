import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Lets request and response schemas carry `.openapi(...)` metadata; the same zod schemas that
// validate requests generate the document.
extendZodWithOpenApi(z);

export { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

export function createOpenApiRegistry(): OpenAPIRegistry {
  return new OpenAPIRegistry();
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
