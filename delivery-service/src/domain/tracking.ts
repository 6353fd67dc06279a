/**
 * What a delivery's followers see (GET /deliveries/{orderId}/stream): status changes, announced
 * from the delivery events once they are committed and published (never from inside the
 * transaction that makes the change, which may roll back or run again), once per event, and rider
 * positions with a fresh ETA, announced as they are reported. Each goes into the delivery's
 * tracking log, which fans it out to every instance holding a stream of that order.
 */
import type { Queryable } from '@qc/shared/db';
import type { CatalogEvent, EventData, EventType } from '@qc/shared/events';
import { countQueuedAhead, findDeliveryOfOrder, type DeliveryRecord, type DeliveryStatus } from '../data/deliveries.repository';
import type { Position } from '../data/partner-positions.redis';
import { countOnlinePartners, findPartner, type PartnerRecord } from '../data/partners.repository';
import { findStore, type StoreRecord } from '../data/stores.repository';
import type { DeliveryContext } from './context';
import { WITH_PARTNER } from './delivery-state';
import { etaMinutes } from './eta';
import { partnerWaitMinutes } from './partner-wait';

export type TrackingEventType = 'snapshot' | 'scheduled' | 'started' | 'position' | 'completed' | 'failed' | 'cancelled';

export interface PartnerSummary {
  id: string;
  name: string;
  vehicle: string;
}

export interface TrackingEvent {
  type: TrackingEventType;
  orderId: string;
  status: DeliveryStatus;
  partner?: PartnerSummary | null;
  position?: { lat: number; lng: number; heading: number | null; at: string } | null;
  etaMinutes?: number | null;
  /** While queued: deliveries ahead at the store and the expected wait for a partner. */
  queue?: { ahead: number; waitMinutes: number } | null;
  reason?: string | null;
  at: string;
}

/** The delivery events followers are told of: the tracking event each becomes. */
const DELIVERY_EVENT_TYPES = {
  'delivery.scheduled': 'scheduled',
  'delivery.started': 'started',
  'delivery.completed': 'completed',
  'delivery.failed': 'failed',
  'delivery.cancelled': 'cancelled',
} as const satisfies Partial<Record<EventType, TrackingEventType>>;

export type AnnouncedEventType = keyof typeof DELIVERY_EVENT_TYPES;
export const ANNOUNCED_EVENT_TYPES = Object.keys(DELIVERY_EVENT_TYPES) as AnnouncedEventType[];

/** The tracking event's type and status for a delivery event; a delivery's end tells the status it ended in. */
function trackedAs(event: CatalogEvent<AnnouncedEventType>, now: DeliveryStatus): { type: TrackingEventType; status: DeliveryStatus } {
  if (event.type === 'delivery.completed') return { type: 'completed', status: 'DELIVERED' };
  if (event.type === 'delivery.failed') return { type: 'failed', status: 'FAILED' };
  if (event.type === 'delivery.cancelled') {
    const { outcome } = event.data as EventData<'delivery.cancelled'>;
    return outcome === 'CLOSED' ? { type: 'completed', status: 'DELIVERED' } : { type: 'cancelled', status: outcome };
  }
  return { type: DELIVERY_EVENT_TYPES[event.type], status: now };
}

export const summaryOf = (partner: PartnerRecord | undefined): PartnerSummary | null =>
  partner ? { id: partner.id, name: partner.name, vehicle: partner.vehicle } : null;

const storePoint = (store: StoreRecord | undefined) =>
  store && store.lat !== null && store.lng !== null ? { lat: store.lat, lng: store.lng } : null;

/** Minutes to the hand-over from where the rider is now; null once the delivery has ended. */
export function currentEta(
  ctx: DeliveryContext,
  delivery: DeliveryRecord,
  store: StoreRecord | undefined,
  rider: { lat: number; lng: number } | undefined,
): number | null {
  if (!WITH_PARTNER.includes(delivery.status)) return null;
  const elapsedMinutes = delivery.assignedAt ? (ctx.now().getTime() - delivery.assignedAt.getTime()) / 60_000 : 0;
  return etaMinutes(
    {
      rider: rider ?? null,
      store: storePoint(store),
      dropoff: delivery.dropoff,
      pickedUp: delivery.status === 'PICKED_UP',
      preparationMinutes: Math.max(0, (store?.preparationMinutes ?? 0) - elapsedMinutes),
    },
    { roadFactor: ctx.settings.ROAD_FACTOR, riderSpeedKmh: ctx.settings.RIDER_SPEED_KMH },
  );
}

