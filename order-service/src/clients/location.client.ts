import { z } from 'zod';
import { ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import type { StoreLocator } from '../domain/context';
import { parseAnswer, refusedBy } from './answers';

/** location-service's contract for `GET /api/v1/locations/serviceability?lat=&lng=` (public). */
const ServiceabilityAnswer = z.object({
  data: z.object({ serviceable: z.boolean(), storeId: z.string().nullable(), open: z.boolean().nullable() }),
});

export class LocationClient implements StoreLocator {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: 'location-service', baseUrl, timeoutMs });
  }

  async storeFor({ lat, lng }: { lat: number; lng: number }): Promise<{ storeId: string; open: boolean } | null> {
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/locations/serviceability?lat=${lat}&lng=${lng}`);
    } catch (err) {
      if (err instanceof UpstreamRejection) throw refusedBy('location-service', err.status, err);
      throw err;
    }
    const { serviceable, storeId, open } = parseAnswer('location-service', ServiceabilityAnswer, body).data;
    return serviceable && storeId ? { storeId, open: open ?? false } : null;
  }
}
