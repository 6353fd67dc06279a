import { ServiceClient } from '@qc/shared/clients';
import type { AnalyticsSettings } from '../config';

interface Page<T> {
  data: T[];
  meta: { nextCursor: string | null };
}

/** A movement of inventory-service's ledger, as its movements API shows it. */
export interface LedgerMovement {
  storeId: string;
  productId: string;
  delta: number;
  reason: string;
  orderId: string | null;
}

const PAGE = 100;

/**
 * What the source services themselves record, read through their admin APIs with an admin's
 * token: order-service's delivered orders and inventory-service's movement ledger. Reconciliation
 * compares the rollups with these.
 */
export class SourcesClient {
  private readonly orders: ServiceClient;
  private readonly inventory: ServiceClient;
  private readonly headers: Record<string, string>;

  constructor(settings: AnalyticsSettings, accessToken: string) {
    const timeoutMs = Math.max(settings.DEPENDENCY_TIMEOUT_MS, 10_000);
    this.orders = new ServiceClient({ service: 'order-service', baseUrl: settings.ORDER_SERVICE_URL, timeoutMs });
    this.inventory = new ServiceClient({ service: 'inventory-service', baseUrl: settings.INVENTORY_SERVICE_URL, timeoutMs });
    this.headers = { authorization: `Bearer ${accessToken}` };
  }

  private async *pages<T>(client: ServiceClient, path: string, query: Record<string, string>): AsyncGenerator<T> {
    for (let cursor: string | null = null; ;) {
      const params = new URLSearchParams({ ...query, limit: String(PAGE), ...(cursor ? { cursor } : {}) });
      const page: Page<T> = await client.call(`${path}?${params}`, { headers: this.headers });
      yield* page.data;
      cursor = page.meta.nextCursor;
      if (!cursor) return;
    }
  }

  /** Total (paise) of every order order-service holds as DELIVERED, by order id. */
  async deliveredOrderTotals(storeId?: string): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    const query = { status: 'DELIVERED', ...(storeId ? { storeId } : {}) };
    for await (const order of this.pages<{ id: string; pricing: { total: { amount: number } } }>(this.orders, '/api/v1/orders', query)) {
      totals.set(order.id, order.pricing.total.amount);
    }
    return totals;
  }

  /** Every movement of the ledger tied to an order, at one store or at all of them. */
  async orderMovements(storeId?: string): Promise<LedgerMovement[]> {
    const stores: string[] = [];
    if (storeId) stores.push(storeId);
    else for await (const store of this.pages<{ id: string }>(this.inventory, '/api/v1/stores', {})) stores.push(store.id);
    const movements: LedgerMovement[] = [];
    for (const store of stores) {
      for await (const m of this.pages<LedgerMovement>(this.inventory, `/api/v1/inventory/stores/${store}/movements`, {})) {
        if (m.orderId) movements.push(m);
      }
    }
    return movements;
  }

  shutdown(): void {
    this.orders.shutdown();
    this.inventory.shutdown();
  }
}
