import type { Response, Router } from 'express';
import { answers, createRoutes, decodeCursor, defineRoute, encodeCursor, ok, type Ok } from '@qc/shared/http';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import { cachedBody, type CachedBody, type ResponseCache } from '../data/response-cache';
import { stockAt, type AvailabilitySources, type Whereabouts } from '../domain/availability';
import type { Catalog, Product } from '../domain/catalog';
import {
  browseProducts,
  changeProduct,
  createProduct,
  deleteProduct,
  productByIdOrSlug,
  seesInactiveProducts,
  suggest,
} from '../domain/products';
import { recommendationsFor } from '../domain/recommendations';
import { cachedRead, sendCached, type Audience } from './cached-response';
import {
  IdOrSlugParams,
  ListProductsQuery,
  NewProductBody,
  ProductDetailQuery,
  ProductPageResponse,
  ProductPatchBody,
  ProductResponse,
  ProductView,
  RecommendationsQuery,
  RecommendationsResponse,
  SuggestQuery,
  SuggestResponse,
} from './products.schemas';

export interface ProductRoutesContext {
  catalog: Catalog;
  cache: ResponseCache;
  availability: AvailabilitySources;
  maxAgeSeconds: number;
  openapi: OpenAPIRegistry;
}

function whereaboutsOf(query: {
  storeId?: string | undefined;
  lat?: number | undefined;
  lng?: number | undefined;
}): Whereabouts | undefined {
  if (query.storeId) return { storeId: query.storeId };
  if (query.lat !== undefined && query.lng !== undefined) return { lat: query.lat, lng: query.lng };
  return undefined;
}

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

const REVALIDATE = 'Sent with an ETag: a request whose If-None-Match holds it is answered 304 Not Modified, without a body.';

/**
 * Sends a cached list of products as it is, or, when the caller named a store or a point, with
 * each item's live stock there (never cached, so private).
 */
async function sendWithStock(
  res: Response,
  availability: AvailabilitySources,
  entry: CachedBody,
  where: Whereabouts | undefined,
  audience: Audience,
): Promise<void> {
  if (!where) return sendCached(res, entry, audience);
  const { data, meta } = JSON.parse(entry.body) as Ok<Product[]>;
  const { items, ...stock } = await stockAt(availability, where, data);
  sendCached(res, cachedBody(ok(items, { ...meta, ...stock })), { public: false });
}

