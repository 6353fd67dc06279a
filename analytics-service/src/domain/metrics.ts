/**
 * The rollups analysts read (issue 16), computed from the projections for the window asked for.
 * Money is in paise, durations in minutes, rates between 0 and 1 (null when nothing was counted).
 * Every metric answers `rows` (a dense series, or one row per store, method, reason...) and, where
 * it helps, `totals` over the window.
 */
import type { DataSource } from '@qc/shared/db';
import type { Logger } from '@qc/shared/logging';
import type { ProductInfo } from '../clients/catalog.client';
import * as facts from '../data/metrics.repository';
import { denseSeries, quantile, ratio, type TimeRange } from './time-range';

/** Names for ids; a name that cannot be fetched leaves the id alone, so a metric never fails for want of a label. */
export interface Catalog {
  productsById(ids: string[]): Promise<Map<string, ProductInfo | null>>;
  categoryNames(): Promise<Map<string, string>>;
  storeNames(): Promise<Map<string, string>>;
}

export interface MetricsDeps {
  dataSource: DataSource;
  catalog: Catalog;
  logger: Logger;
  now?: () => Date;
}

export interface MetricAnswer<Row, Totals = undefined> {
  rows: Row[];
  totals: Totals;
}

async function orElse<T>(deps: MetricsDeps, what: string, read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (err) {
    deps.logger.warn({ err }, `${what} unavailable; answering with ids`);
    return fallback;
  }
}

export async function ordersSeries(deps: MetricsDeps, range: TimeRange) {
  const rows = await facts.orderBuckets(deps.dataSource, range);
  const series = denseSeries(range, new Map(rows.map(({ bucket, ...r }) => [bucket, r])), () => ({
    placed: 0,
    delivered: 0,
    gmv: 0,
    cancelled: 0,
  })).map((r) => ({ ...r, averageOrderValue: r.delivered ? Math.round(r.gmv / r.delivered) : null }));
  const sum = (field: 'placed' | 'delivered' | 'gmv' | 'cancelled') => series.reduce((total, r) => total + r[field], 0);
  const delivered = sum('delivered');
  const gmv = sum('gmv');
  return {
    rows: series,
    totals: {
      placed: sum('placed'),
      delivered,
      gmv,
      cancelled: sum('cancelled'),
      averageOrderValue: delivered ? Math.round(gmv / delivered) : null,
    },
  };
}

export async function funnel(deps: MetricsDeps, range: TimeRange) {
  const counts = await facts.funnelCounts(deps.dataSource, range);
  const stages = [
    { stage: 'cart_updated', customers: counts.carts },
    { stage: 'order_created', customers: counts.ordered },
    { stage: 'paid', customers: counts.paid },
    { stage: 'delivered', customers: counts.delivered },
  ];
  return {
    rows: stages.map((s, i) => ({
      ...s,
      conversionFromPrevious: i === 0 ? null : ratio(s.customers, stages[i - 1]!.customers),
      conversionFromStart: i === 0 ? null : ratio(s.customers, counts.carts),
    })),
    totals: { conversion: ratio(counts.delivered, counts.carts) },
  };
}

export async function cancellations(deps: MetricsDeps, range: TimeRange) {
  const rows = await facts.cancellationsByReason(deps.dataSource, range);
  const total = rows.reduce((sum, r) => sum + r.cancelled, 0);
  return { rows: rows.map((r) => ({ ...r, share: ratio(r.cancelled, total) })), totals: { cancelled: total } };
}

export async function payments(deps: MetricsDeps, range: TimeRange) {
  const rows = await facts.paymentOutcomes(deps.dataSource, range);
  const succeeded = rows.reduce((sum, r) => sum + r.succeeded, 0);
  const failed = rows.reduce((sum, r) => sum + r.failed, 0);
  return {
    rows: rows.map((r) => ({ ...r, successRate: ratio(r.succeeded, r.succeeded + r.failed) })),
    totals: { succeeded, failed, successRate: ratio(succeeded, succeeded + failed) },
  };
}

