import type { DataSource } from '@qc/shared/db';
import type { Outbox } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import type { CartCache } from '../data/cart-cache';
import type { CartLimits } from './cart-limits';
import type { ProductQuote } from './cart-pricing';

/**
 * product-service's catalog: today's price of each product it sells. Products it does not sell
 * (unknown, deleted, inactive) are absent. An `unavailable` AppError when it cannot answer.
 */
export interface Catalog {
  quotes(productIds: string[]): Promise<Map<string, ProductQuote>>;
}

/**
 * inventory-service's bulk availability: null when it does not know the store, an `unavailable`
 * AppError when it cannot answer.
 */
export interface StockLookup {
  available(storeId: string, productIds: string[]): Promise<Map<string, number> | null>;
}

/** location-service's serviceability: which dark store delivers to a point, if any. */
export interface StoreLocator {
  storeServing(lat: number, lng: number): Promise<string | null>;
}

/** user-service's address book, read with the customer's own token: their address, or null when it is not theirs. */
export interface AddressBook {
  addressOf(addressId: string, authorization: string): Promise<{ lat: number; lng: number } | null>;
}

/** What the cart use cases work with; built once per running service. */
export interface CartContext {
  db: DataSource;
  outbox: Outbox;
  cache: CartCache;
  catalog: Catalog;
  stock: StockLookup;
  stores: StoreLocator;
  addresses: AddressBook;
  limits: CartLimits;
  logger: Logger;
}
