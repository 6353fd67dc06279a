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
