/**
 * The rollups' queries over the projections. Each reads one window `[from, to)` by the time of the
 * fact it counts (placed, delivered, cancelled...), optionally at one store or in one zone, and
 * groups by UTC bucket; the domain fills the gaps and derives rates and percentiles.
 */
import type { Queryable } from '@qc/shared/db';
import type { Granularity, TimeRange } from '../domain/time-range';

const FORMAT: Record<Granularity, string> = { hour: '%Y-%m-%dT%H:00:00.000Z', day: '%Y-%m-%dT00:00:00.000Z' };
const bucket = (column: string, granularity: Granularity) => `DATE_FORMAT(${column}, '${FORMAT[granularity]}')`;

/**
 * `column` within the range, at the store and in the order's zone when they are asked for. The
 * zone is an order's (`o.zone_id`): only metrics over order facts accept `zoneId`.
 */
function within(column: string, range: TimeRange, storeColumn = 'o.store_id'): { sql: string; params: unknown[] } {
  const conditions = [`${column} >= ?`, `${column} < ?`];
  const params: unknown[] = [range.from, range.to];
  if (range.storeId) {
    conditions.push(`${storeColumn} = ?`);
    params.push(range.storeId);
  }
  if (range.zoneId) {
    conditions.push('o.zone_id = ?');
    params.push(range.zoneId);
  }
  return { sql: conditions.join(' AND '), params };
}

const num = (value: unknown): number => Number(value ?? 0);

export interface OrderBucketRow extends OrderCounts {
  bucket: string;
}

/** Orders placed, delivered (with their GMV) and cancelled per bucket, each by its own time. */
export async function orderBuckets(db: Queryable, range: TimeRange): Promise<OrderBucketRow[]> {
  const placed = within('o.created_at', range);
  const delivered = within('o.delivered_at', range);
  const cancelled = within('o.cancelled_at', range);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT bucket, SUM(placed) placed, SUM(delivered) delivered, SUM(gmv) gmv, SUM(cancelled) cancelled FROM (
       SELECT ${bucket('o.created_at', range.granularity)} bucket, 1 placed, 0 delivered, 0 gmv, 0 cancelled FROM order_facts o WHERE ${placed.sql}
       UNION ALL
       SELECT ${bucket('o.delivered_at', range.granularity)}, 0, 1, o.total_paise, 0 FROM order_facts o
        WHERE ${delivered.sql} AND o.total_paise IS NOT NULL
       UNION ALL
       SELECT ${bucket('o.cancelled_at', range.granularity)}, 0, 0, 0, 1 FROM order_facts o WHERE ${cancelled.sql}
     ) facts GROUP BY bucket`,
    [...placed.params, ...delivered.params, ...cancelled.params],
  );
  return rows.map((r) => ({ bucket: String(r.bucket), ...countsOf(r) }));
}

export interface OrderCounts {
  placed: number;
  delivered: number;
  gmv: number;
  cancelled: number;
}

export interface StoreOrderRow extends OrderCounts {
  storeId: string;
}

export interface ZoneOrderRow extends StoreOrderRow {
  zoneId: string;
}

/**
 * Orders placed, delivered (with their GMV) and cancelled over the whole window per value of
 * `keys`, order fact columns; facts that do not know one of them are left out. Biggest GMV first.
 */
async function orderCountsBy(db: Queryable, range: TimeRange, keys: ('store_id' | 'zone_id')[]): Promise<Record<string, unknown>[]> {
  const placed = within('o.created_at', range);
  const delivered = within('o.delivered_at', range);
  const cancelled = within('o.cancelled_at', range);
  const columns = keys.map((k) => `o.${k}`).join(', ');
  return db.query(
    `SELECT ${keys.join(', ')}, SUM(placed) placed, SUM(delivered) delivered, SUM(gmv) gmv, SUM(cancelled) cancelled FROM (
       SELECT ${columns}, 1 placed, 0 delivered, 0 gmv, 0 cancelled FROM order_facts o WHERE ${placed.sql}
       UNION ALL
       SELECT ${columns}, 0, 1, o.total_paise, 0 FROM order_facts o WHERE ${delivered.sql} AND o.total_paise IS NOT NULL
       UNION ALL
       SELECT ${columns}, 0, 0, 0, 1 FROM order_facts o WHERE ${cancelled.sql}
     ) facts WHERE ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')}
     GROUP BY ${keys.join(', ')} ORDER BY SUM(gmv) DESC, ${keys.join(', ')}`,
    [...placed.params, ...delivered.params, ...cancelled.params],
  );
}

const countsOf = (r: Record<string, unknown>): OrderCounts => ({
  placed: num(r.placed),
  delivered: num(r.delivered),
  gmv: num(r.gmv),
  cancelled: num(r.cancelled),
});

/** The same counts per store over the whole window. */
export async function ordersByStore(db: Queryable, range: TimeRange): Promise<StoreOrderRow[]> {
  const rows = await orderCountsBy(db, range, ['store_id']);
  return rows.map((r) => ({ storeId: String(r.store_id), ...countsOf(r) }));
}

/**
 * The same counts per zone over the whole window, with the store that served the zone's orders (a
 * zone moved to another store counts once per store). Orders without a zone are in no row.
 */
export async function ordersByZone(db: Queryable, range: TimeRange): Promise<ZoneOrderRow[]> {
  const rows = await orderCountsBy(db, range, ['zone_id', 'store_id']);
  return rows.map((r) => ({ zoneId: String(r.zone_id), storeId: String(r.store_id), ...countsOf(r) }));
}

/** The names location-service's zone events gave these zones; zones never announced are absent. */
export async function zoneNames(db: Queryable, zoneIds: string[]): Promise<Map<string, string>> {
  if (zoneIds.length === 0) return new Map();
  const rows: { zone_id: string; name: string }[] = await db.query('SELECT zone_id, name FROM zone_facts WHERE zone_id IN (?)', [zoneIds]);
  return new Map(rows.map((r) => [r.zone_id, r.name]));
}

/** Customers who placed an order per bucket, split by whether it was their first order ever. */
export async function customerBuckets(
  db: Queryable,
  range: TimeRange,
): Promise<{ bucket: string; newCustomers: number; returning: number }[]> {
  const placed = within('o.created_at', range);
  const b = bucket('o.created_at', range.granularity);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT bucket, SUM(is_new) new_customers, SUM(1 - is_new) returning_customers FROM (
       SELECT ${b} bucket, o.user_id, MAX(${bucket('f.first_at', range.granularity)} = ${b}) is_new
         FROM order_facts o
         JOIN (SELECT user_id, MIN(created_at) first_at FROM order_facts WHERE user_id IS NOT NULL AND created_at IS NOT NULL GROUP BY user_id) f
           ON f.user_id = o.user_id
        WHERE ${placed.sql}
        GROUP BY 1, 2
     ) customers GROUP BY bucket`,
    placed.params,
  );
  return rows.map((r) => ({ bucket: String(r.bucket), newCustomers: num(r.new_customers), returning: num(r.returning_customers) }));
}

