import { DEFAULT_ACCESS, accessFor } from '../../src/routing/access-rules';

describe('the gateway role rules', () => {
  it.each([
    ['POST', '/api/v1/auth/login'],
    ['POST', '/api/v1/auth/otp/verify'],
    ['GET', '/.well-known/jwks.json'],
    ['GET', '/api/v1/products'],
    ['HEAD', '/api/v1/products/abc'],
    ['GET', '/api/v1/categories/tree'],
    ['GET', '/api/v1/stores/s-1/availability'],
    ['GET', '/api/v1/locations/serviceability'],
    ['POST', '/api/v1/webhooks/payments/razorpay'],
    ['GET', '/api/v1/analytics/dashboard'],
    ['GET', '/api/v1/analytics/dashboard/dashboard.js'],
  ])('when %s %s, then anyone may call it', (method, path) => {
    expect(accessFor(method, path)).toBe('public');
  });

  it.each([
    ['GET', '/api/v1/users'],
    ['PATCH', '/api/v1/users/u-1/role'],
    ['POST', '/api/v1/products'],
    ['DELETE', '/api/v1/categories/c-1'],
    ['POST', '/api/v1/zones'],
    ['POST', '/api/v1/inventory/restock'],
  ])('when %s %s, then only admins may call it', (method, path) => {
    expect(accessFor(method, path)).toEqual(['admin']);
  });

  it.each([
    ['GET', '/api/v1/analytics/events'],
    ['GET', '/api/v1/analytics/orders'],
    ['POST', '/api/v1/analytics/dashboard'],
    ['GET', '/api/v1/analytics/dashboardx'],
  ])('when %s %s, then only admins and analysts may call it', (method, path) => {
    expect(accessFor(method, path)).toEqual(['admin', 'analyst']);
  });

  it.each([
    ['GET', '/api/v1/users/me'],
    ['POST', '/api/v1/users/me/addresses'],
    ['POST', '/api/v1/auth/password'],
    ['POST', '/api/v1/orders'],
    ['GET', '/api/v1/carts/mine'],
    ['POST', '/api/v1/locations/validate'],
  ])('when %s %s, then any signed-in user may call it (services check ownership)', (method, path) => {
    expect(accessFor(method, path)).toBe(DEFAULT_ACCESS);
  });

  it('when a path only looks like a public prefix, then it is not public', () => {
    expect(accessFor('GET', '/api/v1/productsx')).toBe(DEFAULT_ACCESS);
    expect(accessFor('POST', '/api/v1/auth/login-as-admin')).toBe(DEFAULT_ACCESS);
    expect(accessFor('GET', '/api/v1/auth/login')).toBe(DEFAULT_ACCESS);
  });
});
