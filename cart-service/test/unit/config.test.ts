import { loadConfig } from '@qc/shared/config';
import { configProblems } from '@qc/shared/testing';
import { cartSettings } from '../../src/config';

describe('cart settings', () => {
  const load = (env: NodeJS.ProcessEnv) => loadConfig(cartSettings, env);

  it('when nothing is set, then a line holds 10 units, a cart 50 products and 100 units, and the services are on this host', () => {
    expect(load({})).toEqual({
      PRODUCT_SERVICE_URL: 'http://127.0.0.1:8082',
      INVENTORY_SERVICE_URL: 'http://127.0.0.1:8083',
      LOCATION_SERVICE_URL: 'http://127.0.0.1:8089',
      USER_SERVICE_URL: 'http://127.0.0.1:8081',
      DEPENDENCY_TIMEOUT_MS: 800,
      CART_MAX_LINE_QUANTITY: 10,
      CART_MAX_LINES: 50,
      CART_MAX_UNITS: 100,
      CART_CACHE_TTL_SECONDS: 3_600,
    });
  });

  it('when values are bad, then every problem is named; more than 100 products would not fit one price lookup', () => {
    expect(configProblems(() => load({ CART_MAX_LINES: '101', CART_MAX_LINE_QUANTITY: '0', PRODUCT_SERVICE_URL: 'ftp://x' }))).toEqual([
      expect.stringMatching(/^PRODUCT_SERVICE_URL/),
      expect.stringMatching(/^CART_MAX_LINE_QUANTITY/),
      expect.stringMatching(/^CART_MAX_LINES/),
    ]);
  });
});
