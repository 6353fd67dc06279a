/**
 * Units sold, from order-service's events. A sale is a delivered order (order.completed): an order
 * that is paid for but then cancelled, or never delivered, sold nothing. order.completed names no
 * items, so the lines order.confirmed carried are kept per order until the delivery is known; the
 * events may arrive in any order, and an order counts exactly when its lines and its delivery are
 * both known and no cancellation is.
 */

/**
 * How many days of sales popularity (and "often bought together") adds up: the delivery day (UTC)
 * and the 29 before it.
 */
export const POPULARITY_WINDOW_DAYS = 30;

export interface SaleLine {
  productId: string;
  quantity: number;
}

/** What this service knows of one order's sale. */
export interface OrderSale {
  /** The order's lines (from order.confirmed), one per product; null until they arrive. */
  lines: SaleLine[] | null;
  /** The UTC day the order was delivered (from order.completed), `YYYY-MM-DD`; null until then. */
  deliveredOn: string | null;
  cancelled: boolean;
  /** Whether its lines are in the day's units sold. */
  counted: boolean;
}

export type OrderFact = { kind: 'confirmed'; lines: SaleLine[] } | { kind: 'delivered'; deliveredAt: Date } | { kind: 'cancelled' };

export const NOTHING_KNOWN: OrderSale = { lines: null, deliveredOn: null, cancelled: false, counted: false };

/** One line per product (quantities of a product listed twice added up), in product id order. */
export function saleLines(items: SaleLine[]): SaleLine[] {
  const units = new Map<string, number>();
  for (const { productId, quantity } of items) units.set(productId, (units.get(productId) ?? 0) + quantity);
  return [...units].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([productId, quantity]) => ({ productId, quantity }));
}

export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * How many of an order's products its pairs are drawn from: n products make n(n-1)/2 pairs, so a
 * party-sized order of 200 products would write 19 900 rows. 30 products (435 pairs) covers a
 * grocery basket; a bigger order pairs its first 30 products by id, the same ones on every replay.
 */
export const PAIRED_PRODUCTS_PER_ORDER = 30;

/**
 * The products an order bought together, for "often bought together": every unordered pair of
 * its distinct products, each once whatever the quantities, as `[smaller id, larger id]` in id
 * order (so concurrent orders lock their rows in one order). Only the first
 * PAIRED_PRODUCTS_PER_ORDER distinct products by id are paired.
 */
export function boughtTogether(lines: SaleLine[]): [string, string][] {
  const products = [...new Set(lines.map((line) => line.productId))].sort().slice(0, PAIRED_PRODUCTS_PER_ORDER);
  return products.flatMap((first, i) => products.slice(i + 1).map((second): [string, string] => [first, second]));
}

/**
 * The order's sale once `fact` is known too, and what that does to the units sold: `add` its lines
 * on its delivery day, `remove` them again, or nothing. The first lines and the first delivery day
 * stay; a cancellation is final. Applying a fact twice changes nothing, and any order of the same
 * facts ends in the same sale.
 */
export function learnSale(sale: OrderSale, fact: OrderFact): { sale: OrderSale; units: 'add' | 'remove' | 'none' } {
  const known: OrderSale = {
    lines: sale.lines ?? (fact.kind === 'confirmed' ? saleLines(fact.lines) : null),
    deliveredOn: sale.deliveredOn ?? (fact.kind === 'delivered' ? utcDay(fact.deliveredAt) : null),
    cancelled: sale.cancelled || fact.kind === 'cancelled',
    counted: sale.counted,
  };
  const sold = known.lines !== null && known.deliveredOn !== null && !known.cancelled;
  if (sold === sale.counted) return { sale: known, units: 'none' };
  return { sale: { ...known, counted: sold }, units: sold ? 'add' : 'remove' };
}

/** The first day popularity counts on `now`: POPULARITY_WINDOW_DAYS days up to and including today (UTC). */
export function windowStart(now: Date): string {
  return utcDay(new Date(now.getTime() - (POPULARITY_WINDOW_DAYS - 1) * 86_400_000));
}
