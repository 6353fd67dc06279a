import type { Principal } from '@qc/shared/auth';
import type { Tx } from '@qc/shared/db';
import type { Emit } from '@qc/shared/events';
import {
  appendHistory,
  findDelivery,
  findDeliveryOfOrder,
  findUnansweredOffers,
  historyOf,
  lockDelivery,
  recordRejection,
  updateDelivery,
  type DeliveryRecord,
  type HistoryEntry,
} from '../data/deliveries.repository';
import type { Position } from '../data/partner-positions.redis';
import { findPartner, findPartnerOfUser, lockPartner, type PartnerRecord } from '../data/partners.repository';
import { findStore, lockStore, type StoreRecord } from '../data/stores.repository';
import { freePartner, reissueCode, SYSTEM_ACTORS } from './assignment';
import type { DeliveryContext } from './context';
import {
  codMismatch,
  codNotExpected,
  deliveryNotFound,
  deliveryNotInState,
  otpInvalid,
  otpLocked,
  partnerNotFound,
} from './delivery.errors';
import { moveDelivery, transition, WITH_PARTNER } from './delivery-state';
import { deliveryEvent } from './events';
import { currentEta, queueStanding } from './tracking';

export type { DeliveryRecord, DeliveryStatus, HistoryEntry } from '../data/deliveries.repository';

/**
 * The delivery of an order as `principal` may see it: its customer, the partner it is with (or was
 * delivered or failed by), and admins. Anyone else gets the same 404 as for an order with no
 * delivery, so nobody learns which orders exist.
 */
export async function visibleDelivery(ctx: DeliveryContext, principal: Principal, orderId: string): Promise<DeliveryRecord> {
  const delivery = await findDeliveryOfOrder(ctx.db, orderId.toLowerCase());
  if (delivery && (await maySee(ctx, principal, delivery))) return delivery;
  throw deliveryNotFound(orderId);
}

async function maySee(ctx: DeliveryContext, principal: Principal, delivery: DeliveryRecord): Promise<boolean> {
  switch (principal.role) {
    case 'admin':
      return true;
    case 'customer':
      return delivery.userId === principal.userId;
    case 'delivery_partner': {
      const partner = await findPartnerOfUser(ctx.db, principal.userId);
      return partner !== undefined && delivery.partnerId === partner.id;
    }
    default:
      return false;
  }
}

export interface DeliveryDetails {
  delivery: DeliveryRecord;
  partner: PartnerRecord | undefined;
  position: Position | undefined;
  etaMinutes: number | null;
  queue: { ahead: number; waitMinutes: number } | null;
  /** The delivery code, for the order's customer only, while the order is on its way. */
  otp: string | null;
  history: HistoryEntry[];
}

export async function deliveryDetails(ctx: DeliveryContext, principal: Principal, orderId: string): Promise<DeliveryDetails> {
  const delivery = await visibleDelivery(ctx, principal, orderId);
  const [partner, store, history] = await Promise.all([
    delivery.partnerId ? findPartner(ctx.db, delivery.partnerId) : undefined,
    findStore(ctx.db, delivery.storeId),
    historyOf(ctx.db, delivery.id),
  ]);
  const holds = WITH_PARTNER.includes(delivery.status);
  const position = holds && partner ? await ctx.positions.positionOf(partner.id) : undefined;
  const showsCode = principal.role === 'customer' && holds && delivery.otpSealed !== null && delivery.otpLockedAt === null;
  return {
    delivery,
    partner,
    position,
    etaMinutes: currentEta(ctx, delivery, store, position),
    queue: delivery.status === 'QUEUED' ? await queueStanding(ctx, delivery) : null,
    otp: showsCode ? (await ctx.otp()).unseal(delivery.id, delivery.otpSealed!) : null,
    history,
  };
}

interface Locked {
  store: StoreRecord;
  delivery: DeliveryRecord;
  partner: PartnerRecord;
}

/**
 * Runs a partner's action on the delivery they hold, under the locks every writer takes in the same
 * order (store, delivery, partner). A delivery that is not the caller's is a 404, as if it did not exist.
 */
async function asItsPartner<T>(
  ctx: DeliveryContext,
  principal: Principal,
  orderId: string,
  work: (tx: Tx, emit: Emit, locked: Locked) => Promise<T>,
): Promise<T> {
  const caller = await findPartnerOfUser(ctx.db, principal.userId);
  if (!caller) throw partnerNotFound();
  const found = await findDeliveryOfOrder(ctx.db, orderId.toLowerCase());
  if (!found || found.partnerId !== caller.id) throw deliveryNotFound(orderId);
  return ctx.outbox.transaction(async (tx, emit) => {
    const store = await lockStore(tx, found.storeId);
    const delivery = await lockDelivery(tx, found.id);
    const partner = await lockPartner(tx, caller.id);
    if (!delivery || !partner || delivery.partnerId !== partner.id) throw deliveryNotFound(orderId);
    return work(tx, emit, { store, delivery, partner });
  });
}

