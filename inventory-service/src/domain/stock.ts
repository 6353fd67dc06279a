import { newId, type DataSource, type Tx } from '@qc/shared/db';
import type { Emit } from '@qc/shared/events';
import { AppError } from '@qc/shared/http';
import { insertMovement, listMovements, type MovementQuery, type MovementRecord } from '../data/movements.repository';
import {
  findStock,
  insertStockIfMissing,
  listStock,
  lockStock,
  readAvailability,
  saveStock,
  type StockKey,
  type StockQuery,
  type StockRecord,
} from '../data/stock.repository';
import { findStore } from '../data/stores.repository';
import { inventoryEvent, type EventCause } from './events';
import type { Inventory } from './inventory';
import { stockNotFound, storeNotFound } from './inventory.errors';
import { DEFAULT_LOW_STOCK_THRESHOLD, alertsCrossing, stockLevel, type StockLevel } from './stock-levels';

export type { MovementRecord } from '../data/movements.repository';
export type { StockKey, StockRecord } from '../data/stock.repository';

/** Who changes stock when no admin does: the order saga and the demo seeder. */
export const SYSTEM_ACTORS = { orders: 'system:orders', demoSeed: 'system:demo-seed' } as const;

/** Reasons an admin gives for an adjustment; restocks and order movements have their own. */
export const ADJUSTMENT_REASONS = ['damaged', 'expired', 'lost', 'found', 'returned', 'count_correction'] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

export function availableOf(stock: Pick<StockRecord, 'onHand' | 'reserved'>): number {
  return stock.onHand - stock.reserved;
}

/** Why a change happens: the ledger row's reason, who did it, and for order movements the order. */
export interface ChangeCause {
  reason: string;
  actor: string;
  note?: string | undefined;
  orderId?: string | undefined;
}

/**
 * The stock rows one transaction changes, locked up front (see `lockStock` for the order), changed
 * in memory with the rules checked, then saved with their ledger rows and events.
 *
 * Why row locks rather than conditional updates (`… WHERE on_hand - reserved >= ?`): an order is
 * all lines or none, and the reservation_failed answer lists every short line. With every row of
 * the order locked first, the check sees one consistent picture of all lines and nothing has to be
 * undone when a later line is short; a conditional update per line would need compensating
 * updates and could only name the first short line. Under contention the lock queue serialises
 * the writers of a row, which is exactly what "never oversell" needs, and a transaction that loses
 * a deadlock or lock-wait timeout is rolled back whole, so running it again starts from scratch.
 */
export class LockedStock {
  private readonly touched = new Map<string, { countsChanged: boolean; levelBefore: StockLevel; reason: string }>();
  private readonly movements: Omit<MovementRecord, 'createdAt'>[] = [];

  private constructor(private readonly rows: Map<string, StockRecord>) {}

  static async lock(tx: Tx, keys: StockKey[]): Promise<LockedStock> {
    const rows = await lockStock(tx, keys);
    return new LockedStock(new Map(rows.map((r) => [keyOf(r), r])));
  }

  static none(): LockedStock {
    return new LockedStock(new Map());
  }

  find(storeId: string, productId: string): StockRecord | undefined {
    return this.rows.get(keyOf({ storeId, productId }));
  }