export async function refunds(deps: MetricsDeps, range: TimeRange) {
  const rows = await facts.refundBuckets(deps.dataSource, range);
  const byBucket = new Map<string, { refunds: number; amount: number; toWallet: number }>();
  for (const r of rows) {
    const b = byBucket.get(r.bucket) ?? { refunds: 0, amount: 0, toWallet: 0 };
    b.refunds += r.refunds;
    b.amount += r.amount;
    if (r.destination === 'wallet') b.toWallet += r.amount;
    byBucket.set(r.bucket, b);
  }
  const series = denseSeries(range, byBucket, () => ({ refunds: 0, amount: 0, toWallet: 0 }));
  return {
    rows: series,
    totals: { refunds: series.reduce((s, r) => s + r.refunds, 0), amount: series.reduce((s, r) => s + r.amount, 0) },
  };
}

const round1 = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

function deliveryFigures(rows: facts.DeliveredOrderRow[]) {
  const promised = rows.filter((r) => r.promisedMinutes !== null);
  const breaches = promised.filter((r) => r.minutes > r.promisedMinutes!).length;
  return {
    delivered: rows.length,
    p50Minutes: round1(
      quantile(
        rows.map((r) => r.minutes),
        0.5,
      ),
    ),
    p90Minutes: round1(
      quantile(
        rows.map((r) => r.minutes),
        0.9,
      ),
    ),
    promisedP50Minutes: round1(
      quantile(
        promised.map((r) => r.promisedMinutes!),
        0.5,
      ),
    ),
    slaBreaches: breaches,
    slaBreachRate: ratio(breaches, promised.length),
  };
}

/** Confirmation to hand-over per bucket of delivery, against the delivery's promised time. */
export async function deliveryTimes(deps: MetricsDeps, range: TimeRange) {
  const rows = await facts.deliveredOrders(deps.dataSource, range);
  const byBucket = new Map<string, facts.DeliveredOrderRow[]>();
  for (const r of rows) byBucket.set(r.bucket, [...(byBucket.get(r.bucket) ?? []), r]);
  const series = denseSeries(range, new Map([...byBucket].map(([b, list]) => [b, deliveryFigures(list)])), () => deliveryFigures([]));
  return { rows: series, totals: deliveryFigures(rows) };
}

export async function partners(deps: MetricsDeps, range: TimeRange) {
  const now = deps.now?.() ?? new Date();
  const windowMinutes = (Math.min(range.to.getTime(), now.getTime()) - range.from.getTime()) / 60_000;
  const rows = await facts.partnerWork(deps.dataSource, range, now);
  const withRates = rows.map((r) => ({ ...r, busyMinutes: round1(r.busyMinutes)!, utilisation: ratio(r.busyMinutes, windowMinutes) }));
  const busy = rows.reduce((s, r) => s + r.busyMinutes, 0);
  return {
    rows: withRates,
    totals: {
      partners: rows.length,
      delivered: rows.reduce((s, r) => s + r.delivered, 0),
      utilisation: ratio(busy, windowMinutes * rows.length),
    },
  };
}

export type SalesOrder = 'units' | 'revenue';

export async function topProducts(deps: MetricsDeps, range: TimeRange, sortBy: SalesOrder, limit: number) {
  const sales = (await facts.productSales(deps.dataSource, range)).sort(
    (a, b) => b[sortBy] - a[sortBy] || a.productId.localeCompare(b.productId),
  );
  const top = sales.slice(0, limit);
  const [products, categories] = await Promise.all([
    orElse(deps, 'product names', () => deps.catalog.productsById(top.map((s) => s.productId)), new Map<string, ProductInfo | null>()),
    orElse(deps, 'category names', () => deps.catalog.categoryNames(), new Map<string, string>()),
  ]);
  return {
    rows: top.map((s) => {
      const info = products.get(s.productId);
      const categoryId = info?.categoryId ?? null;
      return { ...s, name: info?.name ?? null, categoryId, category: categoryId ? (categories.get(categoryId) ?? null) : null };
    }),
    totals: {
      units: sales.reduce((sum, s) => sum + s.units, 0),
      revenue: sales.reduce((sum, s) => sum + s.revenue, 0),
      products: sales.length,
    },
  };
}

