import { z } from 'zod';

const baseUrl = z.url({ protocol: /^https?$/ });

/**
 * analytics-service's own settings, beside the shared ones. The catalog and the stores name what
 * the rollups count by id; order- and inventory-service are the sources reconciliation checks
 * the rollups against.
 */
export const analyticsSettings = z.object({
  PRODUCT_SERVICE_URL: baseUrl.default('http://127.0.0.1:8082'),
  INVENTORY_SERVICE_URL: baseUrl.default('http://127.0.0.1:8083'),
  ORDER_SERVICE_URL: baseUrl.default('http://127.0.0.1:8084'),
  /** How long a call to another service may take. */
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(2_000),
});
export type AnalyticsSettings = z.output<typeof analyticsSettings>;
