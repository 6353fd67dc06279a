import { z } from 'zod';
import { pageQuery } from '@qc/shared/http';
import { createOpenApiRegistry, generateDocument } from '@qc/shared/openapi';

describe('generateDocument', () => {
  it('when a route registers its zod schemas, then the document is OpenAPI 3.1 and describes them', () => {
    const registry = createOpenApiRegistry();
    const Query = z.strictObject({ ...pageQuery, type: z.string().optional() });
    const Body = z.strictObject({ sku: z.string(), price: z.object({ amount: z.number().int(), currency: z.literal('INR') }) });
    registry.registerPath({
      method: 'post',
      path: '/api/v1/products',
      request: { query: Query, body: { content: { 'application/json': { schema: Body } } } },
      responses: { 201: { description: 'created' } },
    });
    const document = generateDocument(registry, 'product-service');
    expect(document).toMatchObject({ openapi: '3.1.0', info: { title: 'product-service', version: '1.0.0' } });
    const operation = document.paths?.['/api/v1/products']?.post;
    expect(operation?.parameters?.map((p) => ('name' in p ? p.name : undefined)).sort()).toEqual(['cursor', 'limit', 'type']);
    const schema = (operation?.requestBody as { content: Record<string, { schema: Record<string, unknown> }> }).content['application/json']!
      .schema;
    expect(schema).toMatchObject({ type: 'object', required: ['sku', 'price'], additionalProperties: false });
  });
});