export async function acceptDelivery(ctx: DeliveryContext, principal: Principal, orderId: string): Promise<DeliveryRecord> {
  const id = await asItsPartner(ctx, principal, orderId, async (tx, _emit, { delivery, partner }) => {
    const now = ctx.now();
    const status = await moveDelivery(tx, delivery, 'accept', { acceptedAt: now });
    await appendHistory(tx, delivery.id, { status, partnerId: partner.id, actor: principal.userId, note: null, at: now });
    return delivery.id;
  });
  return (await findDelivery(ctx.db, id))!;
}

/** The partner turns the offer down: it goes back to the head of the queue, to the next nearest partner but them. */
export async function rejectDelivery(
  ctx: DeliveryContext,
  principal: Principal,
  orderId: string,
  reason: string | undefined,
): Promise<void> {
  const left = await asItsPartner(ctx, principal, orderId, async (tx, emit, locked) => {
    await requeue(ctx, tx, emit, locked, principal.userId, reason ?? null);
    return { orderId: locked.delivery.orderId, partnerId: locked.partner.id };
  });
  // Committed: the partner's open streams of the order end (a reconnect is a 404 from now on).
  await ctx.tracking.revoke(left.orderId, left.partnerId);
}

async function requeue(ctx: DeliveryContext, tx: Tx, emit: Emit, { delivery, partner }: Locked, actor: string, reason: string | null) {
  const now = ctx.now();
  const status = await moveDelivery(tx, delivery, 'requeue', { partnerId: null, assignedAt: null, etaAt: null });
  await recordRejection(tx, delivery.id, partner.id, reason);
  await appendHistory(tx, delivery.id, {
    status,
    partnerId: partner.id,
    actor,
    note: reason ? `turned down: ${reason}` : 'turned down',
    at: now,
  });
  await freePartner(ctx, tx, emit, partner, { completed: false });
}

/** The partner has the order: out for delivery (delivery.started). */
export async function pickUpDelivery(ctx: DeliveryContext, principal: Principal, orderId: string): Promise<DeliveryRecord> {
  const id = await asItsPartner(ctx, principal, orderId, async (tx, emit, { delivery, partner }) => {
    const now = ctx.now();
    const status = await moveDelivery(tx, delivery, 'pick_up', { pickedUpAt: now });
    await appendHistory(tx, delivery.id, { status, partnerId: partner.id, actor: principal.userId, note: null, at: now });
    emit(
      deliveryEvent(
        'delivery.started',
        { deliveryId: delivery.id, orderId: delivery.orderId, partnerId: partner.id, userId: delivery.userId },
        delivery.orderId,
        { correlationId: delivery.correlationId },
      ),
    );
    return delivery.id;
  });
  return (await findDelivery(ctx.db, id))!;
}

export interface HandOver {
  otp: string;
  /** Cash taken at the door, for a cash-on-delivery order. */
  codCollected?: { amount: number; currency: 'INR' } | undefined;
}

type HandOverOutcome =
  { outcome: 'delivered'; deliveryId: string } | { outcome: 'wrong_code'; attemptsLeft: number } | { outcome: 'locked' };

/**
 * The hand-over, only with the customer's code. A wrong code counts (committed, so the count
 * survives the error answer); at DELIVERY_OTP_MAX_ATTEMPTS wrong ones the code is locked and even the right
 * one is refused until an admin issues a new one. The partner is freed and offered the next order.
 */
