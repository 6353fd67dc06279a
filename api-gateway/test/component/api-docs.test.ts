import { jsonOf, type RunningGateway, startGateway, startUpstream, type FakeUpstream } from '../fixtures';

const ordersDocument = {
  openapi: '3.1.0',
  info: { title: 'order-service', version: '1.0.0' },
  paths: {
    '/api/v1/orders': { post: { summary: 'Place an order', responses: { 201: { description: 'Placed' } } } },
    '/api/v1/orders/{id}': { get: { summary: 'One order', responses: { 200: { description: 'The order' } } } },
  },
  components: { schemas: { Money: { type: 'object', properties: { amount: { type: 'integer' }, currency: { type: 'string' } } } } },
};
const productsDocument = {
  openapi: '3.1.0',
  info: { title: 'product-service', version: '1.0.0' },
  paths: { '/api/v1/products': { get: { tags: ['catalog'], summary: 'Search products', responses: { 200: { description: 'A page' } } } } },
};

describe('merged API document and docs UI', () => {
  let orders: FakeUpstream;
  let products: FakeUpstream;
  let gateway: RunningGateway;

  beforeAll(async () => {
    [orders, products] = await Promise.all([
      startUpstream('order-service', { document: ordersDocument }),
      startUpstream('product-service', { document: productsDocument }),
    ]);
    gateway = await startGateway({ 'order-service': [orders.url], 'product-service': [products.url] });
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([orders?.stop(), products?.stop()]);
  });

  it('when the document is asked for, then it merges every available service with the gateway and lists the others as unavailable', async () => {
    const res = await fetch(`${gateway.url}/openapi.json`);
    expect(res.status).toBe(200);
    const document = await jsonOf(res);
    expect(document).toMatchObject({ openapi: '3.1.0', info: { title: 'QuickCommerce API' } });
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/health/ready',
        '/health/live',
        '/metrics',
        '/openapi.json',
        '/api/v1/orders',
        '/api/v1/orders/{id}',
        '/api/v1/products',
      ]),
    );
    expect(document.paths['/api/v1/orders'].post.tags).toEqual(['order-service']);
    expect(document.paths['/api/v1/products'].get.tags).toEqual(['catalog']);
    expect(document.components.schemas.Money).toEqual(ordersDocument.components.schemas.Money);
    expect(document['x-unavailable'].sort()).toEqual(
      [
        'analytics-service',
        'cart-service',
        'delivery-service',
        'inventory-service',
        'location-service',
        'notification-service',
        'payment-service',
        'user-service',
      ].sort(),
    );
  });

  it('when asked again within the cache time, then the services are not asked again', async () => {
    await fetch(`${gateway.url}/openapi.json`);
    const asked = orders.documentRequests;
    const again = await jsonOf(await fetch(`${gateway.url}/openapi.json`));
    expect(orders.documentRequests).toBe(asked);
    expect(again.paths['/api/v1/orders']).toBeDefined();
  });

  it('when /docs is opened, then it redirects to the Swagger UI page that loads the merged document from this origin', async () => {
    const redirect = await fetch(`${gateway.url}/docs`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/docs/');

    const page = await fetch(`${gateway.url}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="swagger-ui"></div>');
    expect(html).toContain('src="./swagger-ui-init.js"');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

    const init = await (await fetch(`${gateway.url}/docs/swagger-ui-init.js`)).text();
    expect(init).toContain('"url": "/openapi.json"');
    expect((await fetch(`${gateway.url}/docs/swagger-ui-bundle.js`)).status).toBe(200);
  });
});