/**
 * The funnel of the customers who changed a cart in the window: how many of them then placed an
 * order, had one confirmed (paid, or accepted for cash on delivery) and delivered, in the window.
 */
export async function funnelCounts(
  db: Queryable,
  range: TimeRange,
): Promise<{ carts: number; ordered: number; paid: number; delivered: number }> {
  const carts = within('c.hour', { ...range, from: new Date(Math.floor(range.from.getTime() / 3_600_000) * 3_600_000) }, 'c.store_id');
  const placed = within('o.created_at', range);
  const [row]: Record<string, unknown>[] = await db.query(
    `SELECT COUNT(DISTINCT c.user_id) carts,
            COUNT(DISTINCT o.user_id) ordered,
            COUNT(DISTINCT CASE WHEN o.confirmed_at IS NOT NULL THEN o.user_id END) paid,
            COUNT(DISTINCT CASE WHEN o.delivered_at IS NOT NULL THEN o.user_id END) delivered
       FROM (SELECT DISTINCT c.user_id FROM cart_activity c WHERE ${carts.sql}) c
       LEFT JOIN order_facts o ON o.user_id = c.user_id AND ${placed.sql}`,
    [...carts.params, ...placed.params],
  );
  return { carts: num(row?.carts), ordered: num(row?.ordered), paid: num(row?.paid), delivered: num(row?.delivered) };
}

