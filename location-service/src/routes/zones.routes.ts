import { Router } from 'express';
import type { z } from 'zod';
import { allow } from '@qc/shared/auth';
import { decodeCursor, ok, page, validate } from '@qc/shared/http';
import { failureResponse, okResponse, pageResponse, type OpenAPIRegistry } from '@qc/shared/openapi';
import { listZones } from '../data/zones.repository';
import type { LocationContext } from '../domain/context';
import { changeZone, createZone, deleteZone, getZone } from '../domain/zones';
import { adminFailures } from './documents';
import { ChangeZoneBody, CreateZoneBody, ListZonesQuery, ZoneParams, ZoneView } from './zones.schemas';

const notFound = { 404: failureResponse('no such zone (ZONE_NOT_FOUND)') };

/** Admin CRUD of zones: GeoJSON polygons mapped to the store that serves them. */
export function zonesRoutes(ctx: LocationContext, openapi: OpenAPIRegistry): Router {
  const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
  openapi.registerPath({
    method: 'post',
    path: '/api/v1/zones',
    summary: 'Create a zone (admin)',
    request: { body: json(CreateZoneBody) },
    responses: { 201: okResponse('The zone', ZoneView), ...adminFailures },
  });
  openapi.registerPath({
    method: 'get',
    path: '/api/v1/zones',
    summary: 'List zones, oldest first (admin)',
    request: { query: ListZonesQuery },
    responses: { 200: pageResponse('A page of zones', ZoneView), ...adminFailures },
  });
  openapi.registerPath({
    method: 'get',
    path: '/api/v1/zones/{id}',
    summary: 'One zone (admin)',
    request: { params: ZoneParams },
    responses: { 200: okResponse('The zone', ZoneView), ...adminFailures, ...notFound },
  });
  openapi.registerPath({
    method: 'patch',
    path: '/api/v1/zones/{id}',
    summary: 'Change a zone (admin)',
    request: { params: ZoneParams, body: json(ChangeZoneBody) },
    responses: { 200: okResponse('The changed zone', ZoneView), ...adminFailures, ...notFound },
  });
  openapi.registerPath({
    method: 'delete',
    path: '/api/v1/zones/{id}',
    summary: 'Delete a zone (admin); it stops being served at once',
    request: { params: ZoneParams },
    responses: { 204: { description: 'Deleted' }, ...adminFailures, ...notFound },
  });

  return Router()
    .post('/api/v1/zones', allow('admin'), validate({ body: CreateZoneBody }), async (req, res) => {
      const zone = await createZone(ctx, req.body as z.output<typeof CreateZoneBody>);
      res.status(201).json(ok(zone));
    })
    .get('/api/v1/zones', allow('admin'), validate({ query: ListZonesQuery }), async (req, res) => {
      const query = req.query as unknown as z.output<typeof ListZonesQuery>;
      const rows = await listZones(ctx.db, { storeId: query.storeId, after: decodeCursor(query.cursor), limit: query.limit + 1 });
      const { items, meta } = page(rows, query.limit, (zone) => zone.id);
      res.json(ok(items, meta));
    })
    .get('/api/v1/zones/:id', allow('admin'), validate({ params: ZoneParams }), async (req, res) => {
      res.json(ok(await getZone(ctx, (req.params as z.output<typeof ZoneParams>).id)));
    })
    .patch('/api/v1/zones/:id', allow('admin'), validate({ params: ZoneParams, body: ChangeZoneBody }), async (req, res) => {
      const zone = await changeZone(ctx, (req.params as z.output<typeof ZoneParams>).id, req.body as z.output<typeof ChangeZoneBody>);
      res.json(ok(zone));
    })
    .delete('/api/v1/zones/:id', allow('admin'), validate({ params: ZoneParams }), async (req, res) => {
      await deleteZone(ctx, (req.params as z.output<typeof ZoneParams>).id);
      res.status(204).end();
    });
}
