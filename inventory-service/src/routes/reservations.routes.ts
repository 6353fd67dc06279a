import { Router } from 'express';
import { type z } from 'zod';
import { allow } from '@qc/shared/auth';
import { decodeCursor, ok, page, validate } from '@qc/shared/http';
import type { ServiceDeps } from '@qc/shared/service';
import { findReservation, listReservations } from '../data/reservations.repository';
import { reservationNotFound } from '../domain/inventory.errors';
import { BEARER_AUTH, okResponse, pageResponse } from '@qc/shared/openapi';
import { errors } from './envelope.schemas';
import { ListReservationsQuery, ReservationParams, ReservationView, toReservationView } from './reservations.schemas';

/** Reservations are made and moved on by order events only; admins can look them up. */
export function reservationsRoutes({ dataSource, openapi }: ServiceDeps): Router {
  const router = Router();

  openapi.registerPath({
    method: 'get',
    path: '/api/v1/inventory/reservations',
    summary: 'Reservations, newest first, by order, store or status (admin)',
    security: BEARER_AUTH,
    request: { query: ListReservationsQuery },
    responses: { 200: pageResponse('A page of reservations', ReservationView), ...errors(400, 401, 403) },
  });
  router.get('/api/v1/inventory/reservations', allow('admin'), validate({ query: ListReservationsQuery }), async (req, res) => {
    const query = req.query as unknown as z.output<typeof ListReservationsQuery>;
    const rows = await listReservations(dataSource, { ...query, before: decodeCursor(query.cursor), limit: query.limit + 1 });
    const { items, meta } = page(rows, query.limit, (reservation) => reservation.id);
    res.json(ok(items.map(toReservationView), meta));
  });

  openapi.registerPath({
    method: 'get',
    path: '/api/v1/inventory/reservations/{reservationId}',
    summary: 'One reservation (admin)',
    security: BEARER_AUTH,
    request: { params: ReservationParams },
    responses: { 200: okResponse('The reservation', ReservationView), ...errors(400, 401, 403, 404) },
  });
  router.get('/api/v1/inventory/reservations/:reservationId', allow('admin'), validate({ params: ReservationParams }), async (req, res) => {
    const { reservationId } = req.params as unknown as z.output<typeof ReservationParams>;
    const reservation = await findReservation(dataSource, reservationId);
    if (!reservation) throw reservationNotFound(reservationId);
    res.json(ok(toReservationView(reservation)));
  });

  return router;
}
