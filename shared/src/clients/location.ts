import { z } from 'zod';
import { parseAnswer, refusedBy } from './answers';
import { ServiceClient, UpstreamRejection } from './service-client';

const SERVICE = 'location-service';

/** location-service's contract for `GET /api/v1/locations/serviceability?lat=&lng=` (public; nulls when not serviceable). */
const ServiceabilityAnswer = z.object({
  data: z.object({
    serviceable: z.boolean(),
    zoneId: z.string().nullable(),
    storeId: z.string().nullable(),
    open: z.boolean().nullable(),
  }),
});

/** The dark store that delivers to a point, the zone the point fell in, and whether the store is open now. */
export interface ServingStore {
  storeId: string;
  /** The zone polygon that resolved the point to this store; null only if location-service did not name it. */
  zoneId: string | null;
  open: boolean;
}

/** location-service's serviceability: which dark store delivers to a point, if any. */
export class LocationClient {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: SERVICE, baseUrl, timeoutMs });
  }

  /**
   * The store serving the point and through which zone, or null when nobody delivers there; an
   * `unavailable` AppError when location cannot answer.
   */
  async storeFor({ lat, lng }: { lat: number; lng: number }): Promise<ServingStore | null> {
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/locations/serviceability?lat=${lat}&lng=${lng}`);
    } catch (err) {
      if (err instanceof UpstreamRejection) throw refusedBy(SERVICE, err.status, err);
      throw err;
    }
    const { serviceable, zoneId, storeId, open } = parseAnswer(SERVICE, ServiceabilityAnswer, body).data;
    return serviceable && storeId ? { storeId, zoneId, open: open ?? false } : null;
  }
}
