import { SERVICES } from '@qc/shared/fleet';
import { RouteTable } from '../../src/routing/route-table';

describe('route table', () => {
  const table = new RouteTable(SERVICES);

  it.each([
    ['/api/v1/auth/login', 'user-service'],
    ['/api/v1/users/me', 'user-service'],
    ['/.well-known/jwks.json', 'user-service'],
    ['/api/v1/categories', 'product-service'],
    ['/api/v1/products/p-1', 'product-service'],
    ['/api/v1/stores/s-1/stock', 'inventory-service'],
    ['/api/v1/inventory', 'inventory-service'],
    ['/api/v1/carts/mine', 'cart-service'],
    ['/api/v1/orders/o-1/cancel', 'order-service'],
    ['/api/v1/coupons', 'order-service'],
    ['/api/v1/payments', 'payment-service'],
    ['/api/v1/wallet/top-ups', 'payment-service'],
    ['/api/v1/webhooks/payments/razorpay', 'payment-service'],
    ['/api/v1/deliveries/d-1/track', 'delivery-service'],
    ['/api/v1/partners', 'delivery-service'],
    ['/api/v1/notifications', 'notification-service'],
    ['/api/v1/zones', 'location-service'],
    ['/api/v1/locations/validate', 'location-service'],
    ['/api/v1/analytics/events', 'analytics-service'],
  ])('when the path is %s, then %s serves it', (path, service) => {
    expect(table.match(path)?.service).toBe(service);
  });

  it.each(['/api/v1/ordersx', '/api/v1', '/api/v2/orders', '/health', '/', '/API/V1/ORDERS'])(
    'when the path is %s, then no service serves it',
    (path) => {
      expect(table.match(path)).toBeUndefined();
    },
  );

  it('when a route matches, then its metrics label is the prefix, never the raw path', () => {
    expect(table.match('/api/v1/orders/0199e7a1-ffff')?.label).toBe('/api/v1/orders/*');
  });

  it('when one prefix lies inside another, then the longer one wins', () => {
    const nested = new RouteTable([
      { name: 'a-service', port: 1, schema: null, prefixes: ['/api/v1/webhooks'] },
      { name: 'b-service', port: 2, schema: null, prefixes: ['/api/v1/webhooks/payments'] },
    ]);
    expect(nested.match('/api/v1/webhooks/payments/x')?.service).toBe('b-service');
    expect(nested.match('/api/v1/webhooks/other')?.service).toBe('a-service');
  });
});
