import type { DataSource, Tx } from '@qc/shared/db';
import type { StockLevel } from '../domain/stock-levels';

export interface StockKey {
  storeId: string;
  productId: string;
}

export interface StockRecord extends StockKey {
  onHand: number;
  reserved: number;
  lowStockThreshold: number;
  /** The level last saved; the alerts compare the next level with it. */
  level: StockLevel;
  updatedAt: Date;
}

const COLUMNS = 'store_id, product_id, on_hand, reserved, low_stock_threshold, alert_level, updated_at';

function toStock(row: Record<string, unknown>): StockRecord {
  return {
    storeId: String(row.store_id),
    productId: String(row.product_id),
    onHand: Number(row.on_hand),
    reserved: Number(row.reserved),
    lowStockThreshold: Number(row.low_stock_threshold),
    level: row.alert_level as StockLevel,
    updatedAt: row.updated_at as Date,
  };
}

/**
 * Locks the existing stock rows of `keys` (`SELECT … FOR UPDATE`) and returns them. Every writer
 * locks through here, in one global order: stores in id order, and within a store one statement
 * whose index scan takes the rows in product id order. Two transactions that want the same rows
 * therefore queue instead of deadlocking. Missing rows are simply not returned.
 */
export async function lockStock(tx: Tx, keys: StockKey[]): Promise<StockRecord[]> {
  const byStore = new Map<string, Set<string>>();
  for (const { storeId, productId } of keys) byStore.set(storeId, (byStore.get(storeId) ?? new Set()).add(productId));
  const locked: StockRecord[] = [];
  for (const storeId of [...byStore.keys()].sort()) {
    const productIds = [...byStore.get(storeId)!].sort();
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT ${COLUMNS} FROM stock WHERE store_id = ? AND product_id IN (?) ORDER BY product_id FOR UPDATE`,
      [storeId, productIds],
    );
    locked.push(...rows.map(toStock));
  }
  return locked;
}

/**
 * Creates the row at zero stock unless it exists. `ON DUPLICATE KEY UPDATE` rather than
 * `INSERT IGNORE`: on an existing row it takes the exclusive lock the caller's `FOR UPDATE` asks
 * for next, where IGNORE's shared lock would let two callers deadlock upgrading it.
 */
export async function insertStockIfMissing(tx: Tx, key: StockKey, lowStockThreshold: number, level: StockLevel): Promise<void> {
  await tx.query(
    `INSERT INTO stock (store_id, product_id, on_hand, reserved, low_stock_threshold, alert_level) VALUES (?, ?, 0, 0, ?, ?)
     ON DUPLICATE KEY UPDATE on_hand = on_hand`,
    [key.storeId, key.productId, lowStockThreshold, level],
  );
}

export async function saveStock(tx: Tx, stock: Omit<StockRecord, 'updatedAt'>): Promise<void> {
  await tx.query(
    'UPDATE stock SET on_hand = ?, reserved = ?, low_stock_threshold = ?, alert_level = ? WHERE store_id = ? AND product_id = ?',
    [stock.onHand, stock.reserved, stock.lowStockThreshold, stock.level, stock.storeId, stock.productId],
  );
}

export async function findStock(db: DataSource | Tx, key: StockKey): Promise<StockRecord | undefined> {
  const rows: Record<string, unknown>[] = await db.query(`SELECT ${COLUMNS} FROM stock WHERE store_id = ? AND product_id = ?`, [
    key.storeId,
    key.productId,
  ]);
  return rows[0] && toStock(rows[0]);
}

export interface StockQuery {
  storeId: string;
  level?: StockLevel | undefined;
  /** Product id to continue after. */
  after?: string | undefined;
  limit: number;
}

export async function listStock(db: DataSource, query: StockQuery): Promise<StockRecord[]> {
  const where = ['store_id = ?'];
  const params: unknown[] = [query.storeId];
  if (query.level !== undefined) {
    where.push('alert_level = ?');
    params.push(query.level);
  }
  if (query.after !== undefined) {
    where.push('product_id > ?');
    params.push(query.after);
  }
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${COLUMNS} FROM stock WHERE ${where.join(' AND ')} ORDER BY product_id LIMIT ?`,
    [...params, query.limit],
  );
  return rows.map(toStock);
}

export interface StoreAvailability {
  /** False when the store does not exist or is deleted. */
  found: boolean;
  active: boolean;
  /** Units customers can buy, by product id, for the products that have a stock row. */
  available: Map<string, number>;
}

/**
 * Availability of up to 100 products at a store in one query: the store row by primary key,
 * joined to its stock rows by the clustered (store, product) key. Called on every catalog listing.
 */
export async function readAvailability(db: DataSource, storeId: string, productIds: string[]): Promise<StoreAvailability> {
  const rows: { active: number; product_id: string | null; available: string | number | null }[] = await db.query(
    `SELECT s.active, st.product_id, st.on_hand - st.reserved AS available
     FROM stores s LEFT JOIN stock st ON st.store_id = s.id AND st.product_id IN (?)
     WHERE s.id = ? AND s.deleted_at IS NULL`,
    [productIds, storeId],
  );
  const available = new Map<string, number>();
  for (const row of rows) if (row.product_id !== null) available.set(row.product_id, Number(row.available));
  return { found: rows.length > 0, active: Number(rows[0]?.active) === 1, available };
}

/** Products a store already has a stock row for. */
export async function stockedProductIds(db: DataSource | Tx, storeId: string): Promise<Set<string>> {
  const rows: { product_id: string }[] = await db.query('SELECT product_id FROM stock WHERE store_id = ?', [storeId]);
  return new Set(rows.map((r) => r.product_id));
}