/** A rider's new position on its delivery's stream, with the ETA from there. */
export async function announcePosition(
  ctx: DeliveryContext,
  delivery: DeliveryRecord,
  store: StoreRecord | undefined,
  position: Position,
): Promise<void> {
  const event: TrackingEvent = {
    type: 'position',
    orderId: delivery.orderId,
    status: delivery.status,
    position: { lat: position.lat, lng: position.lng, heading: position.heading, at: position.at.toISOString() },
    etaMinutes: currentEta(ctx, delivery, store, position),
    at: position.at.toISOString(),
  };
  await ctx.tracking.append(delivery.orderId, JSON.stringify(event));
}

/**
 * A committed delivery event, told to the delivery's followers with the delivery as it is now, once:
 * the log keeps the event's id, so the consumer's transaction retried after it was told (a
 * deadlock, a redelivery whose ledger row never committed) tells nothing again. Reads through `db`,
 * the consumer's transaction, rather than asking the pool for another connection.
 */
export async function announceDeliveryEvent(ctx: DeliveryContext, db: Queryable, event: CatalogEvent<AnnouncedEventType>): Promise<void> {
  const orderId = event.subject;
  const data = event.data as { deliveryId: string; partnerId?: string; etaMinutes?: number; reason?: string };
  // Only this service's own delivery: another fleet sharing the broker has its own of the same order.
  const delivery = await findDeliveryOfOrder(db, orderId);
  if (!delivery || delivery.id !== data.deliveryId) return;
  const partner = data.partnerId ? await findPartner(db, data.partnerId) : undefined;
  const { type, status } = trackedAs(event, delivery.status);
  const tracked: TrackingEvent = {
    type,
    orderId,
    status,
    partner: summaryOf(partner),
    etaMinutes: type === 'scheduled' ? (data.etaMinutes ?? null) : null,
    reason: data.reason ?? null,
    at: event.time,
  };
  await ctx.tracking.append(orderId, JSON.stringify(tracked), event.id);
}

/** Where a queued delivery stands: how many are ahead of it and the expected wait for a partner. */
export async function queueStanding(ctx: DeliveryContext, delivery: DeliveryRecord): Promise<{ ahead: number; waitMinutes: number }> {
  const [ahead, loads] = await Promise.all([
    countQueuedAhead(ctx.db, delivery.storeId, delivery.queuedAt, delivery.id),
    countOnlinePartners(ctx.db),
  ]);
  const load = loads.find((l) => l.storeId === delivery.storeId) ?? { free: 0, busy: 0 };
  const waitMinutes = partnerWaitMinutes(
    { free: load.free, busy: load.busy, queued: ahead, turnaroundMinutes: ctx.settings.AVERAGE_DELIVERY_MINUTES },
    ctx.settings.NO_PARTNER_WAIT_MINUTES,
  );
  return { ahead, waitMinutes };
}

/** The whole picture, for a stream that (re)connects without a usable Last-Event-ID. */
export async function snapshotOf(ctx: DeliveryContext, delivery: DeliveryRecord): Promise<TrackingEvent> {
  const [partner, store] = await Promise.all([
    delivery.partnerId ? findPartner(ctx.db, delivery.partnerId) : undefined,
    findStore(ctx.db, delivery.storeId),
  ]);
  const holds = WITH_PARTNER.includes(delivery.status);
  const position = holds && partner ? await ctx.positions.positionOf(partner.id) : undefined;
  return {
    type: 'snapshot',
    orderId: delivery.orderId,
    status: delivery.status,
    partner: holds ? summaryOf(partner) : null,
    position: position ? { lat: position.lat, lng: position.lng, heading: position.heading, at: position.at.toISOString() } : null,
    etaMinutes: currentEta(ctx, delivery, store, position),
    queue: delivery.status === 'QUEUED' ? await queueStanding(ctx, delivery) : null,
    reason: delivery.failureReason,
    at: ctx.now().toISOString(),
  };
}
