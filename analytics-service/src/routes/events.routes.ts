import type { Router } from 'express';
import { z } from 'zod';
import { answers, createRoutes, decodeCursor, defineRoute, page, pageQuery } from '@qc/shared/http';
import type { ServiceDeps } from '@qc/shared/service';
import { listRawEvents } from '../data/raw-events.repository';

const ListEventsQuery = z.strictObject({
  ...pageQuery,
  type: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)+$/)
    .optional(),
});

const RawEventView = z
  .object({
    eventId: z.uuid(),
    type: z.string(),
    source: z.string(),
    subject: z.string(),
    correlationId: z.string(),
    occurredAt: z.string(),
    data: z.unknown(),
    receivedAt: z.string(),
  })
  .openapi('RawEvent');

/** `GET /api/v1/analytics/events`: the raw event store, newest first, cursor-paged; for admins only. */
export function eventsRoutes({ dataSource, openapi }: ServiceDeps): Router {
  const routes = createRoutes(openapi);
  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/analytics/events',
    summary: 'Raw events received from every topic, newest first',
    access: ['admin'],
    request: { query: ListEventsQuery },
    response: answers.page('A page of raw events', RawEventView),
    handler: async ({ query }) => {
      const rows = await listRawEvents(dataSource, { type: query.type, after: decodeCursor(query.cursor), limit: query.limit + 1 });
      return page(rows, query.limit, (row) => row.eventId);
    },
  });
  return routes.router;
}
