import { z } from 'zod';
import { parseAnswer, refusedBy } from './answers';
import { ServiceClient, UpstreamRejection } from './service-client';

const SERVICE = 'user-service';

/** user-service's contract for `GET /api/v1/users/me/addresses/{id}` (the caller's own; 404 otherwise). */
const AddressAnswer = z.object({ data: z.object({ id: z.string(), lat: z.number(), lng: z.number() }) });

/** user-service's address book, read with the customer's own token. */
export class AddressesClient {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: SERVICE, baseUrl, timeoutMs });
  }

  /**
   * The caller's address, their token relayed: null when it is not theirs or does not exist
   * (user-service answers 404 for both). An `unavailable` AppError when user-service cannot answer.
   */
  async address(addressId: string, authorization: string): Promise<{ lat: number; lng: number } | null> {
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/users/me/addresses/${encodeURIComponent(addressId)}`, { headers: { authorization } });
    } catch (err) {
      if (!(err instanceof UpstreamRejection)) throw err;
      if (err.status === 404) return null;
      throw refusedBy(SERVICE, err.status, err);
    }
    const { lat, lng } = parseAnswer(SERVICE, AddressAnswer, body).data;
    return { lat, lng };
  }
}
