import type { Router } from 'express';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import { answers, createRoutes, decodeCursor, defineRoute, page } from '@qc/shared/http';
import type { DeliveryContext } from '../domain/context';
import { browsePartners, goOffline, goOnline, onboardPartner, partnerStatus, reportPosition } from '../domain/partners';
import {
  GoOnlineBody,
  ListPartnersQuery,
  LocationBody,
  OnboardBody,
  PartnerStatus,
  PartnerView,
  toPartnerStatus,
  toPartnerView,
} from './partners.schemas';

const NOT_A_PARTNER = 'The caller is not onboarded as a delivery partner';

/** Partners: admins onboard them; partners go online and offline and report where they are. */
export function partnersRoutes(ctx: DeliveryContext, openapi: OpenAPIRegistry): Router {
  const routes = createRoutes(openapi);

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/partners',
    summary: 'Onboard a delivery partner for a store (admin)',
    description:
      'The user signs in with the delivery_partner role (an admin sets it in user-service); their token is what acts as this partner.',
    access: ['admin'],
    request: { body: OnboardBody },
    response: answers.data('The new partner, offline', PartnerView, 201),
    errors: { 409: 'The user is a partner already' },
    handler: async ({ body }) => toPartnerView(await onboardPartner(ctx, body)),
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/partners',
    summary: 'Partners, oldest first, optionally of one store (admin)',
    access: ['admin'],
    request: { query: ListPartnersQuery },
    response: answers.page('A page of partners', PartnerView),
    handler: async ({ query }) => {
      const rows = await browsePartners(ctx, { storeId: query.storeId, after: decodeCursor(query.cursor), limit: query.limit + 1 });
      const { items, meta } = page(rows, query.limit, (p) => p.id);
      return { items: items.map(toPartnerView), meta };
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/partners/me',
    summary: 'The calling partner: status, position and current load',
    access: ['delivery_partner'],
    response: answers.data('The partner', PartnerStatus),
    errors: { 404: NOT_A_PARTNER },
    handler: async ({ principal }) => toPartnerStatus(await partnerStatus(ctx, principal)),
  });

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/partners/me/online',
    summary: 'Go online (at a position, or at the store): offered the store’s deliveries from now',
    access: ['delivery_partner'],
    request: { body: GoOnlineBody },
    response: answers.data('The partner', PartnerStatus),
    errors: { 404: NOT_A_PARTNER },
    handler: async ({ principal, body }) =>
      toPartnerStatus(
        await goOnline(ctx, principal, body.lat !== undefined && body.lng !== undefined ? { lat: body.lat, lng: body.lng } : undefined),
      ),
  });

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/partners/me/offline',
    summary: 'Go offline; not while holding a delivery',
    access: ['delivery_partner'],
    response: answers.data('The partner', PartnerStatus),
    errors: { 404: NOT_A_PARTNER, 409: 'The partner holds a delivery' },
    handler: async ({ principal }) => toPartnerStatus(await goOffline(ctx, principal)),
  });

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/partners/me/location',
    summary: 'Report the partner’s position (at most one report per LOCATION_MIN_INTERVAL_MS)',
    description: 'Kept live in Redis, written to the trail in batches, and streamed to whoever tracks the partner’s delivery.',
    access: ['delivery_partner'],
    request: { body: LocationBody },
    response: answers.empty('Recorded'),
    errors: { 404: NOT_A_PARTNER, 409: 'The partner is offline', 429: 'Reports are coming too fast' },
    handler: ({ principal, body }) => reportPosition(ctx, principal, body),
  });

  return routes.router;
}
