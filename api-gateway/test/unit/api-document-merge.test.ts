import { SERVICES } from '@qc/shared/fleet';
import { mergeApiDocuments } from '../../src/openapi';
import { RouteTable } from '../../src/routing/route-table';

const routes = new RouteTable(SERVICES);
const doc = (paths: Record<string, unknown>, components: Record<string, unknown> = {}) => ({
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths,
  components,
});
const op = (ref?: string) => ({
  get: { responses: { 200: { description: 'ok', ...(ref ? { content: { 'application/json': { schema: { $ref: ref } } } } : {}) } } },
});

describe('merging API documents', () => {
  it('when a service documents a path the gateway does not route to it, then that path is left out', () => {
    const merged = mergeApiDocuments(
      [{ service: 'order-service', document: doc({ '/api/v1/orders': op(), '/api/v1/products': op(), '/internal/debug': op() }) }],
      [],
      routes,
    );
    expect(Object.keys(merged.paths)).toEqual(['/api/v1/orders']);
  });

  it('when an operation has no tags, then it is tagged with its service, and each service gets a tag', () => {
    const merged = mergeApiDocuments(
      [{ service: 'cart-service', document: doc({ '/api/v1/carts': { ...op(), parameters: [] } }) }],
      [],
      routes,
    );
    expect(merged.paths['/api/v1/carts']).toMatchObject({ get: { tags: ['cart-service'] }, parameters: [] });
    expect(merged.tags).toEqual([{ name: 'cart-service', description: 'Served by cart-service' }]);
  });

  it("when two services define the same component differently, then both are kept and the second one's references follow its new name", () => {
    const orderCursor = { type: 'string', description: 'order cursor' };
    const productCursor = { type: 'object' };
    const merged = mergeApiDocuments(
      [
        {
          service: 'order-service',
          document: doc({ '/api/v1/orders': op('#/components/schemas/Cursor') }, { schemas: { Cursor: orderCursor } }),
        },
        {
          service: 'product-service',
          document: doc({ '/api/v1/products': op('#/components/schemas/Cursor') }, { schemas: { Cursor: productCursor } }),
        },
      ],
      [],
      routes,
    );
    expect(merged.components.schemas).toEqual({ Cursor: orderCursor, 'product-service.Cursor': productCursor });
    const schemaOf = (path: string) =>
      (merged.paths[path] as { get: { responses: { 200: { content: { 'application/json': { schema: unknown } } } } } }).get.responses[200]
        .content['application/json'].schema;
    expect(schemaOf('/api/v1/orders')).toEqual({ $ref: '#/components/schemas/Cursor' });
    expect(schemaOf('/api/v1/products')).toEqual({ $ref: '#/components/schemas/product-service.Cursor' });
  });

  it('when two services define the same component identically, then it is kept once', () => {
    const money = { type: 'object', properties: { amount: { type: 'integer' } } };
    const merged = mergeApiDocuments(
      [
        { service: 'order-service', document: doc({}, { schemas: { Money: money } }) },
        { service: 'payment-service', document: doc({}, { schemas: { Money: money } }) },
      ],
      [],
      routes,
    );
    expect(merged.components.schemas).toEqual({ Money: money });
  });

  it('when a service was unreachable or served something that is not OpenAPI 3.1, then it is listed in x-unavailable', () => {
    const merged = mergeApiDocuments([{ service: 'user-service', document: { swagger: '2.0' } }], ['order-service'], routes);
    expect(merged['x-unavailable']).toEqual(['order-service', 'user-service']);
    expect(merged.paths).toEqual({});
  });
});
