/**
 * Stock held for orders (DESIGN §5): reserved all lines or none when an order is created, then
 * committed when it is paid, released when it is cancelled, or expired when it is not paid in
 * time. Each transition locks the reservation and checks its state first, so a late, duplicated
 * or out-of-order event changes nothing: a cancel after expiry, a confirm after a release.
 *
 *   HELD ──confirm──► COMMITTED ──cancel──► RETURNED (stock back on the shelf)
 *     ├───cancel───► RELEASED
 *     └───sweeper──► EXPIRED
 *   FAILED: not enough stock, nothing held.   VOIDED: cancelled before order.created arrived.
 */
import { newId, type Tx } from '@qc/shared/db';
import type { CloudEvent, Emit } from '@qc/shared/events';
import {
  findReservation,
  insertReservation,
  listReservations,
  lockDueReservations,
  lockReservationOfOrder,
  setReservationStatus,
  type ReservationLine,
  type ReservationQuery,
  type ReservationRecord,
  type ReservationStatus,
} from '../data/reservations.repository';
import { findStore } from '../data/stores.repository';
import { inventoryEvent, type EventCause } from './events';
import type { Inventory } from './inventory';
import { reservationNotFound } from './inventory.errors';
import { LockedStock, SYSTEM_ACTORS, availableOf } from './stock';

export type { ReservationQuery, ReservationRecord, ReservationStatus } from '../data/reservations.repository';

export interface OrderToReserve {
  orderId: string;
  storeId: string;
  items: ReservationLine[];
}

export interface Shortfall {
  productId: string;
  requested: number;
  available: number;
}

export type ReserveOutcome =
  | { outcome: 'reserved'; reservationId: string; expiresAt: Date }
  | { outcome: 'failed'; reservationId: string; shortfall: Shortfall[] }
  /** The order already had a reservation (or was cancelled first): nothing changed. */
  | { outcome: 'duplicate' };

export interface ReserveOptions {
  now: Date;
  holdForMs: number;
  causedBy?: CloudEvent | undefined;
}

/** One line per product, quantities summed, in product id order (the order rows are locked in). */
export function mergeLines(items: ReservationLine[]): ReservationLine[] {
  const byProduct = new Map<string, number>();
  for (const { productId, quantity } of items) {
    const id = productId.toLowerCase();
    byProduct.set(id, (byProduct.get(id) ?? 0) + quantity);
  }
  return [...byProduct].sort(([a], [b]) => (a < b ? -1 : 1)).map(([productId, quantity]) => ({ productId, quantity }));
}

/**
 * Holds every line of an order at its store, or none. The reservation row is written first: its
 * unique order id turns a second delivery of the same order into a no-op before any stock is
 * touched. A store that does not exist, is retired or inactive has nothing available.
 */
export async function reserveForOrder(tx: Tx, emit: Emit, order: OrderToReserve, options: ReserveOptions): Promise<ReserveOutcome> {
  const orderId = order.orderId.toLowerCase();
  const storeId = order.storeId.toLowerCase();
  const items = mergeLines(order.items);
  const reservationId = newId();
  const expiresAt = new Date(options.now.getTime() + options.holdForMs);
  const cause: EventCause = { causedBy: options.causedBy };
  const correlationId = options.causedBy?.correlationid ?? null;
  if (!(await insertReservation(tx, { id: reservationId, orderId, storeId, status: 'HELD', expiresAt, items, correlationId }))) {
    return { outcome: 'duplicate' };
  }

  const store = await findStore(tx, storeId);
  const stock = store?.active
    ? await LockedStock.lock(
        tx,
        items.map((i) => ({ storeId, productId: i.productId })),
      )
    : LockedStock.none();
  const shortfall = items
    .map(({ productId, quantity }) => {
      const row = stock.find(storeId, productId);
      return { productId, requested: quantity, available: row ? availableOf(row) : 0 };
    })
    .filter((line) => line.available < line.requested);
  if (shortfall.length > 0) {
    await setReservationStatus(tx, reservationId, 'FAILED');
    emit(inventoryEvent('inventory.reservation_failed', { orderId, storeId, shortfall }, orderId, cause));
    return { outcome: 'failed', reservationId, shortfall };
  }

  for (const { productId, quantity } of items) {
    stock.change(stock.find(storeId, productId)!, { reserved: quantity }, { reason: 'reserved', actor: SYSTEM_ACTORS.orders, orderId });
  }
  await stock.save(tx, emit, cause);
  emit(
    inventoryEvent('inventory.reserved', { orderId, reservationId, storeId, items, expiresAt: expiresAt.toISOString() }, orderId, cause),
  );
  return { outcome: 'reserved', reservationId, expiresAt };
}

export type TransitionOutcome =
  | { outcome: 'released' | 'returned' | 'committed'; reservationId: string }
  | { outcome: 'voided' }
  /** The reservation was not in a state this event moves on from: nothing changed. */
  | { outcome: 'ignored'; status: ReservationStatus | 'NONE' };

/**
 * The order was cancelled. Held stock is released; stock already committed (paid, not yet picked
 * up) goes back on the shelf. An order cancelled before its order.created arrived gets a VOIDED
 * reservation, so that late order.created reserves nothing.
 */
