import { z } from 'zod';

const seconds = z.coerce.number().int().min(1);
const baseUrl = z.url({ protocol: /^https?$/ });

/**
 * product-service's own settings, beside the shared ones every service reads. The definition
 * declares them, so a bad value stops the start before anything connects.
 */
export const productSettings = z.object({
  INVENTORY_SERVICE_URL: baseUrl.default('http://127.0.0.1:8083'),
  LOCATION_SERVICE_URL: baseUrl.default('http://127.0.0.1:8089'),
  /**
   * How long a listing waits for serviceability and stock before it answers without availability.
   * Short on purpose: a slow dependency must not make browsing slow (DESIGN §8).
   */
  AVAILABILITY_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(800),
  /** How long a cached catalog read lives in Redis; writes invalidate it long before that. */
  CATALOG_CACHE_TTL_SECONDS: seconds.max(86_400).default(300),
  /** `Cache-Control: public, max-age` of catalog reads without availability. */
  PUBLIC_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
  /**
   * How often popularity catches up with the units sold (and the catalog's cached reads are dropped
   * when it moved): the most a popularity-sorted listing lags behind the deliveries.
   */
  POPULARITY_REFRESH_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
});
export type ProductSettings = z.output<typeof productSettings>;