export async function completeDelivery(
  ctx: DeliveryContext,
  principal: Principal,
  orderId: string,
  handOver: HandOver,
): Promise<DeliveryRecord> {
  const result = await asItsPartner(ctx, principal, orderId, async (tx, emit, { delivery, partner }): Promise<HandOverOutcome> => {
    // Not picked up, or ended meanwhile: a 409 before the code is looked at.
    transition(delivery.status, 'deliver');
    if (delivery.otpLockedAt || !delivery.otpHash) return { outcome: 'locked' };
    if (delivery.codDueAmount === null && handOver.codCollected) throw codNotExpected();
    if (delivery.codDueAmount !== null && handOver.codCollected?.amount !== delivery.codDueAmount) throw codMismatch(delivery.codDueAmount);
    const now = ctx.now();
    if (!(await ctx.otp()).matches(delivery.id, handOver.otp, delivery.otpHash)) {
      const attempts = delivery.otpAttempts + 1;
      const locked = attempts >= ctx.settings.DELIVERY_OTP_MAX_ATTEMPTS;
      await updateDelivery(tx, delivery.id, { otpAttempts: attempts, ...(locked ? { otpLockedAt: now } : {}) });
      if (locked) {
        await appendHistory(tx, delivery.id, {
          status: delivery.status,
          partnerId: partner.id,
          actor: principal.userId,
          note: 'delivery code locked',
          at: now,
        });
      }
      return { outcome: 'wrong_code', attemptsLeft: ctx.settings.DELIVERY_OTP_MAX_ATTEMPTS - attempts };
    }
    const status = await moveDelivery(tx, delivery, 'deliver', { deliveredAt: now, codCollectedAmount: delivery.codDueAmount });
    await appendHistory(tx, delivery.id, { status, partnerId: partner.id, actor: principal.userId, note: null, at: now });
    emit(
      deliveryEvent(
        'delivery.completed',
        {
          deliveryId: delivery.id,
          orderId: delivery.orderId,
          partnerId: partner.id,
          deliveredAt: now.toISOString(),
          userId: delivery.userId,
          ...(delivery.codDueAmount !== null ? { codCollected: { amount: delivery.codDueAmount, currency: 'INR' as const } } : {}),
        },
        delivery.orderId,
        { correlationId: delivery.correlationId },
      ),
    );
    await freePartner(ctx, tx, emit, partner, { completed: true });
    return { outcome: 'delivered', deliveryId: delivery.id };
  });
  if (result.outcome === 'locked') throw otpLocked();
  if (result.outcome === 'wrong_code') throw otpInvalid(result.attemptsLeft);
  return (await findDelivery(ctx.db, result.deliveryId))!;
}

/** The partner could not hand the order over (delivery.failed with the reason); they are freed. */
export async function failDelivery(ctx: DeliveryContext, principal: Principal, orderId: string, reason: string): Promise<DeliveryRecord> {
  const id = await asItsPartner(ctx, principal, orderId, async (tx, emit, { delivery, partner }) => {
    const now = ctx.now();
    const status = await moveDelivery(tx, delivery, 'fail', { failedAt: now, failureReason: reason });
    await appendHistory(tx, delivery.id, { status, partnerId: partner.id, actor: principal.userId, note: reason, at: now });
    emit(
      deliveryEvent(
        'delivery.failed',
        { deliveryId: delivery.id, orderId: delivery.orderId, reason, partnerId: partner.id, userId: delivery.userId },
        delivery.orderId,
        { correlationId: delivery.correlationId },
      ),
    );
    await freePartner(ctx, tx, emit, partner, { completed: false });
    return delivery.id;
  });
  return (await findDelivery(ctx.db, id))!;
}

/** An admin issues a new delivery code for a delivery whose code was locked. */
export async function reissueDeliveryCode(ctx: DeliveryContext, principal: Principal, orderId: string): Promise<void> {
  const found = await visibleDelivery(ctx, principal, orderId);
  await ctx.outbox.transaction(async (tx) => {
    await lockStore(tx, found.storeId);
    const delivery = (await lockDelivery(tx, found.id))!;
    if (!WITH_PARTNER.includes(delivery.status)) throw deliveryNotInState(delivery.status, 'given a new code');
    await reissueCode(ctx, tx, delivery);
    await appendHistory(tx, delivery.id, {
      status: delivery.status,
      partnerId: delivery.partnerId,
      actor: principal.userId,
      note: 'new delivery code',
      at: ctx.now(),
    });
  });
}

/** Offers not accepted within OFFER_TIMEOUT_SECONDS go back to the queue, as if turned down. Returns how many. */
export async function withdrawUnansweredOffers(ctx: DeliveryContext, limit = 100): Promise<number> {
  const before = new Date(ctx.now().getTime() - ctx.settings.OFFER_TIMEOUT_SECONDS * 1000);
  let withdrawn = 0;
  for (const stale of await findUnansweredOffers(ctx.db, before, limit)) {
    const done = await ctx.outbox.transaction(async (tx, emit) => {
      const store = await lockStore(tx, stale.storeId);
      const delivery = await lockDelivery(tx, stale.id);
      // Accepted, or withdrawn by another replica, meanwhile.
      if (!delivery || delivery.status !== 'ASSIGNED' || !delivery.partnerId || !delivery.assignedAt || delivery.assignedAt >= before)
        return false;
      const partner = (await lockPartner(tx, delivery.partnerId))!;
      await requeue(ctx, tx, emit, { store, delivery, partner }, SYSTEM_ACTORS.dispatch, 'OFFER_TIMED_OUT');
      return partner.id;
    });
    if (!done) continue;
    withdrawn++;
    await ctx.tracking.revoke(stale.orderId, done);
  }
  return withdrawn;
}
