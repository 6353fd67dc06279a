import { newEvent } from '@qc/shared/events';
import type { LocationContext } from './context';
import { haversineKm } from './geometry';

export interface AddressToValidate {
  pincode: string;
  lat: number;
  lng: number;
}

export interface AddressProblem {
  code: 'PINCODE_FORMAT' | 'COORDINATES_OUT_OF_RANGE' | 'PINCODE_MISMATCH' | 'NOT_SERVICEABLE';
  /** The field at fault; absent when it is the address as a whole. */
  path?: string;
  message: string;
}

export interface AddressValidation {
  valid: boolean;
  serviceable: boolean;
  zoneId: string | null;
  storeId: string | null;
  problems: AddressProblem[];
}

const INDIAN_PINCODE = /^[1-9][0-9]{5}$/;

/**
 * Whether an address can be delivered to: a well-formed Indian pincode, coordinates on Earth, a
 * pincode that fits the point where the gazetteer knows it, and a point inside a serviceable zone.
 * Every problem is reported, not just the first. The outcome is published as `location.validated`.
 */
export async function validateAddress(ctx: LocationContext, address: AddressToValidate, userId: string): Promise<AddressValidation> {
  const problems: AddressProblem[] = [];
  if (!INDIAN_PINCODE.test(address.pincode)) {
    problems.push({ code: 'PINCODE_FORMAT', path: 'pincode', message: 'an Indian pincode is six digits and does not start with 0' });
  }
  const latitudeOk = Math.abs(address.lat) <= 90;
  const longitudeOk = Math.abs(address.lng) <= 180;
  if (!latitudeOk) problems.push({ code: 'COORDINATES_OUT_OF_RANGE', path: 'lat', message: 'latitude must be within ±90' });
  if (!longitudeOk) problems.push({ code: 'COORDINATES_OUT_OF_RANGE', path: 'lng', message: 'longitude must be within ±180' });

  let served = { serviceable: false, zoneId: null as string | null, storeId: null as string | null };
  if (latitudeOk && longitudeOk) {
    // The gazetteer is not a full pincode directory: an unknown pincode is not held against the address.
    const localities = ctx.gazetteer.withPincode(address.pincode);
    if (localities.length > 0 && localities.every((l) => haversineKm(l, address) > ctx.settings.PINCODE_MATCH_MAX_KM)) {
      problems.push({
        code: 'PINCODE_MISMATCH',
        path: 'pincode',
        message: `pincode ${address.pincode} is ${localities.map((l) => l.name).join(', ')}, not near this point`,
      });
    }
    const answer = (await ctx.serviceArea.current()).resolve(address, ctx.now());
    served = { serviceable: answer.serviceable, zoneId: answer.zoneId, storeId: answer.storeId };
    if (!answer.serviceable) problems.push({ code: 'NOT_SERVICEABLE', message: 'no dark store delivers to this point yet' });
  }

  const event = newEvent(
    'location-service',
    'location.validated',
    {
      lat: address.lat,
      lng: address.lng,
      serviceable: served.serviceable,
      ...(served.zoneId ? { zoneId: served.zoneId } : {}),
      ...(served.storeId ? { storeId: served.storeId } : {}),
    },
    { subject: userId },
  );
  await ctx.outbox.transaction(async (_tx, emit) => emit(event));
  return { valid: problems.length === 0, ...served, problems };
}
