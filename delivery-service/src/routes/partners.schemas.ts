import { z } from 'zod';
import { pageQuery } from '@qc/shared/http';
import { VEHICLES, type PartnerRecord } from '../domain/partners';
import type { PartnerStatusView } from '../domain/partners';
import { uuid } from './deliveries.schemas';

const lat = z.number().min(-90).max(90);
const lng = z.number().min(-180).max(180);

export const OnboardBody = z.strictObject({
  userId: uuid.describe('The user (user-service) who signs in with the delivery_partner role'),
  name: z.string().trim().min(2).max(120),
  phone: z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be in international form, e.g. +919812345678'),
  storeId: uuid.describe('The dark store the partner rides for'),
  vehicle: z.enum(VEHICLES),
});

export const ListPartnersQuery = z.strictObject({ ...pageQuery, storeId: uuid.optional() });

export const GoOnlineBody = z
  .strictObject({ lat, lng })
  .partial()
  .refine((b) => (b.lat === undefined) === (b.lng === undefined), {
    message: 'give both lat and lng, or neither (then the store is taken)',
  });

export const LocationBody = z.strictObject({
  lat,
  lng,
  accuracy: z.number().min(0).max(5_000).optional().describe('Metres'),
  heading: z.number().min(0).lt(360).optional().describe('Degrees clockwise from north'),
});

const time = z.iso.datetime();

export const PartnerView = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  phone: z.string(),
  storeId: z.uuid(),
  vehicle: z.enum(VEHICLES),
  status: z.enum(['OFFLINE', 'ONLINE']),
  availableSince: time.nullable(),
  completedCount: z.number().int(),
  createdAt: time,
});

export const PartnerStatus = PartnerView.extend({
  position: z.object({ lat: z.number(), lng: z.number(), heading: z.number().nullable(), at: time }).nullable(),
  activeDelivery: z
    .object({ id: z.uuid(), orderId: z.uuid(), status: z.string(), dropoff: z.object({ lat: z.number(), lng: z.number() }).nullable() })
    .nullable(),
});

export function toPartnerView(p: PartnerRecord): z.input<typeof PartnerView> {
  return {
    id: p.id,
    userId: p.userId,
    name: p.name,
    phone: p.phone,
    storeId: p.storeId,
    vehicle: p.vehicle,
    status: p.status,
    availableSince: p.availableSince?.toISOString() ?? null,
    completedCount: p.completedCount,
    createdAt: p.createdAt.toISOString(),
  };
}

export function toPartnerStatus({ partner, position, delivery }: PartnerStatusView): z.input<typeof PartnerStatus> {
  return {
    ...toPartnerView(partner),
    position: position ? { lat: position.lat, lng: position.lng, heading: position.heading, at: position.at.toISOString() } : null,
    activeDelivery: delivery ? { id: delivery.id, orderId: delivery.orderId, status: delivery.status, dropoff: delivery.dropoff } : null,
  };
}
