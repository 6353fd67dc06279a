import { Router } from 'express';
import { z } from 'zod';
import { allow, anyone, principalOf } from '@qc/shared/auth';
import { ok, validate } from '@qc/shared/http';
import { failureResponse, okResponse, type OpenAPIRegistry } from '@qc/shared/openapi';
import { validateAddress } from '../domain/address-validation';
import type { LocationContext } from '../domain/context';
import { geocode, reverseGeocode } from '../domain/geocoding';
import { checkServiceability } from '../domain/serviceability';

import { AddressValidationView, GeocodeQuery, PlaceView, PointQuery, ServiceabilityView, ValidateAddressBody } from './locations.schemas';

const invalid = { 400: failureResponse('invalid input (VALIDATION_FAILED)') };

/** Public location answers (serviceability, geocoding) and address validation for signed-in users. */
export function locationsRoutes(ctx: LocationContext, openapi: OpenAPIRegistry): Router {
  openapi.registerPath({
    method: 'get',
    path: '/api/v1/locations/serviceability',
    summary: 'Which dark store serves a point, how far, how soon, and whether it is open now',
    request: { query: PointQuery },
    responses: { 200: okResponse('Serviceability (nulls when not serviceable)', ServiceabilityView), ...invalid },
  });
  openapi.registerPath({
    method: 'get',
    path: '/api/v1/locations/geocode',
    summary: 'Localities of the city matching a name or pincode, best first (offline gazetteer)',
    request: { query: GeocodeQuery },
    responses: { 200: okResponse('Matching places', PlaceView.array()), ...invalid },
  });
  openapi.registerPath({
    method: 'get',
    path: '/api/v1/locations/reverse',
    summary: 'The nearest known locality to a point',
    request: { query: PointQuery },
    responses: {
      200: okResponse('The nearest place and its distance', PlaceView.extend({ distanceKm: z.number() })),
      ...invalid,
      404: failureResponse('the point is outside the city the gazetteer covers (LOCATION_UNKNOWN)'),
    },
  });
  openapi.registerPath({
    method: 'post',
    path: '/api/v1/locations/validate',
    summary: 'Validate a delivery address: pincode format, coordinates, pincode near the point, serviceable zone',
    request: { body: { content: { 'application/json': { schema: ValidateAddressBody } } } },
    responses: {
      200: okResponse('The verdict with every problem found', AddressValidationView),
      ...invalid,
      401: failureResponse('no valid access token'),
      403: failureResponse('neither a customer nor an admin'),
    },
  });

  return Router()
    .get('/api/v1/locations/serviceability', anyone, validate({ query: PointQuery }), async (req, res) => {
      res.json(ok(await checkServiceability(ctx, req.query as unknown as z.output<typeof PointQuery>)));
    })
    .get('/api/v1/locations/geocode', anyone, validate({ query: GeocodeQuery }), (req, res) => {
      const query = req.query as unknown as z.output<typeof GeocodeQuery>;
      res.json(ok(geocode(ctx, query.q, query.limit)));
    })
    .get('/api/v1/locations/reverse', anyone, validate({ query: PointQuery }), (req, res) => {
      res.json(ok(reverseGeocode(ctx, req.query as unknown as z.output<typeof PointQuery>)));
    })
    .post('/api/v1/locations/validate', allow('customer', 'admin'), validate({ body: ValidateAddressBody }), async (req, res) => {
      const verdict = await validateAddress(ctx, req.body as z.output<typeof ValidateAddressBody>, principalOf(req).userId);
      res.json(ok(verdict));
    });
}
