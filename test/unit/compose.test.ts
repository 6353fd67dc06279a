import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { serviceEnv } from '@qc/shared/config';
import { FLEET, GATEWAY, SERVICES, databaseUser, envPrefix } from '@qc/shared/fleet';
import { analyticsSettings } from '../../analytics-service/src/config';
import { cartSettings } from '../../cart-service/src/config';
import { DeliverySettings } from '../../delivery-service/src/config';
import { NotificationConfig } from '../../notification-service/src/config';
import { paymentSettings } from '../../payment-service/src/config';
import { orderSettings } from '../../order-service/src/config';
import { InventoryConfig } from '../../inventory-service/src/config';
import { locationSettings } from '../../location-service/src/config';
import { productSettings } from '../../product-service/src/config';
import { userSettings } from '../../user-service/src/config';

/**
 * docker-compose.yml, .env.example, the MySQL init script and the Dockerfile are checked against the
 * fleet manifest, so a service added to the manifest but not to the containers (or a variable a
 * service reads but nobody documents) fails here rather than on someone's `docker compose up`.
 */
const root = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  secrets?: string[];
}

const composeText = read('docker-compose.yml');
// Compose resolves YAML merge keys (`<<: *service`); so must the test.
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { environment?: string; file?: string }>;
};
const envExample = read('.env.example');
const initScript = read('docker/mysql-init/01-service-databases.sh');

