import type { Router } from 'express';
import { z } from 'zod';
import { CloudEventEnvelope } from '@qc/shared/events';
import { answers, createRoutes, decodeCursor, defineRoute, page, pageQuery } from '@qc/shared/http';
import type { ServiceDeps } from '@qc/shared/service';
import { listRawEvents } from '../data/raw-events.repository';
import { MAX_IMPORT_BATCH, importEvents } from '../domain/import-events';

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
    origin: z.enum(['stream', 'import']).openapi({ description: 'consumed from the fleet’s topics, or imported as history' }),
  })
  .openapi('RawEvent');

const ImportEventsBody = z
  .strictObject({
    events: z
      .array(CloudEventEnvelope)
      .min(1)
      .max(MAX_IMPORT_BATCH)
      .openapi({ description: 'Events in the fleet’s envelope (CloudEvents 1.0), each `data` as the catalog defines its type' }),
  })
  .openapi('ImportEventsRequest');

const ImportOutcomeView = z
  .object({
    received: z.number().int(),
    imported: z.number().int().openapi({ description: 'stored and projected now' }),
    alreadyKnown: z.number().int().openapi({ description: 'ids known already (consumed, or imported before): left as they were' }),
  })
  .openapi('ImportOutcome');

/** The raw event store: listed for admins, and history imported by them. */
export function eventsRoutes({ dataSource, openapi, outbox, name }: ServiceDeps): Router {
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
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/analytics/events/import',
    summary: 'Import past events as history (into analytics only)',
    description:
      `Up to ${MAX_IMPORT_BATCH} events in the fleet's envelope, each checked against the event catalog (its type, its owner as ` +
      'source, its data) and none later than now; one bad event refuses the whole batch (400 listing every bad one) and ' +
      'nothing is stored. Each event is stored in the raw store marked `import` and projected exactly as a consumed one, in one ' +
      'transaction; an id known already (consumed, or imported before) is left alone, so importing a batch again changes ' +
      'nothing. Nothing is published: no other service acts on imported history.',
    access: ['admin'],
    request: { body: ImportEventsBody },
    response: answers.data('How many events were new, and how many known already', ImportOutcomeView),
    handler: ({ body }) => importEvents({ outbox, consumer: name }, body.events),
  });
  return routes.router;
}
