import { z } from 'zod';
import { ServiceClient, UpstreamRejection } from '@qc/shared/clients';
import type { Catalog, CatalogProduct } from '../domain/context';
import { parseAnswer, refusedBy } from './answers';

const Money = z.object({ amount: z.number().int().min(0), currency: z.literal('INR') });
/** product-service's contract for `GET /api/v1/products?ids=…` (public; inactive products are left out). */
const ProductsAnswer = z.object({
  data: z.array(z.object({ id: z.string(), name: z.string(), price: Money, mrp: Money, active: z.boolean() })),
});

export class ProductClient implements Catalog {
  private readonly client: ServiceClient;

  constructor(baseUrl: string, timeoutMs: number) {
    this.client = new ServiceClient({ service: 'product-service', baseUrl, timeoutMs });
  }

  async products(productIds: string[]): Promise<Map<string, CatalogProduct>> {
    const query = new URLSearchParams([...productIds.map((id): [string, string] => ['ids', id]), ['limit', '100']]);
    let body: unknown;
    try {
      body = await this.client.call(`/api/v1/products?${query}`);
    } catch (err) {
      if (err instanceof UpstreamRejection) throw refusedBy('product-service', err.status, err);
      throw err;
    }
    const products = parseAnswer('product-service', ProductsAnswer, body).data.filter((p) => p.active);
    return new Map(products.map((p) => [p.id, { productId: p.id, name: p.name, price: p.price.amount, mrp: p.mrp.amount }]));
  }
}
