import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_ETA_MODEL } from './domain/eta';
import { isTimeZone } from '@qc/shared/time';

/**
 * location-service's own settings, beside the shared ones every service reads. The definition
 * declares them, so a bad value stops the start before anything connects.
 */
export const locationSettings = z.object({
  /** Travelled distance ÷ straight-line distance on the city's roads. */
  ETA_ROAD_FACTOR: z.coerce.number().min(1).max(3).default(DEFAULT_ETA_MODEL.roadFactor),
  ETA_RIDER_SPEED_KMH: z.coerce.number().min(5).max(80).default(DEFAULT_ETA_MODEL.riderSpeedKmh),
  /** Expected wait for a free partner at a store delivery-service has published no recent wait for. */
  ETA_PARTNER_WAIT_MINUTES: z.coerce.number().min(0).max(120).default(DEFAULT_ETA_MODEL.partnerWaitMinutes),
  /** How often delivery-service's published partner waits are read from Redis. */
  PARTNER_WAIT_REFRESH_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  /** A published wait older than this is ignored (delivery-service stopped publishing): the constant counts again. */
  PARTNER_WAIT_MAX_AGE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  /** The city's time zone: store hours are local to it. */
  CITY_TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Kolkata').default('Asia/Kolkata'),
  /** How old the in-memory zones and stores may be before a reload; bounds how late other replicas' changes are seen. */
  SERVICE_AREA_REFRESH_MS: z.coerce.number().int().min(50).max(600_000).default(5_000),
  GAZETTEER_FILE: z.string().min(1).default(resolve(__dirname, '../data/gazetteer.json')),
  /** Reverse geocoding answers LOCATION_UNKNOWN when the nearest locality is farther than this. */
  REVERSE_GEOCODE_MAX_KM: z.coerce.number().positive().max(50).default(5),
  /** Address validation flags a pincode whose known localities are all farther than this from the point. */
  PINCODE_MATCH_MAX_KM: z.coerce.number().positive().max(50).default(6),
});
export type LocationSettings = z.output<typeof locationSettings>;
