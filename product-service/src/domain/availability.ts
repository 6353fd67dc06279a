import { AppError } from '@qc/shared/http';
import type { Logger } from '@qc/shared/logging';
import type { Product } from './catalog';
import { storeNotFound } from './catalog.errors';

/** inventory-service's bulk availability, as product-service needs it. */
export interface StockLookup {
  /**
   * Units available per product at the store; null when inventory does not know the store, an
   * `unavailable` AppError when it cannot answer.
   */
  available(storeId: string, productIds: string[]): Promise<Map<string, number> | null>;
}

/** location-service's serviceability: which dark store delivers to a point, if any. */
export interface StoreLocator {
  storeServing(lat: number, lng: number): Promise<string | null>;
}

export interface AvailabilitySources {
  stock: StockLookup;
  stores: StoreLocator;
  logger: Logger;
}

export type Whereabouts = { storeId: string } | { lat: number; lng: number };

export type Availability =
  | { status: 'live'; storeId: string; available: Map<string, number> }
  /** No store delivers to the caller's point: nothing is available there. */
  | { status: 'unserviceable' }
  /** Location or inventory did not answer in time: the listing goes out without availability. */
  | { status: 'unavailable'; storeId: string | null };

/**
 * Live availability of a page of products at the caller's store, with at most two calls (where
 * the store is, then one bulk stock read). A dependency that is down or slow degrades the answer
 * instead of failing it (DESIGN §8); only an unknown store the caller named is their error.
 */
export async function availabilityAt(sources: AvailabilitySources, where: Whereabouts, productIds: string[]): Promise<Availability> {
  let storeId: string | null = 'storeId' in where ? where.storeId : null;
  try {
    if (!('storeId' in where)) {
      storeId = await sources.stores.storeServing(where.lat, where.lng);
      if (!storeId) return { status: 'unserviceable' };
    }
    const available = productIds.length > 0 ? await sources.stock.available(storeId!, productIds) : new Map<string, number>();
    if (!available) throw storeNotFound(storeId!);
    return { status: 'live', storeId: storeId!, available };
  } catch (err) {
    if (err instanceof AppError && err.kind === 'unavailable') {
      sources.logger.warn({ err: err.message, storeId }, 'availability unavailable; answering without it');
      return { status: 'unavailable', storeId };
    }
    throw err;
  }
}

/** A product with its live stock at the caller's store, when there was a live answer. */
export type StockedProduct<P extends Product = Product> = P & { available?: number; inStock?: boolean };

export interface StockedProducts<P extends Product = Product> {
  items: StockedProduct<P>[];
  /** How live the answer is: `live`, or why the items carry no stock. */
  availability: Availability['status'];
  /** The store the stock is from; null when no store delivers to the caller. */
  storeId: string | null;
}

/** Products with their live stock at the caller's store, in their order; without it when no live answer came. */
export async function stockAt<P extends Product>(
  sources: AvailabilitySources,
  where: Whereabouts,
  products: P[],
): Promise<StockedProducts<P>> {
  const availability = await availabilityAt(
    sources,
    where,
    products.map((product) => product.id),
  );
  const items = products.map((product): StockedProduct<P> => {
    if (availability.status !== 'live') return product;
    const available = availability.available.get(product.id) ?? 0;
    return { ...product, available, inStock: available > 0 };
  });
  return { items, availability: availability.status, storeId: availability.status === 'unserviceable' ? null : availability.storeId };
}