export async function cancellationsByReason(db: Queryable, range: TimeRange): Promise<{ reason: string; cancelled: number }[]> {
  const cancelled = within('o.cancelled_at', range);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT COALESCE(o.cancellation_reason, 'UNKNOWN') reason, COUNT(*) cancelled FROM order_facts o
      WHERE ${cancelled.sql} GROUP BY 1 ORDER BY 2 DESC, 1`,
    cancelled.params,
  );
  return rows.map((r) => ({ reason: String(r.reason), cancelled: num(r.cancelled) }));
}

/** Payment outcomes per method, each by the time it happened; the order's method when the payment's is not known. */
export async function paymentOutcomes(
  db: Queryable,
  range: TimeRange,
): Promise<{ method: string; succeeded: number; failed: number; amount: number }[]> {
  const completed = within('p.completed_at', range);
  const failed = within('p.failed_at', range);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT method, SUM(succeeded) succeeded, SUM(failed) failed, SUM(amount) amount FROM (
       SELECT COALESCE(p.method, o.payment_method, 'UNKNOWN') method, 1 succeeded, 0 failed, COALESCE(p.amount_paise, 0) amount
         FROM payment_facts p LEFT JOIN order_facts o ON o.order_id = p.order_id WHERE ${completed.sql}
       UNION ALL
       SELECT COALESCE(p.method, o.payment_method, 'UNKNOWN'), 0, 1, 0
         FROM payment_facts p LEFT JOIN order_facts o ON o.order_id = p.order_id WHERE ${failed.sql}
     ) outcomes GROUP BY method ORDER BY method`,
    [...completed.params, ...failed.params],
  );
  return rows.map((r) => ({ method: String(r.method), succeeded: num(r.succeeded), failed: num(r.failed), amount: num(r.amount) }));
}

export async function refundBuckets(
  db: Queryable,
  range: TimeRange,
): Promise<{ bucket: string; destination: string; refunds: number; amount: number }[]> {
  const refunded = within('r.refunded_at', range);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${bucket('r.refunded_at', range.granularity)} bucket, COALESCE(r.destination, 'original') destination,
            COUNT(*) refunds, SUM(r.amount_paise) amount
       FROM refund_facts r LEFT JOIN order_facts o ON o.order_id = r.order_id
      WHERE ${refunded.sql} GROUP BY 1, 2`,
    refunded.params,
  );
  return rows.map((r) => ({
    bucket: String(r.bucket),
    destination: String(r.destination),
    refunds: num(r.refunds),
    amount: num(r.amount),
  }));
}

export interface DeliveredOrderRow {
  bucket: string;
  storeId: string | null;
  zoneId: string | null;
  minutes: number;
  promisedMinutes: number | null;
}

/**
 * Orders delivered in the window with how long they took from confirmation and what was promised:
 * the delivery's expected hand-over time, or its ETA from when the partner was assigned.
 */
export async function deliveredOrders(db: Queryable, range: TimeRange): Promise<DeliveredOrderRow[]> {
  const delivered = within('o.delivered_at', range);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${bucket('o.delivered_at', range.granularity)} bucket, o.store_id, o.zone_id,
            TIMESTAMPDIFF(MICROSECOND, o.confirmed_at, o.delivered_at) / 60000000 minutes,
            TIMESTAMPDIFF(MICROSECOND, o.confirmed_at, COALESCE(d.eta_at, d.scheduled_at + INTERVAL d.eta_minutes MINUTE)) / 60000000 promised
       FROM order_facts o
       LEFT JOIN (
         SELECT order_id, MAX(eta_at) eta_at, MAX(scheduled_at) scheduled_at, MAX(eta_minutes) eta_minutes
           FROM delivery_facts WHERE completed_at IS NOT NULL GROUP BY order_id
       ) d ON d.order_id = o.order_id
      WHERE ${delivered.sql} AND o.confirmed_at IS NOT NULL`,
    delivered.params,
  );
  return rows.map((r) => ({
    bucket: String(r.bucket),
    storeId: r.store_id === null ? null : String(r.store_id),
    zoneId: r.zone_id === null ? null : String(r.zone_id),
    minutes: num(r.minutes),
    promisedMinutes: r.promised === null ? null : num(r.promised),
  }));
}

export interface PartnerRow {
  partnerId: string;
  delivered: number;
  failed: number;
  busyMinutes: number;
}

/**
 * Per partner, deliveries finished in the window and the minutes spent on deliveries (from
 * assignment to hand-over, failure or the end its order put to it, still running ones until the
 * window's end), cut to the window.
 */
