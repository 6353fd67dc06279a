import { z } from 'zod';
import { ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import type { Addresses } from '../domain/context';
import { parseAnswer, refusedBy } from './answers';

/** user-service's contract for `GET /api/v1/users/me/addresses/{id}` (the caller's own; 404 otherwise). */
const AddressAnswer = z.object({ data: z.object({ id: z.string(), lat: z.number(), lng: z.number() }) });

export class UserClient implements Addresses {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: 'user-service', baseUrl, timeoutMs });
  }

  async address(addressId: string, authorization: string): Promise<{ lat: number; lng: number } | undefined> {
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/users/me/addresses/${encodeURIComponent(addressId)}`, { headers: { authorization } });
    } catch (err) {
      if (!(err instanceof UpstreamRejection)) throw err;
      if (err.status === 404) return undefined;
      throw refusedBy('user-service', err.status, err);
    }
    const { lat, lng } = parseAnswer('user-service', AddressAnswer, body).data;
    return { lat, lng };
  }
}
