import type { Queryable } from '@qc/shared/db';
import type { OrderSale, SaleLine } from '../domain/sales';

/**
 * Locks the order's sale row, created on first use, and returns what is known of it. Every event of
 * an order takes it first, so they run one after the other. Insert first: a locking read of a
 * missing row takes a gap lock, and two of those side by side deadlock on the inserts that follow;
 * ON DUPLICATE KEY UPDATE takes the existing row's exclusive lock at once.
 */
export async function lockOrderSale(tx: Queryable, orderId: string): Promise<OrderSale> {
  await tx.query('INSERT INTO order_sales (order_id) VALUES (?) ON DUPLICATE KEY UPDATE order_id = order_id', [orderId]);
  const [row] = (await tx.query(
    `SELECT sale_lines, DATE_FORMAT(delivered_on, '%Y-%m-%d') AS delivered_on, cancelled, counted
       FROM order_sales WHERE order_id = ? FOR UPDATE`,
    [orderId],
  )) as { sale_lines: string | null; delivered_on: string | null; cancelled: number; counted: number }[];
  return {
    lines: row?.sale_lines ? (JSON.parse(row.sale_lines) as SaleLine[]) : null,
    deliveredOn: row?.delivered_on ?? null,
    cancelled: Number(row?.cancelled) === 1,
    counted: Number(row?.counted) === 1,
  };
}

export async function saveOrderSale(tx: Queryable, orderId: string, sale: OrderSale): Promise<void> {
  await tx.query('UPDATE order_sales SET sale_lines = ?, delivered_on = ?, cancelled = ?, counted = ? WHERE order_id = ?', [
    sale.lines && JSON.stringify(sale.lines),
    sale.deliveredOn,
    sale.cancelled ? 1 : 0,
    sale.counted ? 1 : 0,
    orderId,
  ]);
}

/** Adds (or, with `sign` -1, takes back) the lines' units to the day's units sold per product. */
export async function addUnitsSold(tx: Queryable, day: string, lines: SaleLine[], sign: 1 | -1): Promise<void> {
  if (lines.length === 0) return;
  await tx.query(
    'INSERT INTO units_sold_daily (product_id, sold_on, units) VALUES ? ON DUPLICATE KEY UPDATE units = units + VALUES(units)',
    [lines.map((line) => [line.productId, day, sign * line.quantity])],
  );
}

/**
 * Adds (or, with `sign` -1, takes back) one order to each pair's orders bought together on the day.
 * A pair is stored once, as (smaller id, larger id); the pairs come in id order, so concurrent
 * orders take the rows' locks in one order.
 */
export async function addPairsSold(tx: Queryable, day: string, pairs: [string, string][], sign: 1 | -1): Promise<void> {
  if (pairs.length === 0) return;
  await tx.query(
    'INSERT INTO bought_together_daily (product_a, sold_on, product_b, orders) VALUES ? ON DUPLICATE KEY UPDATE orders = orders + VALUES(orders)',
    [pairs.map(([a, b]) => [a, day, b, sign])],
  );
}

/**
 * The live, active products bought together with `productId` since `since` (a day), with the number
 * of orders that had both: the most first, ties by id, at most `limit`. A pair is stored once, so
 * the product is looked for on either side.
 */
export async function boughtWith(
  db: Queryable,
  productId: string,
  since: string,
  limit: number,
): Promise<{ productId: string; orders: number }[]> {
  const rows = (await db.query(
    `SELECT t.other_id, SUM(t.orders) AS together
       FROM (SELECT product_b AS other_id, orders FROM bought_together_daily WHERE product_a = ? AND sold_on >= ?
             UNION ALL
             SELECT product_a, orders FROM bought_together_daily WHERE product_b = ? AND sold_on >= ?) t
       JOIN products p ON p.id = t.other_id AND p.deleted_at IS NULL AND p.active = 1
      GROUP BY t.other_id
     HAVING SUM(t.orders) > 0
      ORDER BY together DESC, t.other_id
      LIMIT ?`,
    [productId, since, productId, since, limit],
  )) as { other_id: string; together: string | number }[];
  return rows.map((r) => ({ productId: r.other_id, orders: Number(r.together) }));
}

/**
 * Products whose stored popularity is not their starting popularity plus the units sold since
 * `since` (a day), with the value it should be. A plain read: it locks nothing a consumer waits for.
 */
export async function popularityDrift(db: Queryable, since: string): Promise<{ id: string; popularity: number }[]> {
  const rows = (await db.query(
    `SELECT p.id, p.base_popularity + COALESCE(s.units, 0) AS popularity
       FROM products p
       LEFT JOIN (SELECT product_id, SUM(units) AS units FROM units_sold_daily WHERE sold_on >= ? GROUP BY product_id) s
         ON s.product_id = p.id
      WHERE p.popularity <> p.base_popularity + COALESCE(s.units, 0)`,
    [since],
  )) as { id: string; popularity: string | number }[];
  return rows.map((r) => ({ id: r.id, popularity: Number(r.popularity) }));
}

/**
 * Writes popularity. Neither the version nor `updated_at` moves: they tell of an admin's edits,
 * and a sale must not make an admin's next PATCH a conflict.
 */
export async function setPopularity(db: Queryable, values: { id: string; popularity: number }[]): Promise<void> {
  if (values.length === 0) return;
  await db.query(
    `UPDATE products SET popularity = CASE id ${values.map(() => 'WHEN ? THEN ?').join(' ')} END, updated_at = updated_at
      WHERE id IN (?)`,
    [...values.flatMap((v) => [v.id, v.popularity]), values.map((v) => v.id)],
  );
}

/**
 * Forgets sales older than `before` (a day): the daily units and pairs no window counts any more,
 * and the orders last heard of before it. Up to `batch` rows of each per call.
 */
export async function forgetSalesBefore(db: Queryable, before: string, batch: number): Promise<number> {
  let forgotten = 0;
  for (const sql of [
    'DELETE FROM units_sold_daily WHERE sold_on < ? LIMIT ?',
    'DELETE FROM bought_together_daily WHERE sold_on < ? LIMIT ?',
    'DELETE FROM order_sales WHERE updated_at < ? LIMIT ?',
  ]) {
    forgotten += ((await db.query(sql, [before, batch])) as { affectedRows: number }).affectedRows;
  }
  return forgotten;
}
