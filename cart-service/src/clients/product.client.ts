import { z } from 'zod';
import { ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import { AppError } from '@qc/shared/http';
import type { ProductQuote } from '../domain/cart-pricing';
import type { Catalog } from '../domain/context';

const Money = z.object({ amount: z.number().int().min(0), currency: z.literal('INR') });

/** product-service's contract for `GET /api/v1/products?ids=…` (public; active products only). */
const ListingAnswer = z.object({
  data: z.array(z.object({ id: z.string(), name: z.string(), price: Money, mrp: Money, active: z.boolean() })),
});

/** The listing's page size limit, and so the most ids one call asks for. */
const PAGE = 100;

export class ProductClient implements Catalog {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: 'product-service', baseUrl, timeoutMs });
  }

  /** One bulk call (a cart holds at most 100 products, CART_MAX_LINES). */
  async quotes(productIds: string[]): Promise<Map<string, ProductQuote>> {
    if (productIds.length > PAGE) throw new Error(`at most ${PAGE} products per call`);
    const query = new URLSearchParams([...productIds.map((id): [string, string] => ['ids', id]), ['limit', String(PAGE)]]);
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/products?${query.toString()}`);
    } catch (err) {
      if (!(err instanceof UpstreamRejection)) throw err;
      throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', `product-service refused the price lookup (${err.status})`, {
        cause: err,
      });
    }
    const parsed = ListingAnswer.safeParse(body);
    if (!parsed.success) throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'product-service answered outside its contract');
    return new Map(
      parsed.data.data
        .filter((product) => product.active)
        .map((product) => [product.id, { productId: product.id, name: product.name, price: product.price, mrp: product.mrp }]),
    );
  }
}
