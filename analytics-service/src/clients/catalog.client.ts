import { ServiceClient } from '@qc/shared/clients';
import type { AnalyticsSettings } from '../config';

interface Envelope<T> {
  data: T;
  meta?: { nextCursor?: string | null };
}
interface CategoryNode {
  id: string;
  name: string;
  children: CategoryNode[];
}

export interface ProductInfo {
  name: string;
  categoryId: string | null;
}

/** How long names fetched from the catalog are reused: they change rarely, and only label rows. */
const NAMES_TTL_MS = 5 * 60_000;
const PAGE = 100;

/**
 * Names for what the rollups count by id: products and their category from product-service,
 * stores from inventory-service. Public reads, cached for a few minutes; a caller that cannot reach
 * them shows ids (see Catalog in domain/metrics).
 */
export class CatalogClient {
  private readonly products: ServiceClient;
  private readonly inventory: ServiceClient;
  private readonly productCache = new Map<string, { info: ProductInfo | null; at: number }>();
  private categories: { names: Map<string, string>; at: number } | undefined;
  private stores: { names: Map<string, string>; at: number } | undefined;

  constructor(settings: AnalyticsSettings) {
    const timeoutMs = settings.DEPENDENCY_TIMEOUT_MS;
    this.products = new ServiceClient({ service: 'product-service', baseUrl: settings.PRODUCT_SERVICE_URL, timeoutMs });
    this.inventory = new ServiceClient({ service: 'inventory-service', baseUrl: settings.INVENTORY_SERVICE_URL, timeoutMs });
  }

  /** Name and category of each product asked for; unknown ids (deleted products) map to null. */
  async productsById(ids: string[]): Promise<Map<string, ProductInfo | null>> {
    const now = Date.now();
    const missing = ids.filter((id) => (this.productCache.get(id)?.at ?? 0) < now - NAMES_TTL_MS);
    for (let i = 0; i < missing.length; i += PAGE) {
      const batch = missing.slice(i, i + PAGE);
      const query = new URLSearchParams([...batch.map((id): [string, string] => ['ids', id]), ['limit', String(PAGE)]]);
      const page = await this.products.call<Envelope<{ id: string; name: string; categoryIds: string[] }[]>>(`/api/v1/products?${query}`);
      const found = new Map(page.data.map((p) => [p.id, p]));
      for (const id of batch) {
        const product = found.get(id);
        this.productCache.set(id, { info: product ? { name: product.name, categoryId: product.categoryIds[0] ?? null } : null, at: now });
      }
    }
    // Bounded: the catalog has hundreds of products, not millions; start afresh if it ever grows.
    if (this.productCache.size > 50_000) this.productCache.clear();
    return new Map(ids.map((id) => [id, this.productCache.get(id)?.info ?? null]));
  }

  async categoryNames(): Promise<Map<string, string>> {
    if (this.categories && this.categories.at > Date.now() - NAMES_TTL_MS) return this.categories.names;
    const tree = await this.products.call<Envelope<CategoryNode[]>>('/api/v1/categories');
    const names = new Map<string, string>();
    const visit = (nodes: CategoryNode[]) => nodes.forEach((n) => (names.set(n.id, n.name), visit(n.children)));
    visit(tree.data);
    this.categories = { names, at: Date.now() };
    return names;
  }

  async storeNames(): Promise<Map<string, string>> {
    if (this.stores && this.stores.at > Date.now() - NAMES_TTL_MS) return this.stores.names;
    const names = new Map<string, string>();
    for (let cursor: string | null | undefined = undefined; ;) {
      const query = new URLSearchParams({ limit: String(PAGE), ...(cursor ? { cursor } : {}) });
      const page: Envelope<{ id: string; name: string }[]> = await this.inventory.call(`/api/v1/stores?${query}`);
      for (const store of page.data) names.set(store.id, store.name);
      cursor = page.meta?.nextCursor;
      if (!cursor) break;
    }
    this.stores = { names, at: Date.now() };
    return names;
  }

  shutdown(): void {
    this.products.shutdown();
    this.inventory.shutdown();
  }
}
