import { ConfigError } from '@qc/shared/config';
import { loadServiceConfig } from '@qc/shared/service';
import { definition } from '../../src/service';

/** location-service's settings are declared on its definition, so they are checked with the shared variables at start. */
describe('location-service settings', () => {
  const env = { MYSQL_URL: 'mysql://location:secret@127.0.0.1:3306/qc_location' };

  it('when nothing is set, then every setting has its default', () => {
    const { settings } = loadServiceConfig(definition, env);
    expect(settings).toMatchObject({ CITY_TIMEZONE: 'Asia/Kolkata', SERVICE_AREA_REFRESH_MS: 5_000, REVERSE_GEOCODE_MAX_KM: 5 });
  });

  it('when a setting is bad, then the start stops with every bad variable named, shared ones included', () => {
    let thrown: unknown;
    try {
      loadServiceConfig(definition, { ...env, CITY_TIMEZONE: 'Mars/Olympus', ETA_ROAD_FACTOR: '0.5', MYSQL_POOL_SIZE: '0' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const named = (thrown as ConfigError).problems.map((problem) => problem.split(':')[0]);
    expect(named.sort()).toEqual(['CITY_TIMEZONE', 'ETA_ROAD_FACTOR', 'MYSQL_POOL_SIZE']);
  });
});
