import { z } from 'zod';
import { ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import { AppError } from '@qc/shared/http';
import type { StoreLocator } from '../domain/context';

/** location-service's contract for `GET /api/v1/locations/serviceability?lat=&lng=`. */
const ServiceabilityAnswer = z.object({
  data: z.object({ serviceable: z.boolean(), storeId: z.string().nullable() }),
});

export class LocationClient implements StoreLocator {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: 'location-service', baseUrl, timeoutMs });
  }

  async storeServing(lat: number, lng: number): Promise<string | null> {
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/locations/serviceability?lat=${lat}&lng=${lng}`);
    } catch (err) {
      if (!(err instanceof UpstreamRejection)) throw err;
      throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', `location-service refused the serviceability call (${err.status})`, {
        cause: err,
      });
    }
    const parsed = ServiceabilityAnswer.safeParse(body);
    if (!parsed.success) throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'location-service answered outside its contract');
    return parsed.data.data.serviceable ? parsed.data.data.storeId : null;
  }
}