export async function topCategories(deps: MetricsDeps, range: TimeRange, sortBy: SalesOrder, limit: number) {
  const sales = await facts.productSales(deps.dataSource, range);
  const [products, categories] = await Promise.all([
    orElse(deps, 'product names', () => deps.catalog.productsById(sales.map((s) => s.productId)), new Map<string, ProductInfo | null>()),
    orElse(deps, 'category names', () => deps.catalog.categoryNames(), new Map<string, string>()),
  ]);
  const byCategory = new Map<string | null, { units: number; revenue: number; products: number }>();
  for (const s of sales) {
    const categoryId = products.get(s.productId)?.categoryId ?? null;
    const c = byCategory.get(categoryId) ?? { units: 0, revenue: 0, products: 0 };
    c.units += s.units;
    c.revenue += s.revenue;
    c.products += 1;
    byCategory.set(categoryId, c);
  }
  const rows = [...byCategory]
    .map(([categoryId, c]) => ({ categoryId, category: categoryId ? (categories.get(categoryId) ?? null) : null, ...c }))
    .sort((a, b) => b[sortBy] - a[sortBy] || String(a.categoryId).localeCompare(String(b.categoryId)));
  return {
    rows: rows.slice(0, limit),
    totals: { units: sales.reduce((s, r) => s + r.units, 0), revenue: sales.reduce((s, r) => s + r.revenue, 0) },
  };
}

/** Stock-outs that started in the window, per store: how many, how long (ongoing ones until now or the window's end). */
export async function stockOutsByStore(deps: MetricsDeps, range: TimeRange) {
  const now = deps.now?.() ?? new Date();
  const until = range.to < now ? range.to : now;
  const episodes = await facts.stockOuts(deps.dataSource, range);
  const byStore = new Map<string, { minutes: number[]; ongoing: number }>();
  for (const e of episodes) {
    const s = byStore.get(e.storeId) ?? { minutes: [], ongoing: 0 };
    const end = e.endedAt && e.endedAt < until ? e.endedAt : until;
    if (!e.endedAt || e.endedAt >= until) s.ongoing++;
    s.minutes.push(Math.max(0, (end.getTime() - e.startedAt.getTime()) / 60_000));
    byStore.set(e.storeId, s);
  }
  const names = await orElse(deps, 'store names', () => deps.catalog.storeNames(), new Map<string, string>());
  const rows = [...byStore]
    .map(([storeId, s]) => ({
      storeId,
      store: names.get(storeId) ?? null,
      stockOuts: s.minutes.length,
      ongoing: s.ongoing,
      totalMinutes: round1(s.minutes.reduce((a, b) => a + b, 0))!,
      medianMinutes: round1(quantile(s.minutes, 0.5)),
      longestMinutes: round1(Math.max(...s.minutes))!,
    }))
    .sort((a, b) => b.stockOuts - a.stockOuts || a.storeId.localeCompare(b.storeId));
  return { rows, totals: { stockOuts: episodes.length, ongoing: rows.reduce((s, r) => s + r.ongoing, 0) } };
}

export async function customers(deps: MetricsDeps, range: TimeRange) {
  const rows = await facts.customerBuckets(deps.dataSource, range);
  const series = denseSeries(range, new Map(rows.map(({ bucket, ...r }) => [bucket, r])), () => ({ newCustomers: 0, returning: 0 }));
  return {
    rows: series,
    totals: { newCustomers: series.reduce((s, r) => s + r.newCustomers, 0), returning: series.reduce((s, r) => s + r.returning, 0) },
  };
}

export const CHANNELS = ['email', 'sms', 'push'] as const;

/** Notifications sent per bucket by channel; they belong to no store, so `storeId` does not narrow them. */
export async function notifications(deps: MetricsDeps, range: TimeRange) {
  const rows = await facts.notificationBuckets(deps.dataSource, range);
  const byBucket = new Map<string, Record<(typeof CHANNELS)[number], number>>();
  for (const r of rows) {
    const b = byBucket.get(r.bucket) ?? { email: 0, sms: 0, push: 0 };
    if (r.channel in b) b[r.channel as (typeof CHANNELS)[number]] += r.sent;
    byBucket.set(r.bucket, b);
  }
  const series = denseSeries(range, byBucket, () => ({ email: 0, sms: 0, push: 0 }));
  return {
    rows: series,
    totals: Object.fromEntries(CHANNELS.map((c) => [c, series.reduce((s, r) => s + r[c], 0)])) as Record<(typeof CHANNELS)[number], number>,
  };
}