export async function releaseForOrder(tx: Tx, emit: Emit, orderId: string, causedBy?: CloudEvent): Promise<TransitionOutcome> {
  const id = orderId.toLowerCase();
  const reservation = await lockReservationOfOrder(tx, id);
  if (!reservation) {
    const voided = { id: newId(), orderId: id, storeId: null, status: 'VOIDED' as const, expiresAt: null, items: [], correlationId: null };
    // The locking read above holds the gap under REPEATABLE READ. Should someone have inserted the
    // order anyway (READ COMMITTED takes no gap locks), fail: the runner retries and finds it.
    if (!(await insertReservation(tx, voided))) throw new Error(`order ${id} got a reservation meanwhile; retrying`);
    return { outcome: 'voided' };
  }
  if (reservation.status !== 'HELD' && reservation.status !== 'COMMITTED') return { outcome: 'ignored', status: reservation.status };

  const returning = reservation.status === 'COMMITTED';
  const stock = await lockLines(tx, reservation);
  for (const { row, quantity } of linesOf(stock, reservation)) {
    const cause = { actor: SYSTEM_ACTORS.orders, orderId: id };
    if (returning) stock.change(row, { onHand: quantity }, { ...cause, reason: 'order_cancelled' });
    else stock.change(row, { reserved: -quantity }, { ...cause, reason: 'released' });
  }
  await stock.save(tx, emit, { causedBy });
  await setReservationStatus(tx, reservation.id, returning ? 'RETURNED' : 'RELEASED');
  emit(inventoryEvent('inventory.released', { orderId: id, reservationId: reservation.id }, id, { causedBy }));
  return { outcome: returning ? 'returned' : 'released', reservationId: reservation.id };
}

/**
 * The order was paid: its stock leaves the shelf (on hand and reserved both drop), with a ledger
 * row per line. A reservation still held past its expiry is committed too when the sweeper has not
 * reached it yet: the order is paid, and the stock is still there.
 */
export async function commitForOrder(tx: Tx, emit: Emit, orderId: string, causedBy?: CloudEvent): Promise<TransitionOutcome> {
  const id = orderId.toLowerCase();
  const reservation = await lockReservationOfOrder(tx, id);
  if (reservation?.status !== 'HELD') return { outcome: 'ignored', status: reservation?.status ?? 'NONE' };
  const stock = await lockLines(tx, reservation);
  for (const { row, quantity } of linesOf(stock, reservation)) {
    stock.change(row, { onHand: -quantity, reserved: -quantity }, { reason: 'sale', actor: SYSTEM_ACTORS.orders, orderId: id });
  }
  await stock.save(tx, emit, { causedBy });
  await setReservationStatus(tx, reservation.id, 'COMMITTED');
  return { outcome: 'committed', reservationId: reservation.id };
}

/**
 * Releases held reservations whose expiry has passed (up to `limit`), each answered with
 * inventory.reservation_expired in its order's correlation. Returns how many expired.
 */
export async function expireDueReservations(tx: Tx, emit: Emit, now: Date, limit: number): Promise<number> {
  const due = await lockDueReservations(tx, now, limit);
  if (due.length === 0) return 0;
  const stock = await LockedStock.lock(
    tx,
    due.flatMap((r) => r.items.map(({ productId }) => ({ storeId: r.storeId!, productId }))),
  );
  for (const reservation of due) {
    for (const { row, quantity } of linesOf(stock, reservation)) {
      stock.change(
        row,
        { reserved: -quantity },
        { reason: 'reservation_expired', actor: SYSTEM_ACTORS.orders, orderId: reservation.orderId },
      );
    }
    await setReservationStatus(tx, reservation.id, 'EXPIRED');
    emit(
      inventoryEvent(
        'inventory.reservation_expired',
        { orderId: reservation.orderId, reservationId: reservation.id },
        reservation.orderId,
        {
          correlationId: reservation.correlationId ?? undefined,
        },
      ),
    );
  }
  // One inventory.updated per stock row however many of the batch's reservations it held.
  await stock.save(tx, emit);
  return due.length;
}

/** Reservations newest first, by order, store or status, for the admins who look into a saga. */
export function searchReservations({ dataSource }: Inventory, query: ReservationQuery): Promise<ReservationRecord[]> {
  return listReservations(dataSource, query);
}

/** One reservation with its lines; 404 otherwise. */
export async function reservationOf({ dataSource }: Inventory, reservationId: string): Promise<ReservationRecord> {
  const reservation = await findReservation(dataSource, reservationId);
  if (!reservation) throw reservationNotFound(reservationId);
  return reservation;
}

function lockLines(tx: Tx, reservation: ReservationRecord): Promise<LockedStock> {
  return LockedStock.lock(
    tx,
    reservation.items.map(({ productId }) => ({ storeId: reservation.storeId!, productId })),
  );
}

function linesOf(stock: LockedStock, reservation: ReservationRecord) {
  return reservation.items.map(({ productId, quantity }) => {
    const row = stock.find(reservation.storeId!, productId);
    // Stock rows are never deleted, and a reservation holds only rows that existed when it was made.
    if (!row) throw new Error(`reservation ${reservation.id} holds ${productId}, which has no stock row`);
    return { row, quantity };
  });
}
