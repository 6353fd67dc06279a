/**
 * Units sold, from order-service's events. A sale is a delivered order (order.completed): an order
 * that is paid for but then cancelled, or never delivered, sold nothing. order.completed names no
 * items, so the lines order.confirmed carried are kept per order until the delivery is known; the
 * events may arrive in any order, and an order counts exactly when its lines and its delivery are
 * both known and no cancellation is.
 */

/** How many days of sales popularity adds up: the delivery day (UTC) and the 29 before it. */
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