export async function partnerWork(db: Queryable, range: TimeRange, now: Date): Promise<PartnerRow[]> {
  const end = range.to < now ? range.to : now;
  const store = range.storeId ? 'AND o.store_id = ?' : '';
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT d.partner_id,
            SUM(d.completed_at >= ? AND d.completed_at < ?) delivered,
            SUM(d.failed_at >= ? AND d.failed_at < ?) failed,
            SUM(GREATEST(0, TIMESTAMPDIFF(MICROSECOND, GREATEST(d.scheduled_at, ?), LEAST(COALESCE(d.completed_at, d.failed_at, d.ended_at, ?), ?)))) / 60000000 busy
       FROM delivery_facts d LEFT JOIN order_facts o ON o.order_id = d.order_id
      WHERE d.partner_id IS NOT NULL AND d.scheduled_at IS NOT NULL AND d.scheduled_at < ?
        AND COALESCE(d.completed_at, d.failed_at, d.ended_at, ?) >= ? ${store}
      GROUP BY d.partner_id ORDER BY busy DESC, d.partner_id LIMIT 500`,
    [
      range.from,
      range.to,
      range.from,
      range.to,
      range.from,
      end,
      end,
      range.to,
      end,
      range.from,
      ...(range.storeId ? [range.storeId] : []),
    ],
  );
  return rows.map((r) => ({
    partnerId: String(r.partner_id),
    delivered: num(r.delivered),
    failed: num(r.failed),
    busyMinutes: num(r.busy),
  }));
}

/**
 * Units and revenue per product of the orders whose stock left the shelf in the window (confirmed)
 * and that were not cancelled afterwards: what inventory's ledger records as sold.
 */
export async function productSales(db: Queryable, range: TimeRange): Promise<{ productId: string; units: number; revenue: number }[]> {
  const confirmed = within('o.confirmed_at', range);
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT l.product_id, SUM(l.quantity) units, SUM(l.quantity * l.unit_price_paise) revenue
       FROM order_lines l JOIN order_facts o ON o.order_id = l.order_id
      WHERE ${confirmed.sql} AND o.cancelled_at IS NULL
      GROUP BY l.product_id`,
    confirmed.params,
  );
  return rows.map((r) => ({ productId: String(r.product_id), units: num(r.units), revenue: num(r.revenue) }));
}

export interface StockOutRow {
  storeId: string;
  productId: string;
  startedAt: Date;
  endedAt: Date | null;
}

/** Stock-outs that started in the window, each with when units were next available, if they were. */
export async function stockOuts(db: Queryable, range: TimeRange): Promise<StockOutRow[]> {
  const started = within('s.at', range, 's.store_id');
  const rows: { store_id: string; product_id: string; at: Date; ended_at: Date | null }[] = await db.query(
    `SELECT s.store_id, s.product_id, s.at,
            (SELECT MIN(r.at) FROM stock_signals r
              WHERE r.store_id = s.store_id AND r.product_id = s.product_id AND r.out_of_stock = FALSE AND r.at > s.at) ended_at
       FROM stock_signals s WHERE s.out_of_stock = TRUE AND ${started.sql}`,
    started.params,
  );
  return rows.map((r) => ({ storeId: r.store_id, productId: r.product_id, startedAt: r.at, endedAt: r.ended_at }));
}

/** Notifications sent per bucket and channel (they carry no store). */
export async function notificationBuckets(
  db: Queryable,
  range: Omit<TimeRange, 'storeId'>,
): Promise<{ bucket: string; channel: string; sent: number }[]> {
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${bucket('n.sent_at', range.granularity)} bucket, n.channel, COUNT(*) sent FROM notification_facts n
      WHERE n.sent_at >= ? AND n.sent_at < ? GROUP BY 1, 2`,
    [range.from, range.to],
  );
  return rows.map((r) => ({ bucket: String(r.bucket), channel: String(r.channel), sent: num(r.sent) }));
}

/** What reconciliation compares per order: delivered totals and units that left the shelf, all time. */
export async function deliveredTotals(db: Queryable, storeId?: string): Promise<Map<string, number>> {
  const rows: { order_id: string; total_paise: string | number }[] = await db.query(
    `SELECT order_id, total_paise FROM order_facts WHERE delivered_at IS NOT NULL AND total_paise IS NOT NULL ${storeId ? 'AND store_id = ?' : ''}`,
    storeId ? [storeId] : [],
  );
  return new Map(rows.map((r) => [r.order_id, Number(r.total_paise)]));
}

/** Units per order that were committed (confirmed) and, separately, returned (cancelled after confirmation). */
export async function committedUnits(db: Queryable, storeId?: string): Promise<Map<string, { committed: number; returned: number }>> {
  const rows: { order_id: string; units: string | number; cancelled: number }[] = await db.query(
    `SELECT o.order_id, SUM(l.quantity) units, o.cancelled_at IS NOT NULL cancelled
       FROM order_facts o JOIN order_lines l ON l.order_id = o.order_id
      WHERE o.confirmed_at IS NOT NULL ${storeId ? 'AND o.store_id = ?' : ''} GROUP BY o.order_id`,
    storeId ? [storeId] : [],
  );
  return new Map(rows.map((r) => [r.order_id, { committed: Number(r.units), returned: Number(r.cancelled) ? Number(r.units) : 0 }]));
}
