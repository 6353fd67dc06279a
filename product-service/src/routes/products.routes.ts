import type { Request } from 'express';
import { Router } from 'express';
import type { z } from 'zod';
import { allow, anyone } from '@qc/shared/auth';
import { AppError, decodeCursor, encodeCursor, ok, validate, type Ok } from '@qc/shared/http';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import { cachedBody, type ResponseCache } from '../data/response-cache';
import { availabilityAt, type Availability, type AvailabilitySources, type Whereabouts } from '../domain/availability';
import type { Catalog, Product } from '../domain/catalog';
import { browseProducts, changeProduct, createProduct, deleteProduct, productByIdOrSlug, suggest } from '../domain/products';
import { cachedRead, sendCached, type Audience } from './cached-response';
import {
  IdOrSlugParams,
  ListProductsQuery,
  NewProductBody,
  ProductDetailQuery,
  ProductPageResponse,
  ProductPatchBody,
  ProductResponse,
  SuggestQuery,
  SuggestResponse,
} from './products.schemas';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const described = (responses: Record<number, string>) =>
  Object.fromEntries(Object.entries(responses).map(([status, description]) => [status, { description }]));

export interface ProductRoutesContext {
  catalog: Catalog;
  cache: ResponseCache;
  availability: AvailabilitySources;
  maxAgeSeconds: number;
  openapi: OpenAPIRegistry;
}

const isAdmin = (req: Request) => req.principal?.role === 'admin';

function whereaboutsOf(query: {
  storeId?: string | undefined;
  lat?: number | undefined;
  lng?: number | undefined;
}): Whereabouts | undefined {
  if (query.storeId) return { storeId: query.storeId };
  if (query.lat !== undefined && query.lng !== undefined) return { lat: query.lat, lng: query.lng };
  return undefined;
}

/** A product with its live stock at the caller's store, when there is a live answer. */
function withStock(product: Product, availability: Availability): Product & { available?: number; inStock?: boolean } {
  if (availability.status !== 'live') return product;
  const available = availability.available.get(product.id) ?? 0;
  return { ...product, available, inStock: available > 0 };
}

const availabilityMeta = (a: Availability) => ({ availability: a.status, storeId: a.status === 'unserviceable' ? null : a.storeId });

/** The normalised query a listing is cached under: same results, same key, whatever the spelling. */
function listingKey(query: ListProductsQuery): string {
  const sorted = (values: string[] | undefined) => values && [...values].map((v) => v.toLowerCase()).sort();
  return `products:list:${JSON.stringify([
    query.q?.toLowerCase().replace(/\s+/g, ' '),
    query.category?.toLowerCase(),
    sorted(query.brand),
    sorted(query.tags),
    query.minPrice,
    query.maxPrice,
    sorted(query.ids),
    query.sort,
    query.limit,
    query.cursor,
  ])}`;
}