const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** Names in .env.example, set (`NAME=`) or shown commented out with their default (`# NAME=`). */
const documented = new Set([...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

/** Every `${NAME}`, `${NAME:-default}` or `${NAME:?message}` compose interpolates. */
const interpolated = [...composeText.matchAll(/(?<!\$)\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!);

/** The services with settings beyond the shared ones (each one's src/config.ts). */
const OWN_SETTINGS = {
  'user-service': userSettings,
  'product-service': productSettings,
  'inventory-service': InventoryConfig,
  'location-service': locationSettings,
  'cart-service': cartSettings,
  'order-service': orderSettings,
  'payment-service': paymentSettings,
  'delivery-service': DeliverySettings,
  'notification-service': NotificationConfig,
  'analytics-service': analyticsSettings,
};

const passwordVariable = (name: string) => `${envPrefix(name)}_DB_PASSWORD`;

/** The gateway's own settings (api-gateway/src/config.ts), beyond the shared ones and its UPSTREAM_ URLs. */
const GATEWAY_SETTINGS = [
  'RATE_LIMIT_WINDOW_MS',
  'RATE_LIMIT_MAX',
  'RATE_LIMIT_PREFIX',
  'UPSTREAM_TIMEOUT_MS',
  'BREAKER_RESET_MS',
  'BREAKER_ERROR_PERCENT',
  'BREAKER_VOLUME',
  'PROBE_TIMEOUT_MS',
  'OPENAPI_CACHE_MS',
  'AUTH_RATE_LIMIT_WINDOW_MS',
  'AUTH_RATE_LIMIT_MAX',
  'RESPONSE_CACHE_MB',
  'RESPONSE_CACHE_MAX_TTL_MS',
  'LOG_RELAYED_REQUESTS',
  'OPS_TOKEN',
  'TRUSTED_PROXIES',
];

describe('docker-compose.yml', () => {
  it('when compose is parsed, then every service of the fleet manifest is built from the one Dockerfile with its SERVICE build arg', () => {
    for (const spec of FLEET) {
      expect(service(spec.name).build).toEqual({ context: '.', dockerfile: 'Dockerfile', args: { SERVICE: spec.name } });
    }
  });

  it('when the fleet runs, then only the gateway is published; each service listens on its manifest port inside the network alone', () => {
    expect(service(GATEWAY.name).ports).toEqual([`${GATEWAY.port}:${GATEWAY.port}`]);
    for (const spec of FLEET) expect(service(spec.name).environment?.PORT).toBe(String(spec.port));
    const published = Object.entries(compose.services).filter(([name, s]) => name !== GATEWAY.name && (s.ports ?? []).length > 0);
    expect(published.map(([name]) => name).sort()).toEqual(['grafana', 'prometheus']);
  });

  it('when the monitoring runs, then Prometheus and Grafana are published on the loopback address alone', () => {
    expect(service('prometheus').ports).toEqual(['127.0.0.1:9090:9090']);
    expect(service('grafana').ports).toEqual(['127.0.0.1:3000:3000']);
  });

  it("when Prometheus starts, then it reads monitoring/'s config and gets the operations token as a secret file, never as an argument", () => {
    const prometheus = service('prometheus');
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(prometheus.volumes).toContain('./monitoring/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(prometheus.secrets).toEqual(['ops_token']);
    expect(compose.secrets?.ops_token).toEqual({ environment: 'OPS_TOKEN' });
    expect(JSON.stringify(prometheus)).not.toContain('${OPS_TOKEN');
  });

  it('when Grafana starts, then it is provisioned from monitoring/grafana and its admin password is required', () => {
    const grafana = service('grafana');
    expect(grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './monitoring/grafana/provisioning:/etc/grafana/provisioning:ro',
        './monitoring/grafana/dashboards:/etc/grafana/dashboards:ro',
      ]),
    );
    expect(grafana.environment).toMatchObject({
      GF_SECURITY_ADMIN_PASSWORD: '${GRAFANA_ADMIN_PASSWORD:?set GRAFANA_ADMIN_PASSWORD in .env (see .env.example)}',
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
      GF_USERS_ALLOW_SIGN_UP: 'false',
    });
  });

  it('when a request reaches a service, then it believes the one hop in front (the gateway), and the gateway believes none unless told', () => {
    for (const spec of SERVICES) expect(service(spec.name).environment?.TRUSTED_PROXIES).toBe('1');
    expect(service(GATEWAY.name).environment).toHaveProperty('TRUSTED_PROXIES', null);
  });

  it('when a service has a schema, then its MYSQL_URL names its own user and schema and requires its own password variable', () => {
    for (const spec of SERVICES) {
      expect(service(spec.name).environment?.MYSQL_URL).toBe(
        `mysql://${databaseUser(spec.name)}:\${${passwordVariable(spec.name)}:?set ${passwordVariable(spec.name)} in .env (see .env.example)}@mysql:3306/${spec.schema}`,
      );
    }
    expect(service(GATEWAY.name).environment).not.toHaveProperty('MYSQL_URL');
  });

  it('when a service starts, then it waits for healthy MySQL, Redis and Kafka and for the topics to be created', () => {
    for (const spec of SERVICES) {
      expect(service(spec.name).depends_on).toEqual({
        mysql: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        kafka: { condition: 'service_healthy' },
        'kafka-topics': { condition: 'service_completed_successfully' },
      });
      expect(service(spec.name).environment).toMatchObject({ REDIS_URL: 'redis://redis:6379', KAFKA_BROKERS: 'kafka:9092' });
    }
  });

  it("when a service checks tokens or calls another, then it finds user-service's keys and every service by compose hostname", () => {
    for (const spec of [...SERVICES, GATEWAY]) {
      expect(service(spec.name).environment?.JWKS_URL).toBe('http://user-service:8081/.well-known/jwks.json');
    }
    for (const spec of SERVICES) {
      for (const other of SERVICES) {
        expect(service(spec.name).environment?.[`${envPrefix(other.name)}_URL`]).toBe(`http://${other.name}:${other.port}`);
      }
    }
  });

  it('when the gateway starts, then it waits for Redis and all ten services to be healthy', () => {
    const expected = Object.fromEntries(['redis', ...SERVICES.map((s) => s.name)].map((name) => [name, { condition: 'service_healthy' }]));
    expect(service(GATEWAY.name).depends_on).toEqual(expected);
  });

  it('when the gateway routes, then it has an UPSTREAM_ variable for every service, pointing at its compose hostname and port', () => {
    const environment = service(GATEWAY.name).environment ?? {};
    for (const spec of SERVICES) {
      const name = `UPSTREAM_${envPrefix(spec.name)}`;
      expect(environment[name]).toBe(`\${${name}:-http://${spec.name}:${spec.port}}`);
    }
    expect(Object.keys(environment).filter((k) => /^UPSTREAM_.+_SERVICE$/.test(k))).toHaveLength(SERVICES.length);
  });

  it('when compose checks a service, then it asks /health/ready with node (the slim image has no curl)', () => {
    for (const spec of FLEET) {
      expect(service(spec.name).healthcheck?.test).toEqual(['CMD', 'node', '/app/docker/healthcheck.js', '/health/ready']);
    }
    for (const name of ['mysql', 'redis', 'kafka']) expect(service(name).healthcheck?.test.length).toBeGreaterThan(0);
  });

  it('when the infrastructure images are pulled, then they are MySQL 8.4, Kafka 3.9.x and Redis 7', () => {
    expect(service('mysql').image).toBe('mysql:8.4');
    expect(service('kafka').image).toMatch(/^apache\/kafka:3\.9\.\d+$/);
    expect(service('redis').image).toMatch(/^redis:7(-alpine)?$/);
  });

  it('when Kafka runs, then it is a single KRaft node advertised as kafka:9092 that never creates topics by itself', () => {
    expect(service('kafka').environment).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://kafka:9092',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: 1,
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: 0,
    });
  });

  it('when kafka-topics runs, then it runs the create-topics CLI from the platform image once Kafka is healthy', () => {
    expect(service('kafka-topics')).toMatchObject({
      build: { context: '.', dockerfile: 'Dockerfile', target: 'platform' },
      command: ['node', 'shared/dist/events/cli/create-topics.js'],
      environment: { KAFKA_BROKERS: 'kafka:9092' },
      depends_on: { kafka: { condition: 'service_healthy' } },
    });
  });

  it('when MySQL is first started, then it gets every service password and runs the init script', () => {
    const mysql = service('mysql');
    for (const spec of SERVICES) {
      const name = passwordVariable(spec.name);
      expect(mysql.environment?.[name]).toBe(`\${${name}:?set ${name} in .env (see .env.example)}`);
    }
    expect(mysql.volumes).toContain('./docker/mysql-init:/docker-entrypoint-initdb.d:ro');
  });

  it('when data is stored, then it lives in named volumes', () => {
    expect(service('mysql').volumes).toContain('mysql-data:/var/lib/mysql');
    expect(service('kafka').volumes).toContain('kafka-data:/var/lib/kafka/data');
    expect(service('redis').volumes).toContain('redis-data:/data');
    expect(service('prometheus').volumes).toContain('prometheus-data:/prometheus');
    expect(service('grafana').volumes).toContain('grafana-data:/var/lib/grafana');
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual([
      'grafana-data',
      'kafka-data',
      'mysql-data',
      'prometheus-data',
      'redis-data',
    ]);
  });

  it('when a secret is interpolated, then compose requires it instead of falling back to a default', () => {
    const secrets = [...composeText.matchAll(/\$\{([A-Z0-9_]*PASSWORD[A-Z0-9_]*)([^}]*)\}/g)];
    expect(secrets.length).toBeGreaterThan(0);
    const withFallback = secrets.filter(([, , rest]) => !rest!.startsWith(':?')).map(([reference]) => reference);
    expect(withFallback).toEqual([]);
  });
});

