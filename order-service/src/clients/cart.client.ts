import { z } from 'zod';
import { parseAnswer, refusedBy, ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import type { CartLine, Carts } from '../domain/context';

/** cart-service's contract for `GET /api/v1/carts/me` (the caller's cart; an empty one when none). */
const CartAnswer = z.object({
  data: z.object({ items: z.array(z.object({ productId: z.string(), quantity: z.number().int().positive() })) }),
});
const Refusal = z.object({ errorCode: z.string().optional(), error: z.string().optional() });

export class CartClient implements Carts {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: 'cart-service', baseUrl, timeoutMs });
  }

  async linesOf(authorization: string): Promise<CartLine[]> {
    let body: unknown;
    try {
      body = await this.client.call('/api/v1/carts/me', { headers: { authorization } });
    } catch (err) {
      if (err instanceof UpstreamRejection) throw refusedBy('cart-service', err.status, err);
      throw err;
    }
    return parseAnswer('cart-service', CartAnswer, body).data.items.map(({ productId, quantity }) => ({ productId, quantity }));
  }

  async add(authorization: string, line: CartLine): Promise<string | null> {
    try {
      await this.client.call('/api/v1/carts/me/items', { method: 'POST', headers: { authorization }, body: line });
      return null;
    } catch (err) {
      if (!(err instanceof UpstreamRejection)) throw err;
      // A line the cart will not take (not sold any more, over a limit) is that line's answer, not the request's.
      if (err.status === 404 || err.status === 409 || err.status === 422) {
        return Refusal.safeParse(err.body).data?.errorCode ?? `REFUSED_${err.status}`;
      }
      throw refusedBy('cart-service', err.status, err);
    }
  }
}