  /** Applies deltas to a locked row; a change that would break a stock rule is refused (422). */
  change(row: StockRecord, delta: { onHand?: number; reserved?: number }, cause: ChangeCause): void {
    const onHand = row.onHand + (delta.onHand ?? 0);
    const reserved = row.reserved + (delta.reserved ?? 0);
    if (onHand < 0) {
      throw new AppError('rule_violation', 'STOCK_WOULD_GO_NEGATIVE', `Only ${row.onHand} on hand; the change would take it below zero`, {
        details: [{ path: 'delta', message: 'on hand would go negative', onHand: row.onHand }],
      });
    }
    if (reserved > onHand) {
      throw new AppError(
        'rule_violation',
        'STOCK_HELD_FOR_ORDERS',
        `${row.reserved} units are held for orders; on hand cannot go below that`,
        {
          details: [{ path: 'delta', message: 'on hand would fall below what is reserved', onHand: row.onHand, reserved: row.reserved }],
        },
      );
    }
    // Releasing more than is reserved means the reservation records and the counters disagree.
    if (reserved < 0) throw new Error(`reserved stock of ${keyOf(row)} would go negative`);
    this.touch(row, cause.reason, onHand !== row.onHand || reserved !== row.reserved);
    if (onHand !== row.onHand) {
      this.movements.push({
        id: newId(),
        storeId: row.storeId,
        productId: row.productId,
        delta: onHand - row.onHand,
        reason: cause.reason,
        note: cause.note ?? null,
        actor: cause.actor,
        orderId: cause.orderId ?? null,
        onHandAfter: onHand,
      });
    }
    row.onHand = onHand;
    row.reserved = reserved;
  }

  setLowStockThreshold(row: StockRecord, threshold: number): void {
    this.touch(row, 'threshold', false);
    row.lowStockThreshold = threshold;
  }

  /**
   * Writes the changed rows and their ledger rows; emits `inventory.updated` for each row whose
   * counts changed and a low/out-of-stock alert for each level crossed downward.
   */
  async save(tx: Tx, emit: Emit, cause: EventCause = {}): Promise<void> {
    for (const [key, { countsChanged, levelBefore, reason }] of this.touched) {
      const row = this.rows.get(key)!;
      row.level = stockLevel(availableOf(row), row.lowStockThreshold);
      await saveStock(tx, row);
      const { storeId, productId } = row;
      if (countsChanged) {
        emit(
          inventoryEvent('inventory.updated', { storeId, productId, onHand: row.onHand, reserved: row.reserved, reason }, productId, cause),
        );
      }
      for (const alert of alertsCrossing(levelBefore, row.level)) {
        emit(
          alert === 'inventory.low_stock'
            ? inventoryEvent(alert, { storeId, productId, available: availableOf(row), threshold: row.lowStockThreshold }, productId, cause)
            : inventoryEvent(alert, { storeId, productId }, productId, cause),
        );
      }
    }
    for (const movement of this.movements) await insertMovement(tx, movement);
    this.touched.clear();
    this.movements.length = 0;
  }

  private touch(row: StockRecord, reason: string, countsChanged: boolean): void {
    const key = keyOf(row);
    const seen = this.touched.get(key);
    this.touched.set(key, {
      countsChanged: countsChanged || (seen?.countsChanged ?? false),
      levelBefore: seen?.levelBefore ?? row.level,
      reason,
    });
  }
}

function keyOf({ storeId, productId }: StockKey): string {
  return `${storeId}/${productId}`;
}

/** The row as saved, with the update time the database gave it. */
async function savedStock(tx: Tx, key: StockKey): Promise<StockRecord> {
  return (await findStock(tx, key))!;
}

async function requireStore(db: DataSource | Tx, storeId: string): Promise<void> {
  if (!(await findStore(db, storeId))) throw storeNotFound(storeId);
}

/**
 * Opens the stock row of a product at a store when it has none. Inventory does not own products:
 * any product id is accepted, and product-service decides what is sold (documented in the README).
 */
async function lockOrOpen(tx: Tx, key: StockKey, lowStockThreshold = DEFAULT_LOW_STOCK_THRESHOLD): Promise<[LockedStock, StockRecord]> {
  await insertStockIfMissing(tx, key, lowStockThreshold, stockLevel(0, lowStockThreshold));
  const stock = await LockedStock.lock(tx, [key]);
  return [stock, stock.find(key.storeId, key.productId)!];
}

export interface Restock extends StockKey {
  quantity: number;
  note?: string | undefined;
  actor: string;
}

