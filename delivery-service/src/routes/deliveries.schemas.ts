import { z } from 'zod';
import { Money } from '@qc/shared/events';
import { DELIVERY_STATUSES } from '../data/deliveries.repository';
import type { DeliveryDetails, DeliveryRecord } from '../domain/deliveries';

export const uuid = z.uuid().transform((id) => id.toLowerCase());

export const OrderParams = z.strictObject({ orderId: uuid });

export const StreamHeaders = z.object({
  'last-event-id': z.string().max(40).optional().describe('The id of the last event received: the stream resumes after it'),
});

export const CompleteBody = z.strictObject({
  otp: z.string().regex(/^\d{4}$/, 'must be the 4-digit code the customer gives'),
  codCollected: Money.optional().describe('Cash taken at the door; required, and exactly the amount due, for a cash-on-delivery order'),
});

export const RejectBody = z.strictObject({ reason: z.string().trim().min(2).max(300).optional() });
export const FailBody = z.strictObject({ reason: z.string().trim().min(2).max(300) });

const point = z.object({ lat: z.number(), lng: z.number() });
const time = z.iso.datetime();

export const DeliveryView = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  storeId: z.uuid(),
  status: z.enum(DELIVERY_STATUSES),
  partner: z.object({ id: z.uuid(), name: z.string(), vehicle: z.string() }).nullable(),
  position: point
    .extend({ heading: z.number().nullable(), at: time })
    .nullable()
    .describe('Where the rider is, while the delivery is theirs'),
  dropoff: point.nullable(),
  etaMinutes: z.number().int().nullable(),
  etaAt: time.nullable(),
  queue: z.object({ ahead: z.number().int(), waitMinutes: z.number().int() }).nullable().describe('While waiting for a partner'),
  otp: z
    .string()
    .nullable()
    .describe('The delivery code to give the rider: shown to the order’s customer alone, while the order is on its way'),
  otpLocked: z.boolean(),
  codDue: Money.nullable(),
  codCollected: Money.nullable(),
  failureReason: z.string().nullable(),
  history: z.array(z.object({ status: z.string(), actor: z.string(), note: z.string().nullable(), at: time })),
  createdAt: time,
  updatedAt: time,
});

const inr = (amount: number | null) => (amount === null ? null : { amount, currency: 'INR' as const });
const iso = (at: Date | null) => at?.toISOString() ?? null;

/** A delivery as the partner acting on it sees it right after (no code, no history). */
export const ActionView = DeliveryView.pick({ id: true, orderId: true, status: true, etaAt: true, failureReason: true, updatedAt: true });

export function toActionView(d: DeliveryRecord): z.input<typeof ActionView> {
  return {
    id: d.id,
    orderId: d.orderId,
    status: d.status,
    etaAt: iso(d.etaAt),
    failureReason: d.failureReason,
    updatedAt: d.updatedAt.toISOString(),
  };
}

export function toDeliveryView({
  delivery: d,
  partner,
  position,
  etaMinutes,
  queue,
  otp,
  history,
}: DeliveryDetails): z.input<typeof DeliveryView> {
  return {
    id: d.id,
    orderId: d.orderId,
    storeId: d.storeId,
    status: d.status,
    partner: partner ? { id: partner.id, name: partner.name, vehicle: partner.vehicle } : null,
    position: position ? { lat: position.lat, lng: position.lng, heading: position.heading, at: position.at.toISOString() } : null,
    dropoff: d.dropoff,
    etaMinutes,
    etaAt: etaMinutes === null ? null : new Date(Date.now() + etaMinutes * 60_000).toISOString(),
    queue,
    otp,
    otpLocked: d.otpLockedAt !== null,
    codDue: inr(d.codDueAmount),
    codCollected: inr(d.codCollectedAmount),
    failureReason: d.failureReason,
    history: history.map((h) => ({ status: h.status, actor: h.actor, note: h.note, at: h.at.toISOString() })),
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}
