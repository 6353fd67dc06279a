import type { Router } from 'express';
import { z } from 'zod';
import { answers, createRoutes, defineRoute, type Routes } from '@qc/shared/http';
import * as metrics from '../domain/metrics';
import { timeRangeOf, type TimeRange } from '../domain/time-range';
import { sendCsv } from './csv';
import * as s from './metrics.schemas';

/** Analysts and admins read every rollup; nobody writes through this API. */
const READERS = ['admin', 'analyst'] as const;
const CsvFile = z.string().describe('RFC 4180 CSV: a header line naming the row fields, then one line per row');

type MetricQuery = typeof s.RangeQuery | typeof s.OrdersQuery | typeof s.SalesQuery;

interface MetricSpec<Q extends MetricQuery> {
  /** The path's last segment: `/api/v1/analytics/{name}`. */
  name: string;
  summary: string;
  query: Q;
  row: z.ZodObject;
  totals: z.ZodObject;
  read: (range: TimeRange, query: z.output<Q>) => Promise<{ rows: object[]; totals: object }>;
}

const rangeView = (range: TimeRange) => ({
  from: range.from.toISOString(),
  to: range.to.toISOString(),
  granularity: range.granularity,
  storeId: range.storeId ?? null,
  zoneId: range.zoneId ?? null,
});

/**
 * One metric, twice: `GET /api/v1/analytics/{name}` (JSON) and `.../{name}/export` (CSV of its
 * rows, for a spreadsheet), with the same filters.
 */
function defineMetric<Q extends MetricQuery>(routes: Routes, spec: MetricSpec<Q>): void {
  const path = `/api/v1/analytics/${spec.name}`;
  const schema = s.metricAnswer(
    `Analytics${spec.name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`,
    spec.row,
    spec.totals,
  );
  defineRoute(routes, {
    method: 'get',
    path,
    summary: spec.summary,
    access: READERS,
    request: { query: spec.query },
    response: answers.data(spec.summary, schema),
    handler: async ({ query }) => {
      const range = timeRangeOf(query);
      const { rows, totals } = await spec.read(range, query as z.output<Q>);
      return { range: rangeView(range), rows, totals } as z.input<typeof schema>;
    },
  });
  defineRoute(routes, {
    method: 'get',
    path: `${path}/export`,
    summary: `${spec.summary}, as CSV (one line per row)`,
    access: READERS,
    request: { query: spec.query },
    response: answers.custom('CSV with a header line', 'text/csv', CsvFile),
    handler: async ({ query, res }) => {
      const range = timeRangeOf(query);
      const { rows } = await spec.read(range, query as z.output<Q>);
      const stamp = (d: Date) => d.toISOString().slice(0, 16).replace(/[-:]/g, '');
      sendCsv(
        res,
        `${spec.name}-${stamp(range.from)}-${stamp(range.to)}.csv`,
        Object.keys(spec.row.shape),
        rows as Record<string, never>[],
      );
    },
  });
}

/** `GET /api/v1/analytics/...`: the rollups (issue 16) for admins and analysts, read-only. */
export function metricsRoutes(deps: metrics.MetricsDeps & Pick<Routes, 'openapi'>): Router {
  const routes = createRoutes(deps.openapi);
  const range = s.RangeQuery;
  const sales = s.SalesQuery;
  defineMetric(routes, {
    name: 'overview',
    summary: 'The dashboard’s headline figures over the window',
    query: range,
    row: s.OverviewTotals,
    totals: s.OverviewTotals,
    read: (r) => metrics.overview(deps, r),
  });
  defineMetric(routes, {
    name: 'orders',
    summary: 'Orders placed, delivered and cancelled, GMV (delivered, paise) and average order value per bucket, by store and zone',
    query: s.OrdersQuery,
    row: s.OrdersRow,
    totals: s.OrdersTotals,
    read: (r) => metrics.ordersSeries(deps, r),
  });
  defineMetric(routes, {
    name: 'funnel',
    summary: 'Customers who changed a cart, then ordered, paid and got it delivered, with conversion',
    query: range,
    row: s.FunnelRow,
    totals: s.FunnelTotals,
    read: (r) => metrics.funnel(deps, r),
  });
  defineMetric(routes, {
    name: 'cancellations',
    summary: 'Cancelled orders by reason',
    query: range,
    row: s.CancellationRow,
    totals: s.CancellationTotals,
    read: (r) => metrics.cancellations(deps, r),
  });
  defineMetric(routes, {
    name: 'payments',
    summary: 'Payment outcomes and success rate by method',
    query: range,
    row: s.PaymentRow,
    totals: s.PaymentTotals,
    read: (r) => metrics.payments(deps, r),
  });
  defineMetric(routes, {
    name: 'refunds',
    summary: 'Refunds and amounts refunded per bucket',
    query: range,
    row: s.RefundRow,
    totals: s.RefundTotals,
    read: (r) => metrics.refunds(deps, r),
  });
  defineMetric(routes, {
    name: 'delivery-times',
    summary: 'Confirmation to hand-over, p50/p90 minutes against the promised time, and SLA breaches per bucket',
    query: range,
    row: s.DeliveryRow,
    totals: s.DeliveryFigures,
    read: (r) => metrics.deliveryTimes(deps, r),
  });
  defineMetric(routes, {
    name: 'partners',
    summary: 'Delivery partners: deliveries and share of the window spent delivering',
    query: range,
    row: s.PartnerRow,
    totals: s.PartnerTotals,
    read: (r) => metrics.partners(deps, r),
  });
  defineMetric(routes, {
    name: 'products',
    summary: 'Top products by units or revenue (orders confirmed and not cancelled)',
    query: sales,
    row: s.ProductRow,
    totals: s.SalesTotals,
    read: (r, q) => metrics.topProducts(deps, r, q.sortBy, q.limit),
  });
  defineMetric(routes, {
    name: 'categories',
    summary: 'Top categories by units or revenue (orders confirmed and not cancelled)',
    query: sales,
    row: s.CategoryRow,
    totals: s.SalesTotals,
    read: (r, q) => metrics.topCategories(deps, r, q.sortBy, q.limit),
  });
  defineMetric(routes, {
    name: 'stock-outs',
    summary: 'Stock-outs per store: how many started in the window and how long they lasted',
    query: range,
    row: s.StockOutRow,
    totals: s.StockOutTotals,
    read: (r) => metrics.stockOutsByStore(deps, r),
  });
  defineMetric(routes, {
    name: 'customers',
    summary: 'Customers ordering per bucket: new (first order ever) and returning',
    query: range,
    row: s.CustomerRow,
    totals: s.CustomerTotals,
    read: (r) => metrics.customers(deps, r),
  });
  defineMetric(routes, {
    name: 'notifications',
    summary: 'Notifications sent per bucket by channel (not narrowed by store)',
    query: range,
    row: s.NotificationRow,
    totals: s.NotificationTotals,
    read: (r) => metrics.notifications(deps, r),
  });
  defineMetric(routes, {
    name: 'stores',
    summary: 'One row per store: orders, GMV, cancellations, delivery time, stock-outs',
    query: range,
    row: s.StoreRow,
    totals: s.StoreTotals,
    read: (r) => metrics.stores(deps, r),
  });
  defineMetric(routes, {
    name: 'zones',
    summary: 'One row per delivery zone and its store: orders, GMV, cancellations, delivery time',
    query: range,
    row: s.ZoneRow,
    totals: s.ZoneTotals,
    read: (r) => metrics.zones(deps, r),
  });
  return routes.router;
}
