import { z } from 'zod';
import { pageQuery } from '@qc/shared/http';
import { UNITS } from '../domain/catalog';
import { SORTS } from '../domain/listing-order';

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const MoneyBody = z.strictObject({
  amount: z.number().int().min(0).max(100_000_000).describe('Integer paise'),
  currency: z.literal('INR'),
});

const Tag = z.string().trim().toLowerCase().max(40).regex(SLUG, 'a tag is lower-case letters, digits and dashes');

/** Every field an admin sets; `.strict` so an unknown field (say `popularity`) is a 400. */
export const NewProductBody = z.strictObject({
  sku: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9][A-Z0-9-]{1,63}$/, 'a SKU is 2–64 letters, digits and dashes'),
  name: z.string().trim().min(1).max(200),
  slug: z.string().max(200).regex(SLUG, 'a slug is lower-case letters, digits and dashes').optional(),
  brand: z.string().trim().min(1).max(100),
  description: z.string().trim().max(5000).optional(),
  packSize: z.number().positive().max(1_000_000),
  unit: z.enum(UNITS),
  mrp: MoneyBody,
  price: MoneyBody.describe('At most the MRP'),
  images: z
    .array(z.url({ protocol: /^https?$/ }).max(500))
    .max(10)
    .optional(),
  tags: z.array(Tag).max(20).optional(),
  attributes: z
    .record(
      z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,49}$/, 'an attribute name is a letter, then letters, digits or _'),
      z.string().max(200),
    )
    .refine((a) => Object.keys(a).length <= 30, 'at most 30 attributes')
    .optional()
    .describe('A flat map of strings, e.g. {"origin": "Karnataka"}'),
  active: z.boolean().optional(),
  categoryIds: z.array(z.uuid()).min(1).max(10),
});

export const ProductPatchBody = NewProductBody.partial()
  .extend({
    version: z.number().int().min(1).describe('The version you read; a product that changed since is a 409'),
  })
  .strict();

/** Repeated (`?brand=a&brand=b`) or comma-separated (`?brand=a,b`): both are a list. */
const list = <T extends z.ZodType<unknown, string>>(item: T, max: number) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1).max(max));

const paise = z.coerce.number().int().min(0).max(100_000_000);

export const StoreQuery = {
  storeId: z.uuid().optional().describe('Show live availability at this dark store'),
  lat: z.coerce.number().min(-90).max(90).optional().describe('With lng: availability at the store that delivers here'),
  lng: z.coerce.number().min(-180).max(180).optional(),
};

function oneWhereabouts(q: { storeId?: string | undefined; lat?: number | undefined; lng?: number | undefined }, ctx: z.RefinementCtx) {
  if ((q.lat === undefined) !== (q.lng === undefined)) ctx.addIssue({ code: 'custom', path: ['lat'], message: 'lat and lng go together' });
  if (q.storeId !== undefined && q.lat !== undefined)
    ctx.addIssue({ code: 'custom', path: ['storeId'], message: 'give storeId or lat/lng, not both' });
}

export const ListProductsQuery = z
  .strictObject({
    ...pageQuery,
    q: z.string().trim().min(1).max(200).optional().describe('Full-text search; ranks by relevance unless another sort is asked'),
    category: z.string().trim().min(1).max(140).optional().describe('Category id or slug; includes every category below it'),
    brand: list(z.string().min(1).max(100), 20).optional().describe('One or more brands (any of them)'),
    tags: list(Tag, 10).optional().describe('Products carrying all these tags'),
    minPrice: paise.optional().describe('Lowest price, paise'),
    maxPrice: paise.optional().describe('Highest price, paise'),
    ids: list(z.uuid(), 100).optional().describe('Only these products (bulk lookup)'),
    sort: z.enum(SORTS).optional().describe('Default: relevance with q, popularity without'),
    includeInactive: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .describe('Admins only: list inactive products too'),
    ...StoreQuery,
  })
  .superRefine(oneWhereabouts);
export type ListProductsQuery = z.output<typeof ListProductsQuery>;

export const ProductDetailQuery = z.strictObject(StoreQuery).superRefine(oneWhereabouts);

export const RecommendationsQuery = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(50).default(10).describe('How many products at most (default 10, max 50)'),
    ...StoreQuery,
  })
  .superRefine(oneWhereabouts);

export const SuggestQuery = z.strictObject({
  q: z.string().trim().min(1).max(100),
  limit: z.coerce.number().int().min(1).max(20).default(8),
});

/** Ids and slugs share the path segment; slugs are lower case, so any spelling finds the product. */
export const IdOrSlugParams = z.strictObject({ idOrSlug: z.string().min(1).max(220).toLowerCase().describe('The product id or its slug') });

/** A product as an admin wrote it. */
export const ProductView = z.object({
  id: z.uuid(),
  sku: z.string(),
  name: z.string(),
  slug: z.string(),
  brand: z.string(),
  description: z.string(),
  packSize: z.number(),
  unit: z.enum(UNITS),
  mrp: MoneyBody,
  price: MoneyBody,
  images: z.array(z.string()),
  tags: z.array(z.string()),
  attributes: z.record(z.string(), z.string()),
  active: z.boolean(),
  categoryIds: z.array(z.uuid()),
  popularity: z.number().int().describe('Units sold in delivered orders in the last 30 days, plus a starting popularity'),
  version: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

/** A product as a shopper reads it: with its live stock when a store was asked for and answered. */
const StockedProductView = ProductView.extend({
  available: z.number().int().optional().describe('Units available at the store; only with storeId or lat/lng'),
  inStock: z.boolean().optional(),
});

const AvailabilityMeta = {
  availability: z
    .enum(['live', 'unavailable', 'unserviceable'])
    .optional()
    .describe('With storeId or lat/lng: live, or why items carry no availability'),
  storeId: z.uuid().nullable().optional(),
};

/** The bodies of the cached reads, which their handlers send themselves (with an ETag). */
export const ProductResponse = z.object({
  success: z.literal(true),
  data: StockedProductView,
  meta: z.object(AvailabilityMeta).optional(),
});
export const RecommendationsResponse = z.object({
  success: z.literal(true),
  data: z.array(
    StockedProductView.extend({
      reason: z
        .enum(['bought_together', 'popular_in_category'])
        .describe('bought_together: in the same delivered orders; popular_in_category: filling the shelf from its first category'),
      boughtTogether: z.number().int().optional().describe('Delivered orders in the last 30 days that had both; only when bought_together'),
    }),
  ),
  meta: z.object({ limit: z.number().int(), ...AvailabilityMeta }),
});
export const ProductPageResponse = z.object({
  success: z.literal(true),
  data: z.array(StockedProductView),
  meta: z.object({ limit: z.number().int(), nextCursor: z.string().nullable(), sort: z.enum(SORTS), ...AvailabilityMeta }),
});
export const SuggestResponse = z.object({
  success: z.literal(true),
  data: z.array(
    z.object({ id: z.uuid(), name: z.string(), slug: z.string(), brand: z.string(), price: MoneyBody, image: z.string().nullable() }),
  ),
});
