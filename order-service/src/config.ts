import { z } from 'zod';

const baseUrl = z.url({ protocol: /^https?$/ });
/** An amount in paise: prices and fees are integers, never floats (DESIGN §3). */
const paise = z.coerce.number().int().min(0).max(10_000_000);

/**
 * order-service's own settings, beside the shared ones every service reads. The definition
 * declares them, so a bad value stops the start before anything connects.
 */
export const orderSettings = z.object({
  PRODUCT_SERVICE_URL: baseUrl.default('http://127.0.0.1:8082'),
  USER_SERVICE_URL: baseUrl.default('http://127.0.0.1:8081'),
  LOCATION_SERVICE_URL: baseUrl.default('http://127.0.0.1:8089'),
  CART_SERVICE_URL: baseUrl.default('http://127.0.0.1:8085'),
  /** How long a call to another service may take while an order is placed or quoted. */
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(2_000),
  /** Delivery fee, waived when the item total reaches DELIVERY_FREE_ABOVE. */
  DELIVERY_FEE: paise.default(2_500),
  DELIVERY_FREE_ABOVE: paise.default(19_900),
  /** Charged when the item total is below SMALL_CART_BELOW (0 turns it off). */
  SMALL_CART_FEE: paise.default(1_500),
  SMALL_CART_BELOW: paise.default(9_900),
  HANDLING_FEE: paise.default(500),
  /** Tax on the fees, in basis points (1800 = 18 %); item prices already include theirs. 0 = none. */
  FEE_TAX_BPS: z.coerce.number().int().min(0).max(10_000).default(0),
  /** How long an Idempotency-Key's answer is kept and replayed (at least 24 hours). */
  IDEMPOTENCY_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(24)
    .max(24 * 30)
    .default(24),
});
export type OrderSettings = z.output<typeof orderSettings>;
