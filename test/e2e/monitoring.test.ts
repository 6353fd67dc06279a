import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { SERVICES, portOf, serviceSpec } from '@qc/shared/fleet';
import { closedPort, eventually } from '@qc/shared/testing';
import { dashboardQueries, type Dashboard } from '../monitoring/dashboards';
import { startFleetUnderTest, type FleetUnderTest } from './fleet-under-test';

/**
 * monitoring/ against the real fleet: Debian's Prometheus runs monitoring/prometheus/prometheus.yml,
 * its targets moved from compose hostnames to this fleet's ports on 127.0.0.1 and the token file to
 * this run's OPS_TOKEN, and scrapes every process; every dashboard query is then asked of it. The
 * fleet (fleet-under-test.ts) runs in a namespace of its own (schemas, users, consumer groups,
 * Redis and topic prefixes), on ports offset by 20 000 (fleet.test.ts uses 10 000, `make run` none).
 */
const PORT_OFFSET = 20_000;
const root = resolve(__dirname, '../..');
const OPS_TOKEN = randomBytes(24).toString('hex');

interface ScrapeConfig {
  job_name: string;
  authorization?: { type?: string; credentials_file?: string };
  static_configs: { targets: string[] }[];
}
interface PrometheusConfig {
  global: Record<string, string>;
  scrape_configs: ScrapeConfig[];
}
interface Target {
  labels: { job: string; instance: string };
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

/** Debian's Prometheus, which `make test` installs when it is missing (scripts/test-tools.sh). */
function requirePrometheus(): void {
  try {
    execFileSync('prometheus', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('prometheus is not installed: run make test-tools (or apt-get install prometheus)');
  }
}

/**
 * The shipped config, pointed at this fleet: `user-service:8081` becomes `127.0.0.1:28081`, the
 * token file this run's, scrapes every second. One job is added: the gateway without the token,
 * which must show down (the check of `health` below can fail).
 */
function configForThisFleet(tokenFile: string): PrometheusConfig {
  const shipped = parse(readFileSync(resolve(root, 'monitoring/prometheus/prometheus.yml'), 'utf8')) as PrometheusConfig;
  const local = (target: string) => `127.0.0.1:${portOf(serviceSpec(target.split(':')[0]!), PORT_OFFSET)}`;
  const jobs = shipped.scrape_configs.map((job) => ({
    ...job,
    ...(job.authorization ? { authorization: { ...job.authorization, credentials_file: tokenFile } } : {}),
    static_configs: job.static_configs.map((c) => ({ targets: c.targets.map(local) })),
  }));
  const gateway = jobs.find((j) => j.job_name === 'api-gateway')!;
  const withoutToken = { job_name: 'api-gateway-without-token', metrics_path: '/metrics', static_configs: gateway.static_configs };
  return { global: { ...shipped.global, scrape_interval: '1s', scrape_timeout: '1s' }, scrape_configs: [...jobs, withoutToken] };
}

describe('monitoring: Prometheus scraping the running fleet', () => {
  let fut: FleetUnderTest;
  const work = mkdtempSync(join(tmpdir(), 'qc-prometheus-'));
  let prometheus: ChildProcess | undefined;
  let api = '';

  const targets = async () => {
    const body = (await (await fetch(`${api}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: Target[] } };
    return body.data.activeTargets;
  };

  beforeAll(async () => {
    requirePrometheus();
    fut = await startFleetUnderTest({ portOffset: PORT_OFFSET, logs: 'e2e-monitoring', env: { OPS_TOKEN } });

    const tokenFile = join(work, 'ops-token');
    writeFileSync(tokenFile, OPS_TOKEN, { mode: 0o600 });
    writeFileSync(join(work, 'prometheus.yml'), stringify(configForThisFleet(tokenFile)));
    const port = await closedPort();
    api = `http://127.0.0.1:${port}`;
    const log = openSync(fut.fleet.logFile('prometheus'), 'a');
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(work, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(work, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    await eventually(async () => (await fetch(`${api}/-/ready`)).ok, 30_000, 200);
  }, 240_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await fut?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('when Prometheus has scraped, then every target of the shipped config is up: the ten services and the gateway with the token', async () => {
    const expected = [...SERVICES.map((s) => `services ${s.name}`), 'api-gateway api-gateway'].map((label) => {
      const [job, name] = label.split(' ');
      return { job, instance: `127.0.0.1:${portOf(serviceSpec(name!), PORT_OFFSET)}`, health: 'up', lastError: '' };
    });
    const seen = await eventually(async () => {
      const shipped = (await targets()).filter((t) => t.labels.job !== 'api-gateway-without-token');
      const summary = shipped.map((t) => ({ job: t.labels.job, instance: t.labels.instance, health: t.health, lastError: t.lastError }));
      return summary.length === expected.length && summary.every((t) => t.health !== 'unknown') && summary;
    }, 30_000);
    const byInstance = (a: { instance: string }, b: { instance: string }) => a.instance.localeCompare(b.instance);
    expect(seen.sort(byInstance)).toEqual(expected.sort(byInstance));
  }, 40_000);

  it('when the gateway is scraped without the operations token, then that target is down with 401', async () => {
    const target = await eventually(
      async () => (await targets()).find((t) => t.labels.job === 'api-gateway-without-token' && t.health !== 'unknown'),
      30_000,
    );
    expect({ health: target.health, lastError: target.lastError }).toEqual({ health: 'down', lastError: expect.stringContaining('401') });
  }, 40_000);

  it('when the dashboards ask Prometheus, then it accepts every query, and the fleet-wide series are there for every service', async () => {
    const query = async (expr: string) => {
      const res = await fetch(`${api}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      return {
        status: res.status,
        body: (await res.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string> }[] } },
      };
    };
    const dashboards = readdirSync(resolve(root, 'monitoring/grafana/dashboards')).map(
      (file) => JSON.parse(readFileSync(resolve(root, 'monitoring/grafana/dashboards', file), 'utf8')) as Dashboard,
    );
    const refused: string[] = [];
    for (const { panel, expr } of dashboards.flatMap(dashboardQueries)) {
      // Grafana's variables, as it substitutes them with "All" selected.
      const { status, body } = await query(expr.replaceAll('$service', '.*').replaceAll('$__rate_interval', '1m'));
      if (status !== 200 || body.status !== 'success') refused.push(`${panel}: ${body.error ?? status}`);
    }
    expect(refused).toEqual([]);

    const servicesWith = async (expr: string) =>
      [...new Set((await query(expr)).body.data?.result.map((r) => r.metric.service) ?? [])].sort();
    const all = SERVICES.map((s) => s.name).sort();
    // Every service has a pool, an outbox and served at least its readiness probe.
    await eventually(async () => (await servicesWith('db_pool_connections{state="max"}')).length === all.length, 10_000);
    expect(await servicesWith('db_pool_connections{state="max"}')).toEqual(all);
    expect(await servicesWith('outbox_backlog{job="services"}')).toEqual(all);
    expect(await servicesWith('sum by (service) (http_request_duration_seconds_count{service!="api-gateway"})')).toEqual(all);
    expect(await servicesWith('nodejs_eventloop_lag_p99_seconds')).toEqual([...all, 'api-gateway'].sort());

    // The gateway has a breaker per service instance, each service one per service it calls (its
    // clients are built at start); the address they guard is kept as exported_instance.
    const urlOf = (name: string) => `http://127.0.0.1:${portOf(serviceSpec(name), PORT_OFFSET)}`;
    const breakers = async (selector: string) =>
      ((await query(`circuit_breaker_state{${selector}}`)).body.data?.result ?? []).map((r) => r.metric);
    const gateway = await breakers('service="api-gateway"');
    expect(gateway.map((m) => `${m.upstream} ${m.exported_instance}`).sort()).toEqual(all.map((name) => `${name} ${urlOf(name)}`).sort());
    const own = await breakers('service!="api-gateway"');
    expect(own.map((m) => `${m.service} → ${m.upstream}`)).toEqual(
      expect.arrayContaining([
        'analytics-service → product-service',
        'cart-service → inventory-service',
        'cart-service → product-service',
        'order-service → cart-service',
        'order-service → location-service',
        'payment-service → payment-provider',
        'product-service → inventory-service',
      ]),
    );
    const fleetCallees = own.filter((m) => all.includes(m.upstream!));
    expect(fleetCallees.map((m) => m.exported_instance)).toEqual(fleetCallees.map((m) => urlOf(m.upstream!)));
  }, 60_000);
});
