import type { Registry } from 'prom-client';

/** The parts of a Grafana dashboard's JSON model the tests read. */
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: { name: string; query?: { query: string } | string; datasource?: { uid: string } }[] };
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { uid: string } }[];
}

export interface DashboardQuery {
  /** The panel's title, or `variable <name>`. */
  panel: string;
  expr: string;
  datasource: string | undefined;
}

/**
 * Every PromQL query of a dashboard: its panels' targets, and its variables' `label_values(metric,
 * label)` written as the selector they stand for (`metric{label!=""}`).
 */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const panels = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title,
      expr: target.expr,
      datasource: target.datasource?.uid ?? panel.datasource?.uid,
    })),
  );
  const variables = (dashboard.templating?.list ?? []).flatMap((variable) => {
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    const labelValues = query?.match(/^label_values\(\s*([A-Za-z_:][\w:]*)\s*,\s*(\w+)\s*\)$/);
    if (!labelValues) return [];
    return [{ panel: `variable ${variable.name}`, expr: `${labelValues[1]}{${labelValues[2]}!=""}`, datasource: variable.datasource?.uid }];
  });
  return [...panels, ...variables];
}

/** Words of PromQL that are not metric names where they stand without a `(` after them. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

export interface MetricSelector {
  metric: string;
  /** The label names its matchers use (`{service=~"...", route!="..."}` → service, route). */
  labels: string[];
}

/**
 * The metrics a PromQL expression selects, with the labels each selector matches on. Enough PromQL
 * for dashboards: strings, ranges and label lists of `by`/`on`/… are taken out first; what is left
 * that is not a function, an aggregation (both followed by `(`), a keyword or a number is a metric.
 */
export function metricSelectors(expr: string): MetricSelector[] {
  const withLabels: MetricSelector[] = [];
  const rest = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/(?<![\w:])([A-Za-z_:][\w:]*)?\s*\{([^}]*)\}/g, (_selector, metric: string | undefined, matchers: string) => {
      const labels = [...matchers.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!);
      if (metric) withLabels.push({ metric, labels });
      return ' ';
    })
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const bare = [...rest.matchAll(/(?<![\w:.$])([A-Za-z_:][\w:]*)(?![\w:]|\s*\()/g)]
    .map((m) => m[1]!)
    .filter((word) => !KEYWORDS.has(word.toLowerCase()))
    .map((metric) => ({ metric, labels: [] }));
  return [...withLabels, ...bare];
}

/** The labels an expression aggregates or matches by: the lists of its `by (…)` and `on (…)`. */
export function groupingLabels(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...code.matchAll(/\b(?:by|on)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean),
  );
}

/**
 * What a registry exports, as Prometheus stores it: each metric's series names (a histogram's
 * `_bucket`, `_sum` and `_count`) with the labels they carry: their own, the registry's default
 * `service`, and the `job` and `instance` Prometheus adds. A metric's own `job` or `instance`
 * label is stored as `exported_job` / `exported_instance` (the scrape config leaves
 * honor_labels off). Prometheus' own `up` is included.
 */
export function metricsOf(registry: Registry): Map<string, Set<string>> {
  const scraped = ['job', 'instance'];
  const names = new Map<string, Set<string>>([['up', new Set(scraped)]]);
  for (const metric of registry.getMetricsAsArray()) {
    const own = 'labelNames' in metric && Array.isArray(metric.labelNames) ? (metric.labelNames as string[]) : [];
    const labels = [...own.map((label) => (scraped.includes(label) ? `exported_${label}` : label)), 'service', ...scraped];
    if (String(metric.type) === 'histogram') {
      names.set(`${metric.name}_bucket`, new Set([...labels, 'le']));
      names.set(`${metric.name}_sum`, new Set(labels));
      names.set(`${metric.name}_count`, new Set(labels));
    } else {
      names.set(metric.name, new Set(labels));
    }
  }
  return names;
}
