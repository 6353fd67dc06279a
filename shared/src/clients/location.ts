import { z } from 'zod';
import { parseAnswer, refusedBy } from './answers';
import { ServiceClient, UpstreamRejection } from './service-client';

const SERVICE = 'location-service';

/** location-service's contract for `GET /api/v1/locations/serviceability?lat=&lng=` (public; nulls when not serviceable). */
const ServiceabilityAnswer = z.object({
  data: z.object({ serviceable: z.boolean(), storeId: z.string().nullable(), open: z.boolean().nullable() }),
});

/** The dark store that delivers to a point, and whether it is open now. */
export interface ServingStore {
  storeId: string;
  open: boolean;
}

/** location-service's serviceability: which dark store delivers to a point, if any. */
export class LocationClient {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: SERVICE, baseUrl, timeoutMs });
  }

  /** The store serving the point, or null when nobody delivers there; an `unavailable` AppError when location cannot answer. */
  async storeFor({ lat, lng }: { lat: number; lng: number }): Promise<ServingStore | null> {
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/locations/serviceability?lat=${lat}&lng=${lng}`);
    } catch (err) {
      if (err instanceof UpstreamRejection) throw refusedBy(SERVICE, err.status, err);
      throw err;
    }
    const { serviceable, storeId, open } = parseAnswer(SERVICE, ServiceabilityAnswer, body).data;
    return serviceable && storeId ? { storeId, open: open ?? false } : null;
  }
}
