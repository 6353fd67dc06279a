import type { Router } from 'express';
import { z } from 'zod';
import { answers, createRoutes, defineRoute } from '@qc/shared/http';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import { SIGNATURE_HEADER } from '../clients/webhook-signature';
import type { PaymentContext } from '../domain/context';
import { receiveWebhook } from '../domain/provider-events';

const WebhookHeaders = z.object({
  [SIGNATURE_HEADER]: z
    .string()
    .max(1_000)
    .optional()
    .openapi({ description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the shared webhook secret' }),
});

/**
 * The provider's event envelope. Not strict, unlike every other body: the provider adds fields
 * without asking, and a refused webhook is retried for days. The adapter reads the event from the
 * signed raw bytes, never from this parsed copy.
 */
const WebhookBody = z
  .object({
    id: z.string().min(1).max(100),
    type: z.string().min(1).max(100),
    created: z.number().int(),
    data: z.object({ object: z.unknown() }),
  })
  .openapi('ProviderEvent');

const Receipt = z.object({ received: z.literal(true), eventId: z.string(), duplicate: z.boolean() }).openapi('WebhookReceipt');

/** `POST /api/v1/webhooks/payments`: the provider's signed events. The signature is the authentication. */
export function webhooksRoutes(ctx: PaymentContext, openapi: OpenAPIRegistry): Router {
  const routes = createRoutes(openapi);
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/webhooks/payments',
    summary: 'Events from the payment provider (signed)',
    description:
      'Verified against the raw body (HMAC-SHA256, timestamps older than the tolerance refused), stored once by provider event id and ' +
      'acknowledged at once; applied right after by a worker. A redelivered event is acknowledged again and changes nothing.',
    access: 'anyone',
    request: { headers: WebhookHeaders, body: WebhookBody },
    response: answers.data('Stored (or already stored); the provider stops retrying it', Receipt),
    errors: { 401: 'Missing, wrong or stale signature' },
    handler: async ({ req, headers }) => {
      // The shared app keeps the bytes the JSON parser read: the signature covers them, not a re-serialised body.
      const receipt = await receiveWebhook(ctx, req.rawBody ?? Buffer.alloc(0), headers[SIGNATURE_HEADER]);
      return { received: true as const, ...receipt };
    },
  });
  return routes.router;
}