/** Goods arrived at the store: on hand rises, and the ledger says who booked them in. */
export function restockItem({ outbox }: Inventory, input: Restock): Promise<StockRecord> {
  return outbox.transaction((tx, emit) => restock(tx, emit, input));
}

/** `restockItem` in the caller's transaction (the demo seeder stocks a whole store in one). */
export async function restock(tx: Tx, emit: Emit, input: Restock): Promise<StockRecord> {
  await requireStore(tx, input.storeId);
  const [stock, row] = await lockOrOpen(tx, input);
  stock.change(row, { onHand: input.quantity }, { reason: 'restock', actor: input.actor, note: input.note });
  await stock.save(tx, emit);
  return savedStock(tx, input);
}

export interface Adjustment extends StockKey {
  delta: number;
  reason: AdjustmentReason;
  note?: string | undefined;
  actor: string;
}

/** A correction of on-hand stock (damage, expiry, a recount); it may not go below zero or below what orders hold. */
export function adjustStock({ outbox }: Inventory, input: Adjustment): Promise<StockRecord> {
  return outbox.transaction(async (tx, emit) => {
    await requireStore(tx, input.storeId);
    const stock = await LockedStock.lock(tx, [input]);
    const row = stock.find(input.storeId, input.productId);
    if (!row) throw stockNotFound(input.storeId, input.productId);
    stock.change(row, { onHand: input.delta }, { reason: input.reason, actor: input.actor, note: input.note });
    await stock.save(tx, emit);
    return savedStock(tx, input);
  });
}

export type ThresholdChange = StockKey & { lowStockThreshold: number };

/** Sets the low-stock line of a product at a store, opening its stock row (at zero) if needed. */
export function changeLowStockThreshold({ outbox }: Inventory, input: ThresholdChange): Promise<StockRecord> {
  return outbox.transaction((tx, emit) => setLowStockThreshold(tx, emit, input));
}

/** `changeLowStockThreshold` in the caller's transaction (the demo seeder's). */
export async function setLowStockThreshold(tx: Tx, emit: Emit, input: ThresholdChange): Promise<StockRecord> {
  await requireStore(tx, input.storeId);
  const [stock, row] = await lockOrOpen(tx, input, input.lowStockThreshold);
  stock.setLowStockThreshold(row, input.lowStockThreshold);
  await stock.save(tx, emit);
  return savedStock(tx, input);
}

/** One stock item; 404 when the store has never stocked the product. */
export async function stockItem({ dataSource }: Inventory, key: StockKey): Promise<StockRecord> {
  const stock = await findStock(dataSource, key);
  if (!stock) throw stockNotFound(key.storeId, key.productId);
  return stock;
}

/** A store's stock in product id order; 404 for an unknown or retired store. */
export async function stockOfStore({ dataSource }: Inventory, query: StockQuery): Promise<StockRecord[]> {
  await requireStore(dataSource, query.storeId);
  return listStock(dataSource, query);
}

/** A store's movement ledger, newest first; 404 for an unknown or retired store. */
export async function movementsOfStore({ dataSource }: Inventory, query: MovementQuery): Promise<MovementRecord[]> {
  await requireStore(dataSource, query.storeId);
  return listMovements(dataSource, query);
}

export interface ProductAvailability {
  productId: string;
  available: number;
}

/**
 * Units customers can buy now at a store, for each product asked, in the order asked: 0 for a
 * product the store never stocked, and for every product of an inactive store. 404 for an
 * unknown or retired store.
 */
export async function availabilityAt({ dataSource }: Inventory, storeId: string, productIds: string[]): Promise<ProductAvailability[]> {
  const availability = await readAvailability(dataSource, storeId, productIds);
  if (!availability.found) throw storeNotFound(storeId);
  return productIds.map((productId) => ({
    productId,
    available: availability.active ? (availability.available.get(productId) ?? 0) : 0,
  }));
}
