import { z } from 'zod';
// Registers zod's .openapi() before the schemas below use it.
import '@qc/shared/openapi';

const decimal = (description: string, limit: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d{1,3}(\.\d+)?$/, 'must be a decimal number')
    .transform(Number)
    .pipe(z.number().min(-limit).max(limit))
    .openapi({ description, example: limit === 90 ? '12.9352' : '77.6245' });

const latitude = decimal('latitude in degrees', 90);
const longitude = decimal('longitude in degrees', 180);

export const PointQuery = z.strictObject({ lat: latitude, lng: longitude });

export const GeocodeQuery = z.strictObject({
  q: z.string().trim().min(1).max(100).openapi({ description: 'locality name (any case, accents ignored) or pincode prefix' }),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const ValidateAddressBody = z.strictObject({
  pincode: z.string().max(20),
  lat: z.number(),
  lng: z.number(),
});

export const ServiceabilityView = z
  .object({
    serviceable: z.boolean(),
    zoneId: z
      .uuid()
      .nullable()
      .openapi({ description: 'the zone the point fell in, whose store serves it (where zones overlap, the nearest store’s)' }),
    storeId: z.uuid().nullable(),
    distanceKm: z.number().nullable().openapi({ description: 'straight-line distance from the store' }),
    etaMinutes: z.number().int().nullable().openapi({ description: 'preparation + partner wait + travel, rounded up' }),
    open: z.boolean().nullable().openapi({ description: "whether the store is open now, in the city's local time" }),
  })
  .openapi('Serviceability');

export const PlaceView = z
  .object({
    name: z.string(),
    aliases: z.array(z.string()).optional(),
    pincode: z.string(),
    lat: z.number(),
    lng: z.number(),
    city: z.string(),
  })
  .openapi('Place');

export const NearestPlaceView = PlaceView.extend({
  distanceKm: z.number().openapi({ description: 'straight-line distance from the point, to 10 m' }),
});

export const AddressValidationView = z
  .object({
    valid: z.boolean(),
    serviceable: z.boolean(),
    zoneId: z.uuid().nullable(),
    storeId: z.uuid().nullable(),
    problems: z.array(
      z.object({
        code: z.enum(['PINCODE_FORMAT', 'COORDINATES_OUT_OF_RANGE', 'PINCODE_MISMATCH', 'NOT_SERVICEABLE']),
        path: z.string().optional(),
        message: z.string(),
      }),
    ),
  })
  .openapi('AddressValidation');
