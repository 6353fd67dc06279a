import { z } from 'zod';
import { parseAnswer, refusedBy, ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import type { CurrentOrder, OrderSource } from '../domain/context';

const SERVICE = 'order-service';

/** order-service's contract for `GET /api/v1/orders/{orderId}` (the caller's own; 404 otherwise), as far as payments read it. */
const OrderAnswer = z.object({
  data: z.object({
    id: z.string(),
    userId: z.string(),
    status: z.string(),
    paymentMethod: z.string(),
    pricing: z.object({ total: z.object({ amount: z.number().int().min(0), currency: z.literal('INR') }) }),
  }),
});
const Refusal = z.object({ errorCode: z.string() });

/** order-service's orders, read with the customer's own token. */
export class OrdersClient implements OrderSource {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: SERVICE, baseUrl, timeoutMs });
  }

  async orderOf(orderId: string, authorization: string): Promise<CurrentOrder | null> {
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/orders/${encodeURIComponent(orderId)}`, { headers: { authorization } });
    } catch (err) {
      if (!(err instanceof UpstreamRejection)) throw err;
      // Its 404 for an order (not the caller's, or none) is an answer; any other refusal (a route not
      // there yet, a token it would not take) means it cannot tell us now.
      if (err.status === 404 && Refusal.safeParse(err.body).data?.errorCode === 'ORDER_NOT_FOUND') return null;
      throw refusedBy(SERVICE, err.status, err);
    }
    const order = parseAnswer(SERVICE, OrderAnswer, body).data;
    return {
      orderId: order.id,
      userId: order.userId,
      status: order.status,
      paymentMethod: order.paymentMethod,
      total: order.pricing.total.amount,
    };
  }
}