describe('docker/mysql-init', () => {
  it('when the init script runs, then it creates every schema with its own user and that user’s password variable', () => {
    for (const spec of SERVICES) {
      expect(initScript).toMatch(
        new RegExp(`^qc_service_database ${databaseUser(spec.name)} ${spec.schema} ${passwordVariable(spec.name)}$`, 'm'),
      );
    }
  });

  it('when the init script grants, then it grants on one schema only, never on *.*', () => {
    expect(initScript).toMatch(/GRANT ALL PRIVILEGES ON \\`\$\{schema\/\/_\/\\\\_\}\\`\.\* TO/);
    expect(initScript).not.toMatch(/ON \*\.\*/);
  });
});

describe('.env.example', () => {
  it('when compose interpolates a variable or passes one on from .env, then .env.example documents it', () => {
    const passedOn = Object.values(compose.services).flatMap((s) =>
      Object.entries(s.environment ?? {})
        .filter(([, value]) => value === null)
        .map(([name]) => name),
    );
    const missing = [...new Set([...interpolated, ...passedOn])].filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it('when a service reads a variable, then .env.example documents it', () => {
    // runService adds PORT to the shared schema (shared/src/service).
    const read = [...Object.keys(serviceEnv.shape), 'PORT', ...SERVICES.map((s) => `${envPrefix(s.name)}_URL`)];
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
  });

  it.each(Object.entries(OWN_SETTINGS))(
    'when %s reads a setting of its own, then .env.example documents it and compose passes it on',
    (name, schema) => {
      const read = Object.keys(schema.shape);
      expect(read.filter((variable) => !documented.has(variable))).toEqual([]);
      expect(read.filter((variable) => !(variable in (service(name).environment ?? {})))).toEqual([]);
    },
  );

  it('when the gateway reads a variable, then .env.example documents it and compose passes it on', () => {
    const read = [...GATEWAY_SETTINGS, ...SERVICES.map((s) => `UPSTREAM_${envPrefix(s.name)}`)];
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
    expect(read.filter((name) => !(name in (service(GATEWAY.name).environment ?? {})))).toEqual([]);
  });

  it('when .env.example is copied to .env, then every secret is still empty and compose refuses to start', () => {
    const secrets = [...envExample.matchAll(/^([A-Z0-9_]*PASSWORD[A-Z0-9_]*)=(.*)$/gm)].map(([, name, value]) => ({ name, value }));
    expect(secrets.map((s) => s.name).sort()).toEqual(
      ['MYSQL_ROOT_PASSWORD', 'GRAFANA_ADMIN_PASSWORD', ...SERVICES.map((s) => passwordVariable(s.name))].sort(),
    );
    expect(secrets.filter((s) => s.value !== '')).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;

  it('when a workspace exists, then its package.json is copied before npm ci, so installs are cached on the manifests', () => {
    const manifests = dockerfile.slice(dockerfile.indexOf('AS manifests'), dockerfile.indexOf('AS build'));
    for (const workspace of workspaces) expect(manifests).toContain(`COPY ${workspace}/package.json ${workspace}/`);
  });

  it('when the image runs, then it is the non-root node user in production, with node itself as PID 1', () => {
    const runtime = dockerfile.slice(dockerfile.indexOf('AS platform'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^ENV NODE_ENV=production$/m);
    expect(runtime).toContain('CMD ["sh", "-c", "exec node \\"$SERVICE/dist/main.js\\""]');
    expect(runtime).not.toMatch(/tsc|ts-node|tsx/);
  });

  it('when the build context is sent, then dependencies, build output, git and local secrets stay out of it', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '.git', '.env', '.infra', '.tools', 'coverage', 'bench/results']) {
      expect(ignored).toContain(pattern);
    }
  });
});
