import type { Router } from 'express';
import { answers, createRoutes, decodeCursor, defineRoute, page, withStatus } from '@qc/shared/http';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import type { OrderContext } from '../domain/context';
import { changeCoupon, couponOf, couponsPage, createCoupon, retire } from '../domain/coupons';
import {
  CouponParams,
  CouponPatchBody,
  CouponView,
  ListCouponsQuery,
  NewCouponBody,
  toCouponFields,
  toCouponView,
} from './coupons.schemas';

/** Coupons are the admins' to manage; customers use them by code when they quote or order. */
export function couponsRoutes(ctx: OrderContext, openapi: OpenAPIRegistry): Router {
  const routes = createRoutes(openapi);

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/coupons',
    summary: 'Create a coupon: percentage (with a cap), flat, or free delivery (admin)',
    access: ['admin'],
    request: { body: NewCouponBody },
    response: answers.data('The coupon', CouponView, 201),
    errors: { 409: 'The code is taken (COUPON_CODE_TAKEN)', 422: 'Terms that do not fit together (COUPON_TERMS_INVALID)' },
    handler: async ({ body }) => withStatus(201, toCouponView(await createCoupon(ctx, toCouponFields(body, ctx.now())))),
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/coupons',
    summary: 'Coupons, oldest first (admin)',
    access: ['admin'],
    request: { query: ListCouponsQuery },
    response: answers.page('A page of coupons', CouponView),
    handler: async ({ query }) => {
      const rows = await couponsPage(ctx, { after: decodeCursor(query.cursor), limit: query.limit + 1 });
      const { items, meta } = page(rows, query.limit, (coupon) => coupon.id);
      return { items: items.map(toCouponView), meta };
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/coupons/{couponId}',
    summary: 'One coupon with its usage (admin)',
    access: ['admin'],
    request: { params: CouponParams },
    response: answers.data('The coupon', CouponView),
    errors: { 404: 'No such coupon' },
    handler: async ({ params }) => toCouponView(await couponOf(ctx, params.couponId)),
  });

  defineRoute(routes, {
    method: 'patch',
    path: '/api/v1/coupons/{couponId}',
    summary: 'Change a coupon’s terms, window or limits (admin; versioned)',
    access: ['admin'],
    request: { params: CouponParams, body: CouponPatchBody },
    response: answers.data('The coupon as changed', CouponView),
    errors: { 404: 'No such coupon', 409: 'Changed since you read it', 422: 'Terms that do not fit together' },
    handler: async ({ params, body }) => {
      const { version, ...changes } = body;
      return toCouponView(await changeCoupon(ctx, params.couponId, version, changes));
    },
  });

  defineRoute(routes, {
    method: 'delete',
    path: '/api/v1/coupons/{couponId}',
    summary: 'Retire a coupon: no new order may use it; orders that did keep it (admin)',
    access: ['admin'],
    request: { params: CouponParams },
    response: answers.empty('Retired'),
    errors: { 404: 'No such coupon' },
    handler: async ({ params }) => retire(ctx, params.couponId),
  });

  return routes.router;
}
