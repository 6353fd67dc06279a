import { z } from 'zod';

const baseUrl = z.url({ protocol: /^https?$/ });
const limit = (max: number) => z.coerce.number().int().min(1).max(max);

/**
 * cart-service's own settings, beside the shared ones every service reads. The definition
 * declares them, so a bad value stops the start before anything connects.
 */
export const cartSettings = z.object({
  PRODUCT_SERVICE_URL: baseUrl.default('http://127.0.0.1:8082'),
  INVENTORY_SERVICE_URL: baseUrl.default('http://127.0.0.1:8083'),
  LOCATION_SERVICE_URL: baseUrl.default('http://127.0.0.1:8089'),
  USER_SERVICE_URL: baseUrl.default('http://127.0.0.1:8081'),
  /** How long a cart waits for product-, inventory-, location- or user-service before it degrades or answers 503. */
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(800),
  /** Units of one product a cart may hold. */
  CART_MAX_LINE_QUANTITY: limit(1_000).default(10),
  /** Different products a cart may hold (at most 100: one bulk price and stock call covers them all). */
  CART_MAX_LINES: limit(100).default(50),
  /** Units a cart may hold in all. */
  CART_MAX_UNITS: limit(10_000).default(100),
  /** How long a cart stays in Redis after it was last loaded from MySQL or changed; MySQL keeps it for good. */
  CART_CACHE_TTL_SECONDS: limit(7 * 24 * 3600).default(3_600),
});
export type CartSettings = z.output<typeof cartSettings>;
