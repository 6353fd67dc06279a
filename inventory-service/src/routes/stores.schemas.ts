import { z } from 'zod';
import { pageQuery } from '@qc/shared/http';
import { isOpenAt, localMinutes } from '@qc/shared/time';
import type { StoreRecord } from '../domain/stores';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 00:00–23:59');
export const uuid = z.uuid().transform((id) => id.toLowerCase());
export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

const storeFields = {
  name: z.string().trim().min(2).max(120),
  address: z.string().trim().min(5).max(300),
  pincode: z.string().regex(/^[1-9]\d{5}$/, 'must be a 6-digit PIN code'),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  /** Local time; a closing time before the opening time means the store closes after midnight. */
  opensAt: hhmm,
  closesAt: hhmm,
  preparationMinutes: z.number().int().min(0).max(120),
};

export const CreateStoreBody = z.strictObject({ ...storeFields, active: z.boolean().default(true) });

// Built from the fields rather than `CreateStoreBody.partial()`: a default inside would switch a
// store back on whenever a change leaves `active` out.
export const ChangeStoreBody = z
  .strictObject({ ...storeFields, active: z.boolean() })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, 'name at least one field to change');

export const StoreParams = z.strictObject({ storeId: uuid });

export const ListStoresQuery = z.strictObject({
  ...pageQuery,
  active: booleanQuery.optional(),
  pincode: z
    .string()
    .regex(/^[1-9]\d{5}$/)
    .optional(),
});

export const AvailabilityQuery = z.strictObject({
  productIds: z
    .string()
    .transform((list) => [...new Set(list.split(',').map((id) => id.trim().toLowerCase()))])
    .pipe(z.array(z.uuid()).min(1).max(100))
    .describe('Comma-separated product ids, 1–100'),
});

export const StoreView = z.object({
  id: z.uuid(),
  name: z.string(),
  address: z.string(),
  pincode: z.string(),
  lat: z.number(),
  lng: z.number(),
  opensAt: z.string(),
  closesAt: z.string(),
  preparationMinutes: z.number().int(),
  active: z.boolean(),
  /** Active and inside its opening hours right now, in the stores' time zone. */
  openNow: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const AvailabilityView = z.array(z.object({ productId: z.uuid(), available: z.number().int().min(0) }));

export function toStoreView(store: StoreRecord, now: Date, timeZone: string): z.infer<typeof StoreView> {
  const { createdAt, updatedAt, ...fields } = store;
  return {
    ...fields,
    openNow: store.active && isOpenAt(store, localMinutes(now, timeZone)),
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  };
}
