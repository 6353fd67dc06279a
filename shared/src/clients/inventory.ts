import { z } from 'zod';
import { parseAnswer, refusedBy } from './answers';
import { ServiceClient, UpstreamRejection } from './service-client';

const SERVICE = 'inventory-service';

/** inventory-service's contract for `GET /api/v1/stores/{storeId}/availability?productIds=` (public). */
const AvailabilityAnswer = z.object({
  data: z.array(z.object({ productId: z.string(), available: z.number().int().min(0) })),
});
const NotFoundAnswer = z.object({ errorCode: z.string() });

/** inventory-service's bulk availability at one dark store. */
export class InventoryClient {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: SERVICE, baseUrl, timeoutMs });
  }

  /**
   * Units available per product at the store, from one call (at most 100 ids, its limit); null
   * when inventory-service does not know the store, which each caller reads its own way. An
   * `unavailable` AppError when inventory cannot answer.
   */
  async available(storeId: string, productIds: string[]): Promise<Map<string, number> | null> {
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/stores/${encodeURIComponent(storeId)}/availability?productIds=${productIds.join(',')}`);
    } catch (err) {
      if (!(err instanceof UpstreamRejection)) throw err;
      // A 404 for the store is an answer; a 404 for the route means inventory is not there yet.
      if (err.status === 404 && NotFoundAnswer.safeParse(err.body).data?.errorCode !== 'ROUTE_NOT_FOUND') return null;
      throw refusedBy(SERVICE, err.status, err);
    }
    return new Map(parseAnswer(SERVICE, AvailabilityAnswer, body).data.map((a) => [a.productId, a.available]));
  }
}
