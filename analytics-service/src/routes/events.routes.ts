import { Router } from 'express';
import { z } from 'zod';
import { allow } from '@qc/shared/auth';
import { decodeCursor, ok, page, pageQuery, validate } from '@qc/shared/http';
import type { ServiceDeps } from '@qc/shared/service';
import { listRawEvents } from '../data/raw-events.repository';

const ListEventsQuery = z.strictObject({
  ...pageQuery,
  type: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)+$/)
    .optional(),
});

/** `GET /api/v1/analytics/events`: the raw event store, newest first, cursor-paged; for admins only. */
export function eventsRoutes({ dataSource, openapi }: ServiceDeps): Router {
  openapi.registerPath({
    method: 'get',
    path: '/api/v1/analytics/events',
    summary: 'Raw events received from every topic, newest first (admin)',
    request: { query: ListEventsQuery },
    responses: {
      200: { description: 'A page of raw events' },
      401: { description: 'Not signed in' },
      403: { description: 'Not an admin' },
    },
  });
  return Router().get('/api/v1/analytics/events', allow('admin'), validate({ query: ListEventsQuery }), async (req, res) => {
    const query = req.query as unknown as z.output<typeof ListEventsQuery>;
    const rows = await listRawEvents(dataSource, { type: query.type, after: decodeCursor(query.cursor), limit: query.limit + 1 });
    const { items, meta } = page(rows, query.limit, (row) => row.eventId);
    res.json(ok(items, meta));
  });
}