/** Products: public listing, search, typeahead and detail (cached, with live availability), admin writes. */
export function productRoutes({ catalog, cache, availability, maxAgeSeconds, openapi }: ProductRoutesContext): Router {
  const base = '/api/v1/products';
  register(openapi, base);
  const admin = allow('admin');
  const shared: Audience = { public: true, maxAgeSeconds };
  const personal: Audience = { public: false };

  return Router()
    .get(base, anyone, validate({ query: ListProductsQuery }), async (req, res) => {
      const query = req.query as unknown as ListProductsQuery;
      if (query.includeInactive && !isAdmin(req)) throw new AppError('forbidden', 'FORBIDDEN', 'Only admins may list inactive products');
      const browse = async () => {
        const page = await browseProducts(catalog, {
          q: query.q,
          category: query.category,
          brands: query.brand,
          tags: query.tags,
          minPrice: query.minPrice,
          maxPrice: query.maxPrice,
          ids: query.ids,
          sort: query.sort,
          limit: query.limit,
          after: decodeCursor(query.cursor),
          includeInactive: query.includeInactive ?? false,
        });
        return ok(page.items, { limit: query.limit, nextCursor: page.next === null ? null : encodeCursor(page.next), sort: page.sort });
      };
      const listing = query.includeInactive ? cachedBody(await browse()) : await cachedRead(cache, listingKey(query), browse);
      const where = whereaboutsOf(query);
      if (!where) return sendCached(req, res, listing, query.includeInactive ? personal : shared);
      const body = JSON.parse(listing.body) as Ok<Product[]>;
      const stock = await availabilityAt(
        availability,
        where,
        body.data.map((p) => p.id),
      );
      const live = ok(
        body.data.map((p) => withStock(p, stock)),
        { ...body.meta, ...availabilityMeta(stock) },
      );
      sendCached(req, res, cachedBody(live), personal);
    })
    .get(`${base}/suggest`, anyone, validate({ query: SuggestQuery }), async (req, res) => {
      const { q, limit } = req.query as unknown as z.output<typeof SuggestQuery>;
      const key = `products:suggest:${limit}:${q.toLowerCase().replace(/\s+/g, ' ')}`;
      sendCached(req, res, await cachedRead(cache, key, async () => ok(await suggest(catalog, q, limit))), shared);
    })
    .get(`${base}/:idOrSlug`, anyone, validate({ params: IdOrSlugParams, query: ProductDetailQuery }), async (req, res) => {
      const idOrSlug = (req.params.idOrSlug as string).toLowerCase();
      const query = req.query as unknown as z.output<typeof ProductDetailQuery>;
      // Admins see inactive products too (to edit them): that view is neither cached nor shared.
      const detail = isAdmin(req)
        ? cachedBody(ok(await productByIdOrSlug(catalog, idOrSlug, { includeInactive: true })))
        : await cachedRead(cache, `products:one:${idOrSlug}`, async () => ok(await productByIdOrSlug(catalog, idOrSlug)));
      const where = whereaboutsOf(query);
      if (!where) return sendCached(req, res, detail, isAdmin(req) ? personal : shared);
      const product = (JSON.parse(detail.body) as Ok<Product>).data;
      const stock = await availabilityAt(availability, where, [product.id]);
      sendCached(req, res, cachedBody(ok(withStock(product, stock), availabilityMeta(stock))), personal);
    })
    .post(base, admin, validate({ body: NewProductBody }), async (req, res) => {
      res.status(201).json(ok(await createProduct(catalog, req.body)));
    })
    .patch(`${base}/:idOrSlug`, admin, validate({ params: IdOrSlugParams, body: ProductPatchBody }), async (req, res) => {
      res.json(ok(await changeProduct(catalog, (req.params.idOrSlug as string).toLowerCase(), req.body)));
    })
    .delete(`${base}/:idOrSlug`, admin, validate({ params: IdOrSlugParams }), async (req, res) => {
      await deleteProduct(catalog, (req.params.idOrSlug as string).toLowerCase());
      res.status(204).end();
    });
}

function register(openapi: OpenAPIRegistry, base: string): void {
  openapi.registerPath({
    method: 'get',
    path: base,
    summary: 'Browse and search the catalog: filters, sorting, cursor pages, live availability at your store',
    request: { query: ListProductsQuery },
    responses: {
      200: { description: 'A page of products', ...json(ProductPageResponse) },
      ...described({
        304: 'Not modified (If-None-Match)',
        400: 'Invalid query or cursor',
        403: 'includeInactive without admin',
        404: 'No such category or store',
      }),
    },
  });
  openapi.registerPath({
    method: 'get',
    path: `${base}/suggest`,
    summary: 'Typeahead: products whose name or brand starts with q (works from one letter)',
    request: { query: SuggestQuery },
    responses: { 200: { description: 'Suggestions', ...json(SuggestResponse) }, ...described({ 400: 'Invalid query' }) },
  });
  openapi.registerPath({
    method: 'get',
    path: `${base}/{idOrSlug}`,
    summary: 'One product by id or slug, with live availability at your store when asked',
    request: { params: IdOrSlugParams, query: ProductDetailQuery },
    responses: {
      200: { description: 'The product', ...json(ProductResponse) },
      ...described({ 304: 'Not modified', 404: 'No such product or store' }),
    },
  });
  openapi.registerPath({
    method: 'post',
    path: base,
    summary: 'Create a product (admin); emits product.created',
    request: { body: json(NewProductBody) },
    responses: {
      201: { description: 'Created', ...json(ProductResponse) },
      ...described({
        400: 'Invalid',
        401: 'Not signed in',
        403: 'Not an admin',
        409: 'SKU or slug taken',
        422: 'Price above MRP, or unknown category',
      }),
    },
  });
  openapi.registerPath({
    method: 'patch',
    path: `${base}/{idOrSlug}`,
    summary: 'Change a product (admin) against the version you read; emits product.updated with the changed fields',
    request: { params: IdOrSlugParams, body: json(ProductPatchBody) },
    responses: {
      200: { description: 'Changed', ...json(ProductResponse) },
      ...described({
        400: 'Invalid',
        401: 'Not signed in',
        403: 'Not an admin',
        404: 'No such product',
        409: 'Changed since that version, or SKU or slug taken',
        422: 'Price above MRP, or unknown category',
      }),
    },
  });
  openapi.registerPath({
    method: 'delete',
    path: `${base}/{idOrSlug}`,
    summary: 'Delete a product (admin; soft delete); emits product.deleted',
    request: { params: IdOrSlugParams },
    responses: described({ 204: 'Deleted', 401: 'Not signed in', 403: 'Not an admin', 404: 'No such product' }),
  });
}
