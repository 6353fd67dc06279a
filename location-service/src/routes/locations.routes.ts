import type { Router } from 'express';
import { answers, createRoutes, defineRoute } from '@qc/shared/http';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import { validateAddress } from '../domain/address-validation';
import type { LocationContext } from '../domain/context';
import { geocode, reverseGeocode } from '../domain/geocoding';
import { checkServiceability } from '../domain/serviceability';
import {
  AddressValidationView,
  GeocodeQuery,
  NearestPlaceView,
  PlaceView,
  PointQuery,
  ServiceabilityView,
  ValidateAddressBody,
} from './locations.schemas';

const AREA_UNAVAILABLE = { 503: 'The zones could not be loaded yet (SERVICE_AREA_UNAVAILABLE)' };

/** Public location answers (serviceability, geocoding) and address validation for signed-in users. */
export function locationsRoutes(ctx: LocationContext, openapi: OpenAPIRegistry): Router {
  const routes = createRoutes(openapi);
  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/locations/serviceability',
    summary: 'Which zone a point falls in and the dark store serving it, how far, how soon, and whether it is open now',
    access: 'anyone',
    request: { query: PointQuery },
    response: answers.data('Serviceability (nulls when not serviceable)', ServiceabilityView),
    errors: AREA_UNAVAILABLE,
    handler: ({ query }) => checkServiceability(ctx, query),
  });
  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/locations/geocode',
    summary: 'Localities of the city matching a name or pincode, best first (offline gazetteer)',
    access: 'anyone',
    request: { query: GeocodeQuery },
    response: answers.data('Matching places', PlaceView.array()),
    handler: ({ query }) => geocode(ctx, query.q, query.limit),
  });
  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/locations/reverse',
    summary: 'The nearest known locality to a point',
    access: 'anyone',
    request: { query: PointQuery },
    response: answers.data('The nearest place and its distance', NearestPlaceView),
    errors: { 404: 'The point is outside the city the gazetteer covers (LOCATION_UNKNOWN)' },
    handler: ({ query }) => reverseGeocode(ctx, query),
  });
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/locations/validate',
    summary: 'Validate a delivery address: pincode format, coordinates, pincode near the point, serviceable zone',
    access: ['customer', 'admin'],
    request: { body: ValidateAddressBody },
    response: answers.data('The verdict with every problem found', AddressValidationView),
    errors: AREA_UNAVAILABLE,
    handler: ({ body, principal }) => validateAddress(ctx, body, principal.userId),
  });
  return routes.router;
}
