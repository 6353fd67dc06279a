import type { Router } from 'express';
import { answers, createRoutes, decodeCursor, defineRoute, page } from '@qc/shared/http';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import type { LocationContext } from '../domain/context';
import { browseZones, changeZone, createZone, deleteZone, getZone } from '../domain/zones';
import { ChangeZoneBody, CreateZoneBody, ListZonesQuery, ZoneParams, ZoneView } from './zones.schemas';

const INVALID_ZONE = 'Invalid input, or a polygon that is not one simple closed ring (VALIDATION_FAILED, INVALID_POLYGON)';
const NO_SUCH_ZONE = 'No such zone (ZONE_NOT_FOUND)';

/** Admin CRUD of zones: GeoJSON polygons mapped to the store that serves them. */
export function zonesRoutes(ctx: LocationContext, openapi: OpenAPIRegistry): Router {
  const routes = createRoutes(openapi);
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/zones',
    summary: 'Create a zone',
    access: ['admin'],
    request: { body: CreateZoneBody },
    response: answers.data('The zone', ZoneView, 201),
    errors: { 400: INVALID_ZONE },
    handler: ({ body }) => createZone(ctx, body),
  });
  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/zones',
    summary: 'List zones, oldest first',
    access: ['admin'],
    request: { query: ListZonesQuery },
    response: answers.page('A page of zones', ZoneView),
    handler: async ({ query }) => {
      const rows = await browseZones(ctx, { storeId: query.storeId, after: decodeCursor(query.cursor), limit: query.limit + 1 });
      return page(rows, query.limit, (zone) => zone.id);
    },
  });
  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/zones/{id}',
    summary: 'One zone',
    access: ['admin'],
    request: { params: ZoneParams },
    response: answers.data('The zone', ZoneView),
    errors: { 404: NO_SUCH_ZONE },
    handler: ({ params }) => getZone(ctx, params.id),
  });
  defineRoute(routes, {
    method: 'patch',
    path: '/api/v1/zones/{id}',
    summary: 'Change a zone',
    access: ['admin'],
    request: { params: ZoneParams, body: ChangeZoneBody },
    response: answers.data('The changed zone', ZoneView),
    errors: { 400: INVALID_ZONE, 404: NO_SUCH_ZONE },
    handler: ({ params, body }) => changeZone(ctx, params.id, body),
  });
  defineRoute(routes, {
    method: 'delete',
    path: '/api/v1/zones/{id}',
    summary: 'Delete a zone; it stops being served at once',
    access: ['admin'],
    request: { params: ZoneParams },
    response: answers.empty('Deleted'),
    errors: { 404: NO_SUCH_ZONE },
    handler: ({ params }) => deleteZone(ctx, params.id),
  });
  return routes.router;
}
