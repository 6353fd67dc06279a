import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { ServiceClient } from '@qc/shared/clients';
import { GATEWAY, SERVICES } from '@qc/shared/fleet';
import { createLogger } from '@qc/shared/logging';
import { Metrics } from '@qc/shared/metrics';
import { rateLimitRejections } from '@qc/shared/rate-limit';
import { ResponseCache } from '../../api-gateway/src/response-cache';
import { createUpstreams } from '../../api-gateway/src/routing/upstreams';
import { dashboardQueries, groupingLabels, metricSelectors, metricsOf, type Dashboard } from '../monitoring/dashboards';

/**
 * monitoring/: the Prometheus config scrapes what the fleet manifest says runs, and every query of
 * the Grafana dashboards asks for metrics (and labels) the fleet really exports, so a renamed metric
 * fails here instead of leaving an empty panel. test/e2e/monitoring.test.ts runs both against the
 * live fleet.
 */
const root = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  honor_labels?: boolean;
  authorization?: { type?: string; credentials_file?: string; credentials?: string };
  static_configs: { targets: string[] }[];
}
const prometheus = parse(read('monitoring/prometheus/prometheus.yml')) as { scrape_configs: ScrapeConfig[] };
const job = (name: string): ScrapeConfig => {
  const found = prometheus.scrape_configs.find((c) => c.job_name === name);
  if (!found) throw new Error(`prometheus.yml has no job ${name}`);
  return found;
};

const dashboardDir = 'monitoring/grafana/dashboards';
const dashboards = readdirSync(resolve(root, dashboardDir))
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ file, dashboard: JSON.parse(read(`${dashboardDir}/${file}`)) as Dashboard }));

/**
 * Every metric a process of the fleet can export, with its label names: the shared registry every
 * service and the gateway have (Node's default metrics and the breakers' circuit_breaker_state
 * included), the gateway's cache, and the rate-limit counter the gateway and user-service add.
 */
function exportedMetrics(): Map<string, Set<string>> {
  const metrics = new Metrics('monitoring-test');
  rateLimitRejections(metrics);
  new ResponseCache({ maxBytes: 1_024, maxTtlMs: 1_000, metrics });
  return metricsOf(metrics.registry);
}

