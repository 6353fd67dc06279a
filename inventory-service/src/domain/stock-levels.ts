/**
 * Stock levels and the alerts fired when a level is crossed downward (pure rules, no I/O).
 * The level is judged on what customers can still buy (on hand − reserved), so an item sells out
 * when its last units are reserved, not only when they leave the shelf.
 */
export type StockLevel = 'IN_STOCK' | 'LOW' | 'OUT';
export type StockAlert = 'inventory.low_stock' | 'inventory.out_of_stock';

export const DEFAULT_LOW_STOCK_THRESHOLD = 10;

const RANK: Record<StockLevel, number> = { OUT: 0, LOW: 1, IN_STOCK: 2 };

export function stockLevel(available: number, lowStockThreshold: number): StockLevel {
  if (available <= 0) return 'OUT';
  return available <= lowStockThreshold ? 'LOW' : 'IN_STOCK';
}

/**
 * The alerts a change from `previous` to `next` fires. Each alert fires once when its line is
 * crossed downward and is re-armed only when stock rises back above that line: low stock above
 * the threshold, out of stock above zero. A fall straight from in stock to zero crosses both.
 */
export function alertsCrossing(previous: StockLevel, next: StockLevel): StockAlert[] {
  if (RANK[next] >= RANK[previous]) return [];
  const alerts: StockAlert[] = [];
  if (previous === 'IN_STOCK') alerts.push('inventory.low_stock');
  if (next === 'OUT') alerts.push('inventory.out_of_stock');
  return alerts;
}
