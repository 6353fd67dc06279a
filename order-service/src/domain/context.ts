import type { DataSource } from '@qc/shared/db';
import type { Outbox } from '@qc/shared/events';
import type { FeeSettings } from './pricing';

/** A product as the catalog prices it now (paise). */
export interface CatalogProduct {
  productId: string;
  name: string;
  price: number;
  mrp: number;
}

export interface Catalog {
  /** The active products among `productIds`; a product missing from the answer is not for sale. */
  products(productIds: string[]): Promise<Map<string, CatalogProduct>>;
}

export interface Addresses {
  /** The caller's address (their token relayed), or null when it is not theirs or does not exist. */
  address(addressId: string, authorization: string): Promise<{ lat: number; lng: number } | null>;
}

export interface StoreLocator {
  /**
   * The dark store delivering to a point, the zone the point fell in (null if location-service did
   * not name it) and whether the store is open, or null when nobody delivers there.
   */
  storeFor(point: { lat: number; lng: number }): Promise<{ storeId: string; zoneId: string | null; open: boolean } | null>;
}

export interface CartLine {
  productId: string;
  quantity: number;
}

export interface Carts {
  /** The caller's cart lines (their token relayed). */
  linesOf(authorization: string): Promise<CartLine[]>;
  /** Adds a line to the caller's cart; the reason cart-service refused it, or null when added. */
  add(authorization: string, line: CartLine): Promise<string | null>;
}

/** What the order use cases work with; built once per service in service.ts. */
export interface OrderContext {
  db: DataSource;
  outbox: Outbox;
  fees: FeeSettings;
  catalog: Catalog;
  addresses: Addresses;
  stores: StoreLocator;
  carts: Carts;
  now: () => Date;
}