/** A store's or a zone's row: its order counts with AOV and cancellation rate, and its delivered orders' times. */
function orderFigures(o: facts.OrderCounts, delivered: facts.DeliveredOrderRow[]) {
  const times = deliveryFigures(delivered);
  return {
    placed: o.placed,
    delivered: o.delivered,
    gmv: o.gmv,
    averageOrderValue: o.delivered ? Math.round(o.gmv / o.delivered) : null,
    cancelled: o.cancelled,
    cancellationRate: ratio(o.cancelled, o.placed),
    deliveryP50Minutes: times.p50Minutes,
    slaBreachRate: times.slaBreachRate,
  };
}

/** One row per store: orders, GMV, cancellations, delivery time and stock-outs, for the store table. */
export async function stores(deps: MetricsDeps, range: TimeRange) {
  const [orders, deliveries, outs, names] = await Promise.all([
    facts.ordersByStore(deps.dataSource, range),
    facts.deliveredOrders(deps.dataSource, range),
    stockOutsByStore(deps, range),
    orElse(deps, 'store names', () => deps.catalog.storeNames(), new Map<string, string>()),
  ]);
  const outsByStore = new Map(outs.rows.map((r) => [r.storeId, r.stockOuts]));
  const rows = orders.map((o) => ({
    storeId: o.storeId,
    store: names.get(o.storeId) ?? null,
    ...orderFigures(
      o,
      deliveries.filter((d) => d.storeId === o.storeId),
    ),
    stockOuts: outsByStore.get(o.storeId) ?? 0,
  }));
  return { rows, totals: { stores: rows.length } };
}

/**
 * One row per zone (location-service's, from the orders' drop-offs) and the store serving it:
 * orders, GMV, cancellations and delivery time, for the zone table. Zones are named from
 * location-service's zone events; one never announced shows by id.
 */
export async function zones(deps: MetricsDeps, range: TimeRange) {
  const [orders, deliveries, storeNames] = await Promise.all([
    facts.ordersByZone(deps.dataSource, range),
    facts.deliveredOrders(deps.dataSource, range),
    orElse(deps, 'store names', () => deps.catalog.storeNames(), new Map<string, string>()),
  ]);
  const zoneNames = await facts.zoneNames(deps.dataSource, [...new Set(orders.map((o) => o.zoneId))]);
  const rows = orders.map((o) => ({
    zoneId: o.zoneId,
    zone: zoneNames.get(o.zoneId) ?? null,
    storeId: o.storeId,
    store: storeNames.get(o.storeId) ?? null,
    ...orderFigures(
      o,
      deliveries.filter((d) => d.zoneId === o.zoneId && d.storeId === o.storeId),
    ),
  }));
  return { rows, totals: { zones: new Set(rows.map((r) => r.zoneId)).size } };
}

/** The dashboard's tiles: one figure each over the window. */
export async function overview(deps: MetricsDeps, range: TimeRange) {
  const [orders, pay, refunded, delivery, custs, outs] = await Promise.all([
    ordersSeries(deps, range),
    payments(deps, range),
    refunds(deps, range),
    deliveryTimes(deps, range),
    customers(deps, range),
    facts.stockOuts(deps.dataSource, range),
  ]);
  const totals = {
    ordersPlaced: orders.totals.placed,
    ordersDelivered: orders.totals.delivered,
    gmv: orders.totals.gmv,
    averageOrderValue: orders.totals.averageOrderValue,
    cancelled: orders.totals.cancelled,
    cancellationRate: ratio(orders.totals.cancelled, orders.totals.placed),
    paymentSuccessRate: pay.totals.successRate,
    refunded: refunded.totals.amount,
    deliveryP50Minutes: delivery.totals.p50Minutes,
    deliveryP90Minutes: delivery.totals.p90Minutes,
    slaBreachRate: delivery.totals.slaBreachRate,
    newCustomers: custs.totals.newCustomers,
    returningCustomers: custs.totals.returning,
    stockOuts: outs.length,
  };
  return { rows: [totals], totals };
}