describe('monitoring/prometheus/prometheus.yml', () => {
  it('when Prometheus scrapes, then the services job has every service of the manifest at its compose hostname and port', () => {
    const services = job('services');
    expect(services.metrics_path).toBe('/metrics');
    expect(services.static_configs.flatMap((c) => c.targets).sort()).toEqual(SERVICES.map((s) => `${s.name}:${s.port}`).sort());
    expect(services.authorization).toBeUndefined();
  });

  it('when Prometheus scrapes the gateway, then it sends the operations token from the secret file compose mounts', () => {
    const gateway = job('api-gateway');
    expect(gateway.static_configs.flatMap((c) => c.targets)).toEqual([`${GATEWAY.name}:${GATEWAY.port}`]);
    expect(gateway.authorization).toEqual({ type: 'Bearer', credentials_file: '/run/secrets/ops_token' });
    expect(prometheus.scrape_configs.map((c) => c.job_name).sort()).toEqual(['api-gateway', 'services']);
  });

  it('when a metric has its own instance label, then Prometheus keeps it as exported_instance (no job honours labels)', () => {
    expect(prometheus.scrape_configs.filter((c) => c.honor_labels)).toEqual([]);
  });

  const promtool = (() => {
    try {
      execFileSync('promtool', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  // Debian's prometheus package brings promtool; test/e2e/monitoring.test.ts installs it when missing.
  (promtool ? it : it.skip)('when promtool checks the config, then it is valid (the secret file exists only in the container)', () => {
    const out = execFileSync('promtool', ['check', 'config', '--syntax-only', resolve(root, 'monitoring/prometheus/prometheus.yml')], {
      encoding: 'utf8',
    });
    expect(out).toContain('SUCCESS');
  });
});

describe('monitoring/grafana', () => {
  const exported = exportedMetrics();
  const datasources = parse(read('monitoring/grafana/provisioning/datasources/prometheus.yml')) as {
    datasources: { uid: string; type: string; url: string }[];
  };

  it('when Grafana is provisioned, then its one datasource is the compose Prometheus and the dashboards are read from their mount', () => {
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const providers = parse(read('monitoring/grafana/provisioning/dashboards/quickcommerce.yml')) as {
      providers: { options: { path: string } }[];
    };
    expect(providers.providers.map((p) => p.options.path)).toEqual(['/etc/grafana/dashboards']);
    expect(dashboards.map((d) => d.file).sort()).toEqual(['events-and-breakers.json', 'golden-signals.json']);
  });

  it.each(dashboards)(
    'when $file is loaded, then its uid is its own, its panel ids are unique and every query uses the provisioned datasource',
    ({ dashboard }) => {
      expect(dashboards.filter((d) => d.dashboard.uid === dashboard.uid)).toHaveLength(1);
      const queries = dashboardQueries(dashboard);
      expect(queries.length).toBeGreaterThan(5);
      for (const query of queries)
        expect({ panel: query.panel, datasource: query.datasource }).toEqual({ panel: query.panel, datasource: 'prometheus' });
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of dashboard.panels) expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    },
  );

  it.each(dashboards)('when $file queries Prometheus, then every metric it names is one the fleet exports', ({ dashboard }) => {
    const unknown = dashboardQueries(dashboard).flatMap((query) =>
      metricSelectors(query.expr)
        .filter((selector) => !exported.has(selector.metric))
        .map((selector) => `${query.panel}: ${selector.metric}`),
    );
    expect(unknown).toEqual([]);
  });

  it.each(dashboards)('when $file filters by label, then every label is one its metric has', ({ dashboard }) => {
    const unknown = dashboardQueries(dashboard).flatMap((query) =>
      metricSelectors(query.expr).flatMap((selector) =>
        selector.labels
          .filter((label) => !exported.get(selector.metric)?.has(label))
          .map((label) => `${query.panel}: ${selector.metric}{${label}}`),
      ),
    );
    expect(unknown).toEqual([]);
  });

  it.each(dashboards)('when $file aggregates or matches by labels, then each is one a metric it selects carries', ({ dashboard }) => {
    const unknown = dashboardQueries(dashboard).flatMap((query) => {
      const carried = metricSelectors(query.expr).map((selector) => exported.get(selector.metric) ?? new Set<string>());
      return groupingLabels(query.expr)
        .filter((label) => !carried.some((labels) => labels.has(label)))
        .map((label) => `${query.panel}: by ${label}`);
    });
    expect(unknown).toEqual([]);
  });

  it.each(dashboards)(
    'when $file groups a metric that has its own instance label, then by exported_instance, not the scrape target',
    ({ dashboard }) => {
      const ambiguous = dashboardQueries(dashboard).flatMap((query) =>
        metricSelectors(query.expr)
          .filter((selector) => exported.get(selector.metric)?.has('exported_instance') && groupingLabels(query.expr).includes('instance'))
          .map((selector) => `${query.panel}: ${selector.metric} by instance`),
      );
      expect(ambiguous).toEqual([]);
    },
  );

  it('when the gateway routes and a service calls another, then both breakers are circuit_breaker_state series with the same labels', async () => {
    const upstreams = createUpstreams(
      {
        upstreams: new Map([['product-service', ['http://127.0.0.1:1']]]),
        BODY_LIMIT: 1_024,
        UPSTREAM_TIMEOUT_MS: 1_000,
        BREAKER_RESET_MS: 1_000,
        BREAKER_ERROR_PERCENT: 50,
        BREAKER_VOLUME: 5,
      },
      { logger: createLogger('monitoring-test', 'silent') },
    );
    const client = new ServiceClient({ service: 'inventory-service', baseUrl: 'http://127.0.0.1:2' });
    try {
      const gauge = new Metrics('cart-service').registry.getSingleMetric('circuit_breaker_state');
      expect((await gauge!.get()).values.map(({ labels, value }) => ({ labels, value }))).toEqual([
        { labels: { upstream: 'product-service', instance: 'http://127.0.0.1:1' }, value: 0 },
        { labels: { upstream: 'inventory-service', instance: 'http://127.0.0.1:2' }, value: 0 },
      ]);
    } finally {
      upstreams.close();
      client.shutdown();
    }
  });

  it('when the breakers are shown per called service, then the gateway’s and the services’ own each have their query', () => {
    const breakerQueries = dashboards
      .flatMap(({ dashboard }) => dashboardQueries(dashboard))
      .filter((query) => /\bcircuit_breaker_state\b/.test(query.expr) && groupingLabels(query.expr).includes('upstream'))
      .map((query) => query.expr);
    expect(breakerQueries).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/circuit_breaker_state\{[^}]*service="api-gateway"/),
        expect.stringMatching(/circuit_breaker_state\{[^}]*service!="api-gateway"/),
      ]),
    );
  });

  it('when the dashboards are taken together, then they cover the golden signals, the event pipeline and the breakers', () => {
    const named = new Set(
      dashboards.flatMap(({ dashboard }) => dashboardQueries(dashboard).flatMap((q) => metricSelectors(q.expr).map((s) => s.metric))),
    );
    for (const metric of [
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_bucket',
      'unhandled_errors_total',
      'db_pool_connections',
      'nodejs_eventloop_lag_p99_seconds',
      'outbox_backlog',
      'events_published_total',
      'consumer_lag',
      'events_consumed_total',
      'circuit_breaker_state',
      'rate_limit_rejections_total',
      'up',
    ]) {
      expect({ metric, shown: named.has(metric) }).toEqual({ metric, shown: true });
    }
  });

  it('when a query is checked, then a misspelt metric or label is caught (the checks above can fail)', () => {
    const selectors = metricSelectors(
      'sum by (service) (rate(http_requests_total{service=~"$service", statuscode="500"}[$__rate_interval]))',
    );
    expect(selectors).toEqual([{ metric: 'http_requests_total', labels: ['service', 'statuscode'] }]);
    expect(exported.has('http_requests_total')).toBe(false);
    expect(exported.get('http_request_duration_seconds_count')?.has('statuscode')).toBe(false);
    expect(groupingLabels('max by (upstream, instance) (circuit_breaker_state{service="by (x)"}) / on(service) up')).toEqual([
      'upstream',
      'instance',
      'service',
    ]);
    expect(exported.get('circuit_breaker_state')).toEqual(new Set(['upstream', 'exported_instance', 'service', 'job', 'instance']));
  });
});
