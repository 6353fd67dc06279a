import { ConfigError } from '@qc/shared/config';
import { loadServiceConfig } from '@qc/shared/service';
import { definition } from '../../src/service';

/** product-service's settings are declared on its definition, so they are checked with the shared variables at start. */
describe('product-service settings', () => {
  const env = { MYSQL_URL: 'mysql://product:secret@127.0.0.1:3306/qc_product' };

  it('when nothing is set, then every setting has its default', () => {
    const { settings } = loadServiceConfig(definition, env);
    expect(settings).toEqual({
      INVENTORY_SERVICE_URL: 'http://127.0.0.1:8083',
      LOCATION_SERVICE_URL: 'http://127.0.0.1:8089',
      AVAILABILITY_TIMEOUT_MS: 800,
      CATALOG_CACHE_TTL_SECONDS: 300,
      PUBLIC_MAX_AGE_SECONDS: 30,
      POPULARITY_REFRESH_MS: 60_000,
    });
  });

  it('when a setting is bad, then the start stops with every bad variable named, shared ones included', () => {
    let thrown: unknown;
    try {
      loadServiceConfig(definition, { ...env, INVENTORY_SERVICE_URL: 'ftp://inventory', AVAILABILITY_TIMEOUT_MS: '5', REDIS_URL: 'nope' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const named = (thrown as ConfigError).problems.map((problem) => problem.split(':')[0]);
    expect(named.sort()).toEqual(['AVAILABILITY_TIMEOUT_MS', 'INVENTORY_SERVICE_URL', 'REDIS_URL']);
  });
});
