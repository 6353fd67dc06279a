import { z } from 'zod';
import { ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import { AppError } from '@qc/shared/http';
import type { StockLookup } from '../domain/availability';

/** inventory-service's contract for `GET /api/v1/stores/:storeId/availability?productIds=`. */
const AvailabilityAnswer = z.object({
  data: z.array(z.object({ productId: z.string(), available: z.number().int().min(0) })),
});

const NotFoundAnswer = z.object({ errorCode: z.string() });

export class InventoryClient implements StockLookup {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: 'inventory-service', baseUrl, timeoutMs });
  }

  /** One bulk call for the whole page (at most 100 ids, the page size limit). */
  async available(storeId: string, productIds: string[]): Promise<Map<string, number>> {
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/stores/${encodeURIComponent(storeId)}/availability?productIds=${productIds.join(',')}`);
    } catch (err) {
      if (!(err instanceof UpstreamRejection)) throw err;
      // A 404 for the store is the caller's mistake; a 404 for the route means inventory is not there yet.
      if (err.status === 404 && NotFoundAnswer.safeParse(err.body).data?.errorCode !== 'ROUTE_NOT_FOUND') {
        throw new AppError('not_found', 'STORE_NOT_FOUND', `No store ${storeId}`, {
          details: [{ path: 'query.storeId', message: 'no such store' }],
        });
      }
      throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', `inventory-service refused the availability call (${err.status})`, {
        cause: err,
      });
    }
    const parsed = AvailabilityAnswer.safeParse(body);
    if (!parsed.success) throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'inventory-service answered outside its contract');
    return new Map(parsed.data.data.map((a) => [a.productId, a.available]));
  }
}
