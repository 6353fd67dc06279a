import { configProblems } from '@qc/shared/testing';
import { loadGatewayConfig } from '../../src/config';

const problemsOf = (env: NodeJS.ProcessEnv) => configProblems(() => loadGatewayConfig(env));

describe('gateway configuration', () => {
  it('when nothing is set, then every service is found on its manifest port on this host, and no database is needed', () => {
    const config = loadGatewayConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.upstreams.get('order-service')).toEqual(['http://127.0.0.1:8084']);
    expect(config.upstreams.get('analytics-service')).toEqual(['http://127.0.0.1:8090']);
    expect(config.upstreams.size).toBe(10);
    expect(config.BODY_LIMIT).toBe(100 * 1024);
  });

  it('when a service has several instances, then all of them are kept in order', () => {
    const config = loadGatewayConfig({ UPSTREAM_ORDER_SERVICE: 'http://127.0.0.1:8084, http://127.0.0.1:18084' });
    expect(config.upstreams.get('order-service')).toEqual(['http://127.0.0.1:8084', 'http://127.0.0.1:18084']);
  });

  it('when BODY_LIMIT uses units, then it becomes bytes the way express.json counts them', () => {
    expect(loadGatewayConfig({ BODY_LIMIT: '1mb' }).BODY_LIMIT).toBe(1024 * 1024);
    expect(loadGatewayConfig({ BODY_LIMIT: '512' }).BODY_LIMIT).toBe(512);
  });

  it('when several variables are wrong, then one error names every one of them', () => {
    const problems = problemsOf({
      UPSTREAM_CART_SERVICE: 'ftp://cart',
      RATE_LIMIT_MAX: '0',
      BODY_LIMIT: 'huge',
      BREAKER_ERROR_PERCENT: '120',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^upstreams\.UPSTREAM_CART_SERVICE/),
        expect.stringMatching(/^RATE_LIMIT_MAX/),
        expect.stringMatching(/^BODY_LIMIT/),
        expect.stringMatching(/^BREAKER_ERROR_PERCENT/),
      ]),
    );
  });

  it('when OPS_TOKEN is set, then it must be long enough to resist guessing; empty means unset', () => {
    expect(problemsOf({ OPS_TOKEN: 'short' })).toEqual([expect.stringMatching(/^OPS_TOKEN: must be at least 32 characters/)]);
    expect(loadGatewayConfig({ OPS_TOKEN: '' }).OPS_TOKEN).toBeUndefined();
    expect(loadGatewayConfig({ OPS_TOKEN: 'a'.repeat(32) }).OPS_TOKEN).toBe('a'.repeat(32));
  });

  it('when TRUSTED_PROXIES is not set, then the gateway believes no forwarding header', () => {
    expect(loadGatewayConfig({}).TRUSTED_PROXIES).toEqual([]);
    expect(loadGatewayConfig({ TRUSTED_PROXIES: '10.0.0.0/8' }).TRUSTED_PROXIES).toEqual(['10.0.0.0/8']);
  });
});
