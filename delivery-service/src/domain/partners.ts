import { newId } from '@qc/shared/db';
import type { Principal } from '@qc/shared/auth';
import { findDelivery, type DeliveryRecord } from '../data/deliveries.repository';
import type { Position } from '../data/partner-positions.redis';
import {
  findPartnerOfUser,
  insertPartner,
  listPartners,
  setPartnerStatus,
  type NewPartner,
  type PartnerRecord,
} from '../data/partners.repository';
import { findStore, lockStore } from '../data/stores.repository';
import { serveQueue } from './assignment';
import type { DeliveryContext } from './context';
import { partnerBusy, partnerExists, partnerNotFound, partnerOffline, tooManyReports } from './delivery.errors';
import { WITH_PARTNER } from './delivery-state';
import { announcePosition } from './tracking';

export type { PartnerRecord, Vehicle } from '../data/partners.repository';
export { VEHICLES } from '../data/partners.repository';

/**
 * An admin onboards a user (who signs in with the delivery_partner role) as a partner of a store.
 * The user id is taken as given: only a token of that user with that role can act as the partner.
 */
export async function onboardPartner(ctx: DeliveryContext, fields: Omit<NewPartner, 'id'>): Promise<PartnerRecord> {
  const id = newId();
  const partner = { ...fields, id, userId: fields.userId.toLowerCase(), storeId: fields.storeId.toLowerCase() };
  if (!(await insertPartner(ctx.db, partner))) throw partnerExists(partner.userId);
  return (await findPartnerOfUser(ctx.db, partner.userId))!;
}

export async function browsePartners(
  ctx: DeliveryContext,
  query: { storeId?: string | undefined; after?: string | undefined; limit: number },
) {
  return listPartners(ctx.db, query);
}

/** The calling partner; 404 for a user who is not one. */
export async function partnerOf(ctx: DeliveryContext, principal: Principal): Promise<PartnerRecord> {
  const partner = await findPartnerOfUser(ctx.db, principal.userId);
  if (!partner) throw partnerNotFound();
  return partner;
}

export interface PartnerStatusView {
  partner: PartnerRecord;
  position: Position | undefined;
  /** The delivery the partner holds (their current load), if any. */
  delivery: DeliveryRecord | undefined;
}

export async function partnerStatus(ctx: DeliveryContext, principal: Principal): Promise<PartnerStatusView> {
  const partner = await partnerOf(ctx, principal);
  const [position, delivery] = await Promise.all([
    ctx.positions.positionOf(partner.id),
    partner.activeDeliveryId ? findDelivery(ctx.db, partner.activeDeliveryId) : undefined,
  ]);
  return { partner, position, delivery };
}

/**
 * The partner starts taking deliveries, at `at` (or at their store): free, placed in the store's set
 * of free partners, and offered the store's oldest queued delivery if there is one.
 */
export async function goOnline(ctx: DeliveryContext, principal: Principal, at?: { lat: number; lng: number }): Promise<PartnerStatusView> {
  const { storeId } = await partnerOf(ctx, principal);
  await ctx.outbox.transaction(async (tx, emit) => {
    const store = await lockStore(tx, storeId);
    const partner = (await findPartnerOfUser(tx, principal.userId, true))!;
    if (partner.status === 'ONLINE') return;
    const now = ctx.now();
    await setPartnerStatus(tx, partner.id, 'ONLINE', partner.activeDeliveryId ? null : now);
    const position = at ?? (store.lat !== null && store.lng !== null ? { lat: store.lat, lng: store.lng } : undefined);
    if (position) await ctx.positions.record(partner.id, { ...position, heading: null, at: now });
    if (!partner.activeDeliveryId) {
      if (position) await ctx.positions.markFree(storeId, partner.id, position);
      await serveQueue(ctx, tx, emit, storeId);
    }
  });
  return partnerStatus(ctx, principal);
}

/** The partner stops taking deliveries; not while holding one (409). */
export async function goOffline(ctx: DeliveryContext, principal: Principal): Promise<PartnerStatusView> {
  const { storeId } = await partnerOf(ctx, principal);
  await ctx.outbox.transaction(async (tx) => {
    await lockStore(tx, storeId);
    const partner = (await findPartnerOfUser(tx, principal.userId, true))!;
    if (partner.activeDeliveryId) throw partnerBusy();
    await setPartnerStatus(tx, partner.id, 'OFFLINE', null);
    await ctx.positions.markTaken(storeId, partner.id);
  });
  return partnerStatus(ctx, principal);
}

export interface PositionReport {
  lat: number;
  lng: number;
  /** Metres, as the device reports it. */
  accuracy?: number | undefined;
  /** Degrees clockwise from north. */
  heading?: number | undefined;
}

/**
 * A partner's position: refused when reports come faster than LOCATION_MIN_INTERVAL_MS (429); kept
 * hot in Redis (the free partners' GEO set included), queued for the trail, and sent to whoever
 * tracks the partner's delivery with a fresh ETA.
 */
export async function reportPosition(ctx: DeliveryContext, principal: Principal, report: PositionReport): Promise<void> {
  const partner = await partnerOf(ctx, principal);
  if (partner.status !== 'ONLINE') throw partnerOffline();
  const interval = ctx.settings.LOCATION_MIN_INTERVAL_MS;
  if (!(await ctx.positions.admitReport(partner.id, interval))) throw tooManyReports(Math.max(1, Math.ceil(interval / 1000)));
  const at = ctx.now();
  const position: Position = { lat: report.lat, lng: report.lng, heading: report.heading ?? null, at };
  await ctx.positions.record(partner.id, position);
  if (partner.activeDeliveryId) await ctx.positions.markTaken(partner.storeId, partner.id);
  else await ctx.positions.markFree(partner.storeId, partner.id, position);
  ctx.trail.add({
    partnerId: partner.id,
    deliveryId: partner.activeDeliveryId,
    lat: report.lat,
    lng: report.lng,
    accuracyM: report.accuracy === undefined ? null : Math.round(report.accuracy),
    heading: report.heading === undefined ? null : Math.round(report.heading),
    recordedAt: at,
  });
  if (!partner.activeDeliveryId) return;
  const delivery = await findDelivery(ctx.db, partner.activeDeliveryId);
  if (delivery && WITH_PARTNER.includes(delivery.status)) {
    const store = await findStore(ctx.db, delivery.storeId);
    await announcePosition(ctx, delivery, store, position);
  }
}
