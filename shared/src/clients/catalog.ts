import { z } from 'zod';
import { parseAnswer, refusedBy } from './answers';
import { ServiceClient, UpstreamRejection } from './service-client';

const SERVICE = 'product-service';

const Money = z.object({ amount: z.number().int().min(0), currency: z.literal('INR') });

/** product-service's contract for `GET /api/v1/products?ids=…` (public; inactive products are left out). */
const ProductsAnswer = z.object({
  data: z.array(z.object({ id: z.string(), name: z.string(), price: Money, mrp: Money, active: z.boolean() })),
});

/** The listing's page size limit, and so the most ids one call asks for. */
const PAGE = 100;

/** A product the catalog sells, at today's price. */
export interface CatalogProduct {
  productId: string;
  name: string;
  price: z.output<typeof Money>;
  mrp: z.output<typeof Money>;
}

/** product-service's catalog, read by product ids. */
export class CatalogClient {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: SERVICE, baseUrl, timeoutMs });
  }

  /**
   * The active products among `productIds` (at most 100, the page size limit), from one call; a
   * product missing from the answer is not for sale. An `unavailable` AppError when the catalog
   * cannot answer.
   */
  async products(productIds: string[]): Promise<Map<string, CatalogProduct>> {
    if (productIds.length > PAGE) throw new Error(`at most ${PAGE} products per call`);
    const query = new URLSearchParams([...productIds.map((id): [string, string] => ['ids', id]), ['limit', String(PAGE)]]);
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/products?${query.toString()}`);
    } catch (err) {
      if (err instanceof UpstreamRejection) throw refusedBy(SERVICE, err.status, err);
      throw err;
    }
    return new Map(
      parseAnswer(SERVICE, ProductsAnswer, body)
        .data.filter((product) => product.active)
        .map((product) => [product.id, { productId: product.id, name: product.name, price: product.price, mrp: product.mrp }]),
    );
  }
}
