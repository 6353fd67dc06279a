import { z } from 'zod';
import { ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import { AppError } from '@qc/shared/http';
import type { StockLookup } from '../domain/context';

/** inventory-service's contract for `GET /api/v1/stores/{storeId}/availability?productIds=`. */
const AvailabilityAnswer = z.object({
  data: z.array(z.object({ productId: z.string(), available: z.number().int().min(0) })),
});

export class InventoryClient implements StockLookup {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: 'inventory-service', baseUrl, timeoutMs });
  }

  /**
   * One bulk call for the whole cart. A store inventory-service does not know (closed down since
   * the address was chosen) cannot be answered for either: availability unknown, not an error of
   * the customer's.
   */
  async available(storeId: string, productIds: string[]): Promise<Map<string, number>> {
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/stores/${encodeURIComponent(storeId)}/availability?productIds=${productIds.join(',')}`);
    } catch (err) {
      if (!(err instanceof UpstreamRejection)) throw err;
      throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', `inventory-service refused the availability call (${err.status})`, {
        cause: err,
      });
    }
    const parsed = AvailabilityAnswer.safeParse(body);
    if (!parsed.success) throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'inventory-service answered outside its contract');
    return new Map(parsed.data.data.map((a) => [a.productId, a.available]));
  }
}
