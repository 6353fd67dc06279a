/**
 * Assigning partners (DESIGN §6): the nearest free partner of the order's store, first come first
 * served. Everything at one store runs under its row lock (lockStore), so two orders never take the
 * same free partner and a store's queue is served strictly in order; the partners' and deliveries'
 * unique keys would refuse a double assignment even if that lock were forgotten. Positions rank the
 * candidates (Redis GEOSEARCH); MySQL decides who is free.
 */
import { newId, type Tx } from '@qc/shared/db';
import type { CloudEvent, Emit } from '@qc/shared/events';
import {
  appendHistory,
  insertDelivery,
  lockQueued,
  rejectionsOf,
  updateDelivery,
  type DeliveryRecord,
  type LatLng,
} from '../data/deliveries.repository';
import { lockOrderOutcome, type OrderOutcome } from '../data/order-outcomes.repository';
import { lockFreePartners, releasePartner, takeDelivery, type PartnerRecord } from '../data/partners.repository';
import { lockStore, type StoreRecord } from '../data/stores.repository';
import type { DeliveryContext } from './context';
import { moveDelivery } from './delivery-state';
import { etaMinutes } from './eta';
import { deliveryEvent } from './events';

/** Candidates asked of the position index per assignment. */
const CANDIDATES = 20;
/** Queued deliveries of a store looked at per pass; the dispatcher's next pass takes the rest. */
const QUEUE_BATCH = 200;

export const SYSTEM_ACTORS = { dispatch: 'system:dispatch', orders: 'system:orders' } as const;

export interface ConfirmedOrder {
  orderId: string;
  userId: string;
  storeId: string;
  total?: { amount: number } | undefined;
  paymentMethod?: string | undefined;
  dropoff?: LatLng | undefined;
}

export type ScheduleOutcome =
  | { outcome: 'duplicate' }
  | { outcome: 'assigned' | 'queued'; deliveryId: string }
  | { outcome: 'ended'; deliveryId: string; ending: OrderOutcome };

/**
 * A confirmed order gets its delivery: queued, then offered to the nearest free partner if the
 * store's queue is empty ahead of it. A redelivered order.confirmed finds the delivery there and
 * changes nothing. An order whose end was told first (its confirmation replayed late) gets its
 * delivery queued but not offered: `ended`, for the caller to end it as the order did.
 */
export async function scheduleDelivery(
  ctx: DeliveryContext,
  tx: Tx,
  emit: Emit,
  order: ConfirmedOrder,
  causedBy?: CloudEvent,
): Promise<ScheduleOutcome> {
  const deliveryId = newId();
  const orderId = order.orderId.toLowerCase();
  const storeId = order.storeId.toLowerCase();
  // The order's row first (its end may be handled meanwhile), then the store: every writer at a
  // store takes its lock before any delivery or partner row. The time after it, so the store's
  // queue order is the order its orders got the lock in.
  const ending = await lockOrderOutcome(tx, orderId);
  await lockStore(tx, storeId);
  const now = ctx.now();
  const inserted = await insertDelivery(tx, {
    id: deliveryId,
    orderId,
    userId: order.userId.toLowerCase(),
    storeId,
    dropoff: order.dropoff ?? null,
    paymentMethod: order.paymentMethod ?? null,
    codDueAmount: order.paymentMethod === 'COD' ? (order.total?.amount ?? 0) : null,
    queuedAt: now,
    correlationId: causedBy?.correlationid ?? null,
  });
  if (!inserted) return { outcome: 'duplicate' };
  await appendHistory(tx, deliveryId, { status: 'QUEUED', partnerId: null, actor: SYSTEM_ACTORS.orders, note: null, at: now });
  if (ending) return { outcome: 'ended', deliveryId, ending };
  const assigned = await serveQueue(ctx, tx, emit, storeId, causedBy);
  return { outcome: assigned.includes(deliveryId) ? 'assigned' : 'queued', deliveryId };
}

/**
 * Offers the store's queued deliveries, oldest first, each to the nearest free partner, until the
 * queue or the free partners run out. A delivery every free partner has turned down is passed
 * over, so it does not hold up those behind it. Returns the deliveries offered.
 */
export async function serveQueue(ctx: DeliveryContext, tx: Tx, emit: Emit, storeId: string, causedBy?: CloudEvent): Promise<string[]> {
  const store = await lockStore(tx, storeId);
  const offered: string[] = [];
  for (const delivery of await lockQueued(tx, storeId, QUEUE_BATCH)) {
    const partner = await nearestFreePartner(ctx, tx, store, delivery);
    if (partner) {
      await offer(ctx, tx, emit, { store, delivery, partner, causedBy });
      offered.push(delivery.id);
    } else if ((await lockFreePartners(tx, store.id, { excluded: [], limit: 1 })).length === 0) {
      break;
    }
  }
  return offered;
}

