import type { Router } from 'express';
import { answers, createRoutes, decodeCursor, defineRoute, page } from '@qc/shared/http';
import type { ServiceDeps } from '@qc/shared/service';
import { reservationOf, searchReservations } from '../domain/reservations';
import { ListReservationsQuery, ReservationParams, ReservationView, toReservationView } from './reservations.schemas';

/** Reservations are made and moved on by order events only; admins can look them up. */
export function reservationsRoutes(deps: ServiceDeps): Router {
  const routes = createRoutes(deps.openapi);

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/inventory/reservations',
    summary: 'Reservations, newest first, by order, store or status (admin)',
    access: ['admin'],
    request: { query: ListReservationsQuery },
    response: answers.page('A page of reservations', ReservationView),
    handler: async ({ query }) => {
      const { cursor, limit, ...filters } = query;
      const rows = await searchReservations(deps, { ...filters, before: decodeCursor(cursor), limit: limit + 1 });
      const { items, meta } = page(rows, limit, (reservation) => reservation.id);
      return { items: items.map(toReservationView), meta };
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/inventory/reservations/{reservationId}',
    summary: 'One reservation (admin)',
    access: ['admin'],
    request: { params: ReservationParams },
    response: answers.data('The reservation', ReservationView),
    errors: { 404: 'No such reservation' },
    handler: async ({ params }) => toReservationView(await reservationOf(deps, params.reservationId)),
  });

  return routes.router;
}
