import { z } from 'zod';
import { ConfigError, csv, flag, loadConfig, port, serviceEnv, trustedProxies } from '@qc/shared/config';
import { configProblems } from '@qc/shared/testing';

/** The smallest environment a service starts with: only the secret without a default. */
const minimalEnv = (): NodeJS.ProcessEnv => ({ MYSQL_URL: 'mysql://svc:pw@db.internal:3306/qc_order' });

describe('loadConfig', () => {
  it('when several variables are wrong, then one ConfigError lists every one of them', () => {
    const env = {
      MYSQL_URL: 'postgres://nope',
      LOG_LEVEL: 'loud',
      MYSQL_POOL_SIZE: '0',
      REDIS_URL: 'http://cache',
      SHUTDOWN_TIMEOUT_MS: 'soon',
    };
    let thrown: unknown;
    try {
      loadConfig(serviceEnv, env);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    const named = error.problems.map((p) => p.split(':')[0]);
    expect(named.sort()).toEqual(['LOG_LEVEL', 'MYSQL_POOL_SIZE', 'MYSQL_URL', 'REDIS_URL', 'SHUTDOWN_TIMEOUT_MS']);
    for (const variable of Object.keys(env)) expect(error.message).toContain(variable);
  });

  it('when a required secret is missing, then the message names it', () => {
    expect(configProblems(() => loadConfig(serviceEnv, {}))).toEqual([expect.stringMatching(/^MYSQL_URL: /)]);
  });

  it('when only the required variables are set, then every other one takes its documented default', () => {
    const config = loadConfig(serviceEnv, minimalEnv());
    expect(config).toEqual({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      HOST: '0.0.0.0',
      MYSQL_URL: minimalEnv().MYSQL_URL,
      MYSQL_POOL_SIZE: 10,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: '',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_TOPIC_PREFIX: '',
      BODY_LIMIT: '100kb',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      OUTBOX_POLL_MS: 1_000,
      JWT_ISSUER: 'quickcommerce',
      JWT_AUDIENCE: 'quickcommerce-api',
      JWKS_URL: 'http://127.0.0.1:8081/.well-known/jwks.json',
      TRUSTED_PROXIES: [],
    });
    expect(config.CORS_ORIGINS).toBeUndefined();
    expect(config.KAFKA_CONSUMER_GROUP).toBeUndefined();
  });

  it('when a topic prefix holds characters Kafka refuses in a topic name, then the prefix is refused', () => {
    expect(loadConfig(serviceEnv, { ...minimalEnv(), KAFKA_TOPIC_PREFIX: 'e2e.1a2b3c4d.' }).KAFKA_TOPIC_PREFIX).toBe('e2e.1a2b3c4d.');
    for (const prefix of ['e2e 1.', '../', 'e2e:1:', 'ä.', 'x'.repeat(65)]) {
      expect(configProblems(() => loadConfig(serviceEnv, { ...minimalEnv(), KAFKA_TOPIC_PREFIX: prefix }))).toEqual([
        expect.stringMatching(/^KAFKA_TOPIC_PREFIX: /),
      ]);
    }
  });

  it('when numbers arrive as strings, then they are coerced to numbers', () => {
    const config = loadConfig(serviceEnv, { ...minimalEnv(), MYSQL_POOL_SIZE: '25', OUTBOX_POLL_MS: '50' });
    expect(config.MYSQL_POOL_SIZE).toBe(25);
    expect(config.OUTBOX_POLL_MS).toBe(50);
  });

  it('when loaded, then the result is frozen', () => {
    const config = loadConfig(serviceEnv, minimalEnv());
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { LOG_LEVEL: string }).LOG_LEVEL = 'debug';
    }).toThrow(TypeError);
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('when variables the schema does not know are present, then they are left out of the result', () => {
    const config = loadConfig(serviceEnv, { ...minimalEnv(), PATH: '/usr/bin', HOME: '/root' });
    expect(config).not.toHaveProperty('PATH');
    expect(config).not.toHaveProperty('HOME');
  });

  it('when a nested object is wrong, then the problem carries its full path', () => {
    const schema = z.object({ db: z.object({ port }) });
    expect(configProblems(() => loadConfig(schema, { db: { port: 'x' } } as unknown as NodeJS.ProcessEnv))).toEqual([
      expect.stringMatching(/^db\.port: /),
    ]);
  });
});

describe('csv', () => {
  it.each([
    ['a:9092,b:9092', ['a:9092', 'b:9092']],
    [' a:9092 , b:9092 ', ['a:9092', 'b:9092']],
    ['a:9092,,b:9092,', ['a:9092', 'b:9092']],
    ['single', ['single']],
  ])('when given %p, then it parses to %p', (raw, expected) => {
    expect(csv.parse(raw)).toEqual(expected);
  });

  it.each(['', ' , ,'])('when given %p, then it is rejected as an empty list', (raw) => {
    expect(csv.safeParse(raw).success).toBe(false);
  });

  it('when used for CORS_ORIGINS, then the service config holds the list', () => {
    const config = loadConfig(serviceEnv, { ...minimalEnv(), CORS_ORIGINS: 'https://a.example,https://b.example' });
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });
});

describe('trustedProxies', () => {
  it.each([
    ['', []],
    ['  ', []],
    ['0', 0],
    ['1', 1],
    ['10.0.0.5', ['10.0.0.5']],
    [' 10.0.0.0/8 , fd00::/8,::1 ', ['10.0.0.0/8', 'fd00::/8', '::1']],
    ['uniquelocal,loopback', ['uniquelocal', 'loopback']],
  ])('when given %p, then it reads %p', (raw, expected) => {
    expect(trustedProxies.parse(raw)).toEqual(expected);
  });

  it.each(['*', 'true', '10.0.0.0/33', '300.1.1.1', 'proxy.internal', '10.0.0.5,', '-1', '11', 'private'])(
    'when given %p, then it is rejected',
    (raw) => {
      expect(trustedProxies.safeParse(raw).success).toBe(false);
    },
  );

  it('when a service sets TRUSTED_PROXIES wrongly, then the problem names the variable and the bad entry', () => {
    expect(configProblems(() => loadConfig(serviceEnv, { ...minimalEnv(), TRUSTED_PROXIES: '10.0.0.1,gateway' }))).toEqual([
      expect.stringMatching(/^TRUSTED_PROXIES: "gateway" is not an IP address/),
    ]);
  });
});

describe('flag', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('when given %p, then it reads %p', (raw, expected) => {
    expect(flag.parse(raw)).toBe(expected);
  });

  it.each(['yes', 'TRUE', 'on', '', '2'])('when given %p, then it is rejected', (raw) => {
    expect(flag.safeParse(raw).success).toBe(false);
  });
});

describe('port', () => {
  it.each([
    ['0', 0],
    ['8080', 8080],
    ['65535', 65535],
  ])('when given %p, then it reads %p', (raw, expected) => {
    expect(port.parse(raw)).toBe(expected);
  });

  it.each(['-1', '65536', '80.5', 'http', '1e9'])('when given %p, then it is rejected', (raw) => {
    expect(port.safeParse(raw).success).toBe(false);
  });
});

describe('port', () => {
  it('when a port variable is set but empty, then it is an error rather than "any free port"', () => {
    expect(port.safeParse('').success).toBe(false);
    expect(port.safeParse('  ').success).toBe(false);
    expect(port.parse('0')).toBe(0);
    expect(port.parse('8084')).toBe(8084);
  });
});