async function nearestFreePartner(
  ctx: DeliveryContext,
  tx: Tx,
  store: StoreRecord,
  delivery: DeliveryRecord,
): Promise<PartnerRecord | undefined> {
  const excluded = await rejectionsOf(tx, delivery.id);
  if (store.lat !== null && store.lng !== null) {
    const ranked = (
      await ctx.positions.nearestFree(store.id, { lat: store.lat, lng: store.lng }, ctx.settings.PARTNER_SEARCH_RADIUS_KM, CANDIDATES)
    ).filter((id) => !excluded.includes(id));
    const free = await lockFreePartners(tx, store.id, { candidates: ranked, excluded, limit: CANDIDATES });
    const nearest = ranked.map((id) => free.find((p) => p.id === id)).find((p) => p !== undefined);
    if (nearest) return nearest;
  }
  // No position known for the store or for any free partner (Redis lost them, or they have not
  // reported yet): the partner free the longest.
  const [longestFree] = await lockFreePartners(tx, store.id, { excluded, limit: 1 });
  return longestFree;
}

/** Gives the delivery to the partner: ASSIGNED, its delivery code made if it has none, delivery.scheduled with the ETA. */
async function offer(
  ctx: DeliveryContext,
  tx: Tx,
  emit: Emit,
  {
    store,
    delivery,
    partner,
    causedBy,
  }: { store: StoreRecord; delivery: DeliveryRecord; partner: PartnerRecord; causedBy?: CloudEvent | undefined },
): Promise<void> {
  const now = ctx.now();
  const rider = await ctx.positions.positionOf(partner.id);
  const minutes = etaMinutes(
    {
      rider: rider ?? null,
      store: store.lat !== null && store.lng !== null ? { lat: store.lat, lng: store.lng } : null,
      dropoff: delivery.dropoff,
      pickedUp: false,
      preparationMinutes: store.preparationMinutes ?? 0,
    },
    { roadFactor: ctx.settings.ROAD_FACTOR, riderSpeedKmh: ctx.settings.RIDER_SPEED_KMH },
  );
  const etaAt = new Date(now.getTime() + minutes * 60_000);
  // The code stays the same when the delivery passes to another partner: the customer may have it already.
  const code = delivery.otpHash ? {} : codeFields((await ctx.otp()).issue(delivery.id));
  await takeDelivery(tx, partner.id, delivery.id);
  const status = await moveDelivery(tx, delivery, 'offer', { partnerId: partner.id, assignedAt: now, etaAt, ...code });
  await appendHistory(tx, delivery.id, { status, partnerId: partner.id, actor: SYSTEM_ACTORS.dispatch, note: null, at: now });
  await ctx.positions.markTaken(store.id, partner.id);
  emit(
    deliveryEvent(
      'delivery.scheduled',
      {
        deliveryId: delivery.id,
        orderId: delivery.orderId,
        partnerId: partner.id,
        etaMinutes: minutes,
        userId: delivery.userId,
        storeId: store.id,
        etaAt: etaAt.toISOString(),
      },
      delivery.orderId,
      { causedBy, correlationId: delivery.correlationId },
    ),
  );
}

function codeFields(issued: { hash: string; sealed: string }): Partial<DeliveryRecord> {
  return { otpHash: issued.hash, otpSealed: issued.sealed, otpAttempts: 0, otpLockedAt: null };
}

/**
 * The partner is free again (the store's lock is held): free in MySQL, back in the store's set of
 * free partners at their last position (or the store's), then offered the store's next queued delivery.
 */
export async function freePartner(
  ctx: DeliveryContext,
  tx: Tx,
  emit: Emit,
  partner: PartnerRecord,
  { completed, causedBy }: { completed: boolean; causedBy?: CloudEvent | undefined },
): Promise<void> {
  const now = ctx.now();
  await releasePartner(tx, partner.id, now, completed);
  if (partner.status === 'ONLINE') {
    const store = await lockStore(tx, partner.storeId);
    const position = await ctx.positions.positionOf(partner.id);
    const at = position ?? (store.lat !== null && store.lng !== null ? { lat: store.lat, lng: store.lng } : undefined);
    if (at) await ctx.positions.markFree(partner.storeId, partner.id, at);
  }
  await serveQueue(ctx, tx, emit, partner.storeId, causedBy);
}

/** A fresh code for a delivery whose code was locked by wrong guesses (an admin's decision). */
export async function reissueCode(ctx: DeliveryContext, tx: Tx, delivery: DeliveryRecord): Promise<void> {
  await updateDelivery(tx, delivery.id, codeFields((await ctx.otp()).issue(delivery.id)));
}
