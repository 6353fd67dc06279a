import type { Router } from 'express';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import { answers, createRoutes, defineRoute } from '@qc/shared/http';
import type { DeliveryContext } from '../domain/context';
import {
  acceptDelivery,
  completeDelivery,
  deliveryDetails,
  failDelivery,
  pickUpDelivery,
  rejectDelivery,
  reissueDeliveryCode,
  visibleDelivery,
} from '../domain/deliveries';
import { snapshotOf } from '../domain/tracking';
import type { TrackingHub } from '../tracking/tracking-hub';
import {
  ActionView,
  CompleteBody,
  DeliveryView,
  FailBody,
  OrderParams,
  RejectBody,
  StreamHeaders,
  toActionView,
  toDeliveryView,
} from './deliveries.schemas';

const NO_DELIVERY = 'No delivery for this order that the caller may see';
const NOT_NOW = 'The delivery is not in a state this action applies to';

/** A delivery, by its order: its customer, its partner and admins read and track it; its partner moves it on. */
export function deliveriesRoutes(ctx: DeliveryContext, hub: TrackingHub, openapi: OpenAPIRegistry): Router {
  const routes = createRoutes(openapi);

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/deliveries/{orderId}',
    summary: 'An order’s delivery: status, rider, position, ETA, queue wait; its customer also sees the delivery code',
    access: ['customer', 'delivery_partner', 'admin'],
    request: { params: OrderParams },
    response: answers.data('The delivery', DeliveryView),
    errors: { 404: NO_DELIVERY },
    handler: async ({ principal, params }) => toDeliveryView(await deliveryDetails(ctx, principal, params.orderId)),
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/deliveries/{orderId}/stream',
    summary: 'Track a delivery live (Server-Sent Events): status changes, rider positions with the ETA',
    description: [
      'Events: `snapshot` (first, and when resuming is impossible), `scheduled`, `started`, `position`, `completed`, `failed`,',
      '`cancelled`; each `data` is JSON with `type`, `status` and what changed. Send `Last-Event-ID` to resume after a',
      'disconnect. The server ends the stream after the delivery’s last event (`completed`, `failed`, `cancelled`, or the',
      'snapshot of a delivery that has ended), and when the access token expires: reconnect with a fresh one.',
    ].join(' '),
    access: ['customer', 'delivery_partner', 'admin'],
    request: { params: OrderParams, headers: StreamHeaders },
    response: answers.custom('A text/event-stream, ended after the delivery’s last event', 'text/event-stream'),
    errors: { 404: NO_DELIVERY },
    handler: async ({ principal, params, headers, res }) => {
      const delivery = await visibleDelivery(ctx, principal, params.orderId);
      const stillVisible = () => visibleDelivery(ctx, principal, delivery.orderId);
      await hub.open(delivery.orderId, res, {
        lastEventId: headers['last-event-id'],
        snapshot: async () => snapshotOf(ctx, await stillVisible()),
        endsAt: new Date(principal.expiresAt * 1000),
        // A partner sees a delivery only while it is theirs: their stream ends when it leaves them.
        partner:
          principal.role === 'delivery_partner' && delivery.partnerId ? { id: delivery.partnerId, stillTheirs: stillVisible } : undefined,
      });
    },
  });

  const partnerAction = (path: string, summary: string) => ({
    method: 'post' as const,
    path: `/api/v1/deliveries/{orderId}/${path}`,
    summary,
    access: ['delivery_partner'] as const,
    response: answers.data('The delivery', ActionView),
    errors: { 404: NO_DELIVERY, 409: NOT_NOW },
  });

  defineRoute(routes, {
    ...partnerAction('accept', 'Accept the delivery offered to you'),
    request: { params: OrderParams },
    handler: async ({ principal, params }) => toActionView(await acceptDelivery(ctx, principal, params.orderId)),
  });

  defineRoute(routes, {
    ...partnerAction('reject', 'Turn the offered delivery down: it goes to the next nearest partner'),
    request: { params: OrderParams, body: RejectBody },
    response: answers.empty('Turned down'),
    handler: ({ principal, params, body }) => rejectDelivery(ctx, principal, params.orderId, body.reason),
  });

  defineRoute(routes, {
    ...partnerAction('pickup', 'Picked up at the store: the order is out for delivery (delivery.started)'),
    request: { params: OrderParams },
    handler: async ({ principal, params }) => toActionView(await pickUpDelivery(ctx, principal, params.orderId)),
  });

  defineRoute(routes, {
    ...partnerAction('complete', 'Hand the order over with the customer’s delivery code (delivery.completed)'),
    description:
      'A wrong code counts; after DELIVERY_OTP_MAX_ATTEMPTS (5) wrong codes the code is locked (409) until an admin issues a new one.',
    request: { params: OrderParams, body: CompleteBody },
    errors: { 404: NO_DELIVERY, 409: `${NOT_NOW}, or its code is locked`, 422: 'Wrong code, or the cash collected is not the amount due' },
    handler: async ({ principal, params, body }) => toActionView(await completeDelivery(ctx, principal, params.orderId, body)),
  });

  defineRoute(routes, {
    ...partnerAction('fail', 'The order could not be handed over (delivery.failed with the reason)'),
    request: { params: OrderParams, body: FailBody },
    handler: async ({ principal, params, body }) => toActionView(await failDelivery(ctx, principal, params.orderId, body.reason)),
  });

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/deliveries/{orderId}/otp/reissue',
    summary: 'Issue a new delivery code, e.g. after it was locked by wrong codes (admin)',
    access: ['admin'],
    request: { params: OrderParams },
    response: answers.empty('A new code: the customer sees it on the delivery'),
    errors: { 404: NO_DELIVERY, 409: 'The delivery is not with a partner' },
    handler: ({ principal, params }) => reissueDeliveryCode(ctx, principal, params.orderId),
  });

  return routes.router;
}
