import { AppError } from '@qc/shared/http';
import type { LocationContext } from './context';
import type { LatLng } from './geometry';
import type { Locality } from './gazetteer';

export interface Place extends Locality {
  city: string;
}

export function geocode(ctx: LocationContext, query: string, limit: number): Place[] {
  return ctx.gazetteer.search(query, limit).map((locality) => ({ ...locality, city: ctx.gazetteer.city }));
}

/** The nearest known locality; a point far from all of them is outside the city the service knows. */
export function reverseGeocode(ctx: LocationContext, point: LatLng): Place & { distanceKm: number } {
  const nearest = ctx.gazetteer.nearest(point);
  if (!nearest || nearest.distanceKm > ctx.settings.REVERSE_GEOCODE_MAX_KM) {
    throw new AppError('not_found', 'LOCATION_UNKNOWN', `No known locality of ${ctx.gazetteer.city} near this point`);
  }
  return { ...nearest.locality, city: ctx.gazetteer.city, distanceKm: Math.round(nearest.distanceKm * 100) / 100 };
}
