import { Router } from 'express';
import type { z } from 'zod';
import { allow, anyone } from '@qc/shared/auth';
import { ok, validate } from '@qc/shared/http';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import type { ResponseCache } from '../data/response-cache';
import type { Catalog } from '../domain/catalog';
import { categoryDetail, categoryTree, changeCategory, createCategory, deleteCategory } from '../domain/categories';
import { cachedRead, sendCached } from './cached-response';
import {
  CategoryDetailResponse,
  CategoryParams,
  CategoryPatchBody,
  CategoryResponse,
  CategoryTreeResponse,
  NewCategoryBody,
} from './categories.schemas';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const described = (responses: Record<number, string>) =>
  Object.fromEntries(Object.entries(responses).map(([status, description]) => [status, { description }]));

export interface CategoryRoutesContext {
  catalog: Catalog;
  cache: ResponseCache;
  maxAgeSeconds: number;
  openapi: OpenAPIRegistry;
}

/** The category tree: public reads (cached), admin writes. */
export function categoryRoutes({ catalog, cache, maxAgeSeconds, openapi }: CategoryRoutesContext): Router {
  const base = '/api/v1/categories';
  openapi.registerPath({
    method: 'get',
    path: base,
    summary: 'The category tree, each level in display order',
    responses: { 200: { description: 'The tree', ...json(CategoryTreeResponse) }, 304: { description: 'Not modified (If-None-Match)' } },
  });
  openapi.registerPath({
    method: 'get',
    path: `${base}/{idOrSlug}`,
    summary: 'One category with its breadcrumb trail and subcategories',
    request: { params: CategoryParams },
    responses: { 200: { description: 'The category', ...json(CategoryDetailResponse) }, 404: { description: 'No such category' } },
  });
  openapi.registerPath({
    method: 'post',
    path: base,
    summary: 'Create a category (admin)',
    request: { body: json(NewCategoryBody) },
    responses: {
      201: { description: 'Created', ...json(CategoryResponse) },
      ...described({ 400: 'Invalid', 401: 'Not signed in', 403: 'Not an admin', 409: 'Slug taken', 422: 'No such parent' }),
    },
  });
  openapi.registerPath({
    method: 'patch',
    path: `${base}/{idOrSlug}`,
    summary: 'Rename, re-slug, move or reorder a category (admin)',
    request: { params: CategoryParams, body: json(CategoryPatchBody) },
    responses: {
      200: { description: 'Changed', ...json(CategoryResponse) },
      ...described({
        400: 'Invalid',
        401: 'Not signed in',
        403: 'Not an admin',
        404: 'No such category',
        409: 'Slug taken',
        422: 'No such parent, or a cycle',
      }),
    },
  });
  openapi.registerPath({
    method: 'delete',
    path: `${base}/{idOrSlug}`,
    summary: 'Delete an empty category (admin)',
    request: { params: CategoryParams },
    responses: described({
      204: 'Deleted',
      401: 'Not signed in',
      403: 'Not an admin',
      404: 'No such category',
      409: 'It has subcategories or products',
    }),
  });

  const admin = allow('admin');
  const audience = { public: true, maxAgeSeconds } as const;
  return Router()
    .get(base, anyone, async (req, res) => {
      sendCached(req, res, await cachedRead(cache, 'categories:tree', async () => ok(await categoryTree(catalog))), audience);
    })
    .get(`${base}/:idOrSlug`, anyone, validate({ params: CategoryParams }), async (req, res) => {
      const idOrSlug = (req.params.idOrSlug as string).toLowerCase();
      sendCached(
        req,
        res,
        await cachedRead(cache, `categories:one:${idOrSlug}`, async () => ok(await categoryDetail(catalog, idOrSlug))),
        audience,
      );
    })
    .post(base, admin, validate({ body: NewCategoryBody }), async (req, res) => {
      res.status(201).json(ok(await createCategory(catalog, req.body)));
    })
    .patch(`${base}/:idOrSlug`, admin, validate({ params: CategoryParams, body: CategoryPatchBody }), async (req, res) => {
      res.json(ok(await changeCategory(catalog, (req.params.idOrSlug as string).toLowerCase(), req.body)));
    })
    .delete(`${base}/:idOrSlug`, admin, validate({ params: CategoryParams }), async (req, res) => {
      await deleteCategory(catalog, (req.params.idOrSlug as string).toLowerCase());
      res.status(204).end();
    });
}
