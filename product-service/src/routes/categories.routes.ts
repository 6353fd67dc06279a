import type { Router } from 'express';
import { answers, createRoutes, defineRoute, ok } from '@qc/shared/http';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import type { ResponseCache } from '../data/response-cache';
import type { Catalog } from '../domain/catalog';
import { categoryDetail, categoryTree, changeCategory, createCategory, deleteCategory } from '../domain/categories';
import { cachedRead, sendCached, type Audience } from './cached-response';
import {
  CategoryDetailResponse,
  CategoryParams,
  CategoryPatchBody,
  CategoryTreeResponse,
  CategoryView,
  NewCategoryBody,
} from './categories.schemas';

export interface CategoryRoutesContext {
  catalog: Catalog;
  cache: ResponseCache;
  maxAgeSeconds: number;
  openapi: OpenAPIRegistry;
}

const REVALIDATE = 'Sent with an ETag: a request whose If-None-Match holds it is answered 304 Not Modified, without a body.';

/** The category tree: public reads (cached), admin writes. */
export function categoryRoutes({ catalog, cache, maxAgeSeconds, openapi }: CategoryRoutesContext): Router {
  const routes = createRoutes(openapi);
  const base = '/api/v1/categories';
  const audience: Audience = { public: true, maxAgeSeconds };

  defineRoute(routes, {
    method: 'get',
    path: base,
    summary: 'The category tree, each level in display order',
    description: REVALIDATE,
    access: 'anyone',
    response: answers.custom('The tree', 'application/json', CategoryTreeResponse),
    handler: async ({ res }) => {
      sendCached(res, await cachedRead(cache, 'categories:tree', async () => ok(await categoryTree(catalog))), audience);
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: `${base}/{idOrSlug}`,
    summary: 'One category with its breadcrumb trail and subcategories',
    description: REVALIDATE,
    access: 'anyone',
    request: { params: CategoryParams },
    response: answers.custom('The category', 'application/json', CategoryDetailResponse),
    errors: { 404: 'No such category' },
    handler: async ({ params: { idOrSlug }, res }) => {
      sendCached(
        res,
        await cachedRead(cache, `categories:one:${idOrSlug}`, async () => ok(await categoryDetail(catalog, idOrSlug))),
        audience,
      );
    },
  });

  defineRoute(routes, {
    method: 'post',
    path: base,
    summary: 'Create a category',
    access: ['admin'],
    request: { body: NewCategoryBody },
    response: answers.data('Created', CategoryView, 201),
    errors: { 409: 'Slug taken', 422: 'No such parent' },
    handler: ({ body }) => createCategory(catalog, body),
  });

  defineRoute(routes, {
    method: 'patch',
    path: `${base}/{idOrSlug}`,
    summary: 'Rename, re-slug, move or reorder a category',
    access: ['admin'],
    request: { params: CategoryParams, body: CategoryPatchBody },
    response: answers.data('Changed', CategoryView),
    errors: { 404: 'No such category', 409: 'Slug taken', 422: 'No such parent, or a cycle' },
    handler: ({ params, body }) => changeCategory(catalog, params.idOrSlug, body),
  });

  defineRoute(routes, {
    method: 'delete',
    path: `${base}/{idOrSlug}`,
    summary: 'Delete an empty category',
    access: ['admin'],
    request: { params: CategoryParams },
    response: answers.empty('Deleted'),
    errors: { 404: 'No such category', 409: 'It has subcategories or products' },
    handler: ({ params }) => deleteCategory(catalog, params.idOrSlug),
  });

  return routes.router;
}
