import { z } from 'zod';
import { pageQuery } from '@qc/shared/http';
import type { ReservationRecord } from '../domain/reservations';
import { uuid } from './stores.schemas';

const STATUSES = ['HELD', 'COMMITTED', 'RELEASED', 'RETURNED', 'EXPIRED', 'FAILED', 'VOIDED'] as const;

export const ReservationParams = z.strictObject({ reservationId: uuid });

export const ListReservationsQuery = z.strictObject({
  ...pageQuery,
  orderId: uuid.optional(),
  storeId: uuid.optional(),
  status: z.enum(STATUSES).optional(),
});

export const ReservationView = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  storeId: z.uuid().nullable(),
  status: z.enum(STATUSES),
  items: z.array(z.object({ productId: z.uuid(), quantity: z.number().int() })),
  expiresAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export function toReservationView(reservation: ReservationRecord): z.infer<typeof ReservationView> {
  const { id, orderId, storeId, status, items, expiresAt, createdAt, updatedAt } = reservation;
  return {
    id,
    orderId,
    storeId,
    status,
    items,
    expiresAt: expiresAt?.toISOString() ?? null,
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  };
}