/** Products: public listing, search, typeahead and detail (cached, with live availability), admin writes. */
export function productRoutes({ catalog, cache, availability, maxAgeSeconds, openapi }: ProductRoutesContext): Router {
  const routes = createRoutes(openapi);
  const base = '/api/v1/products';
  const shared: Audience = { public: true, maxAgeSeconds };
  const personal: Audience = { public: false };

  defineRoute(routes, {
    method: 'get',
    path: base,
    summary: 'Browse and search the catalog: filters, sorting, cursor pages, live availability at your store',
    description: REVALIDATE,
    access: 'anyone',
    request: { query: ListProductsQuery },
    response: answers.custom('A page of products', 'application/json', ProductPageResponse),
    errors: {
      400: 'Invalid query or cursor',
      403: 'includeInactive without being an admin',
      404: 'No such category or store',
    },
    handler: async ({ query, principal, res }) => {
      const browse = async () => {
        const page = await browseProducts(
          catalog,
          {
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
            includeInactive: query.includeInactive,
          },
          principal,
        );
        return ok(page.items, { limit: query.limit, nextCursor: page.next === null ? null : encodeCursor(page.next), sort: page.sort });
      };
      // A listing with inactive products is an admin's: neither cached nor shared.
      const listing = query.includeInactive ? cachedBody(await browse()) : await cachedRead(cache, listingKey(query), browse);
      await sendWithStock(res, availability, listing, whereaboutsOf(query), query.includeInactive ? personal : shared);
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: `${base}/suggest`,
    summary: 'Typeahead: products whose name or brand starts with q (works from one letter)',
    description: REVALIDATE,
    access: 'anyone',
    request: { query: SuggestQuery },
    response: answers.custom('Suggestions', 'application/json', SuggestResponse),
    handler: async ({ query: { q, limit }, res }) => {
      const key = `products:suggest:${limit}:${q.toLowerCase().replace(/\s+/g, ' ')}`;
      sendCached(res, await cachedRead(cache, key, async () => ok(await suggest(catalog, q, limit))), shared);
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: `${base}/{idOrSlug}`,
    summary: 'One product by id or slug, with live availability at your store when asked',
    description: REVALIDATE,
    access: 'anyone',
    request: { params: IdOrSlugParams, query: ProductDetailQuery },
    response: answers.custom('The product', 'application/json', ProductResponse),
    errors: { 404: 'No such product or store' },
    handler: async ({ params: { idOrSlug }, query, principal, res }) => {
      // Admins see inactive products too (to edit them): that view is neither cached nor shared.
      const personalView = seesInactiveProducts(principal);
      const detail = personalView
        ? cachedBody(ok(await productByIdOrSlug(catalog, idOrSlug, principal)))
        : await cachedRead(cache, `products:one:${idOrSlug}`, async () => ok(await productByIdOrSlug(catalog, idOrSlug)));
      const where = whereaboutsOf(query);
      if (!where) return sendCached(res, detail, personalView ? personal : shared);
      const { data } = JSON.parse(detail.body) as Ok<Product>;
      const {
        items: [product],
        ...stock
      } = await stockAt(availability, where, [data]);
      sendCached(res, cachedBody(ok(product, stock)), personal);
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: `${base}/{idOrSlug}/recommendations`,
    summary: 'Often bought together: the products most often delivered in the same orders as this one, then popular ones of its category',
    description:
      'Over the last 30 days of delivered orders; each row says why it is there (`reason`). ' +
      'A shelf with fewer such products than limit is filled up with the most popular products of its first category. ' +
      REVALIDATE,
    access: 'anyone',
    request: { params: IdOrSlugParams, query: RecommendationsQuery },
    response: answers.custom('Products for the shelf under this one', 'application/json', RecommendationsResponse),
    errors: { 400: 'Invalid query', 404: 'No such product or store' },
    handler: async ({ params: { idOrSlug }, query, res }) => {
      const shelf = await cachedRead(cache, `products:recommendations:${query.limit}:${idOrSlug}`, async () =>
        ok(await recommendationsFor(catalog, idOrSlug, query.limit), { limit: query.limit }),
      );
      await sendWithStock(res, availability, shelf, whereaboutsOf(query), shared);
    },
  });

  defineRoute(routes, {
    method: 'post',
    path: base,
    summary: 'Create a product; emits product.created',
    access: ['admin'],
    request: { body: NewProductBody },
    response: answers.data('Created', ProductView, 201),
    errors: { 409: 'SKU or slug taken', 422: 'Price above MRP, or unknown category' },
    handler: ({ body }) => createProduct(catalog, body),
  });

  defineRoute(routes, {
    method: 'patch',
    path: `${base}/{idOrSlug}`,
    summary: 'Change a product against the version you read; emits product.updated with the changed fields',
    access: ['admin'],
    request: { params: IdOrSlugParams, body: ProductPatchBody },
    response: answers.data('Changed', ProductView),
    errors: {
      404: 'No such product',
      409: 'Changed since that version, or SKU or slug taken',
      422: 'Price above MRP, or unknown category',
    },
    handler: ({ params, body }) => changeProduct(catalog, params.idOrSlug, body),
  });

  defineRoute(routes, {
    method: 'delete',
    path: `${base}/{idOrSlug}`,
    summary: 'Delete a product (soft delete); emits product.deleted',
    access: ['admin'],
    request: { params: IdOrSlugParams },
    response: answers.empty('Deleted'),
    errors: { 404: 'No such product' },
    handler: ({ params }) => deleteProduct(catalog, params.idOrSlug),
  });

  return routes.router;
}
