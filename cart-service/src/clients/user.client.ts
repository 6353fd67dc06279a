import { z } from 'zod';
import { ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import { AppError } from '@qc/shared/http';
import type { AddressBook } from '../domain/context';

/** user-service's contract for `GET /api/v1/users/me/addresses/{id}` (the caller's own address). */
const AddressAnswer = z.object({ data: z.object({ id: z.string(), lat: z.number(), lng: z.number() }) });

export class UserClient implements AddressBook {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: 'user-service', baseUrl, timeoutMs });
  }

  /** Relays the customer's own token: user-service answers 404 for an address that is not theirs. */
  async addressOf(addressId: string, authorization: string): Promise<{ lat: number; lng: number } | null> {
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/users/me/addresses/${encodeURIComponent(addressId)}`, { headers: { authorization } });
    } catch (err) {
      if (!(err instanceof UpstreamRejection)) throw err;
      if (err.status === 404) return null;
      throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', `user-service refused the address lookup (${err.status})`, {
        cause: err,
      });
    }
    const parsed = AddressAnswer.safeParse(body);
    if (!parsed.success) throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'user-service answered outside its contract');
    return { lat: parsed.data.data.lat, lng: parsed.data.data.lng };
  }
}
