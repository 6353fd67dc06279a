import { z } from 'zod';
// Registers zod's .openapi() before the schemas below use it.
import '@qc/shared/openapi';
import { pageQuery } from '@qc/shared/http';

/** A GeoJSON position, `[lng, lat]`; ranges, closure and self-intersection are checked by the domain. */
const Position = z.tuple([z.number(), z.number()]).openapi({ description: '[longitude, latitude] in degrees (GeoJSON order)' });

export const PolygonSchema = z
  .strictObject({
    type: z.literal('Polygon'),
    coordinates: z.array(z.array(Position)).min(1),
  })
  .openapi('GeoJsonPolygon', {
    description: 'GeoJSON Polygon with one closed, non-self-intersecting ring of at least 4 positions; holes are not supported',
  });

const zoneFields = {
  name: z.string().trim().min(1).max(100),
  storeId: z.uuid().openapi({ description: "inventory-service's store id; the store may be announced later" }),
  polygon: PolygonSchema,
  active: z.boolean().openapi({ description: 'inactive zones are kept but not served; default true' }),
};

export const CreateZoneBody = z.strictObject({ ...zoneFields, active: zoneFields.active.optional() });

export const ChangeZoneBody = z
  .strictObject(zoneFields)
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');

export const ZoneParams = z.strictObject({ id: z.uuid() });

export const ListZonesQuery = z.strictObject({ ...pageQuery, storeId: z.uuid().optional() });

export const ZoneView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    storeId: z.uuid(),
    polygon: PolygonSchema,
    active: z.boolean(),
    storeStatus: z.enum(['active', 'inactive', 'unknown']).openapi({
      description: 'whether location-service knows the store (from inventory events); only zones of active stores are served',
    }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Zone');
