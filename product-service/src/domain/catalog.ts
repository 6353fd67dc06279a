import type { DataSource, Tx } from '@qc/shared/db';
import type { Emit } from '@qc/shared/events';

/** What the catalog's use cases are given: the schema, its write transactions, and how to drop cached reads. */
export interface Catalog {
  /** For reads. */
  dataSource: DataSource;
  /**
   * One write transaction: the state change and its events commit together (the outbox), and the
   * whole transaction runs again if MySQL rolls it back to break a deadlock.
   */
  write: <T>(work: (tx: Tx, emit: Emit) => Promise<T>) => Promise<T>;
  /**
   * Called after every committed write, so every replica's cached reads are stale at once.
   * It never throws: a failed invalidation is logged and the cache's TTL bounds the staleness.
   */
  changed: () => Promise<void>;
}

export const SOURCE = 'product-service';

export const UNITS = ['g', 'kg', 'ml', 'l', 'pcs'] as const;
export type Unit = (typeof UNITS)[number];

/** DESIGN §3: money is an integer amount of paise; the catalog sells in rupees only. */
export interface Money {
  amount: number;
  currency: 'INR';
}

export interface Category {
  id: string;
  parentId: string | null;
  name: string;
  slug: string;
  position: number;
  createdAt: string;
  updatedAt: string;
}

export interface Product {
  id: string;
  sku: string;
  name: string;
  slug: string;
  brand: string;
  description: string;
  packSize: number;
  unit: Unit;
  mrp: Money;
  price: Money;
  images: string[];
  tags: string[];
  attributes: Record<string, string>;
  active: boolean;
  categoryIds: string[];
  popularity: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The fields an admin sets on a product; `changed` in `product.updated` names these. */
export const EDITABLE_PRODUCT_FIELDS = [
  'sku',
  'name',
  'slug',
  'brand',
  'description',
  'packSize',
  'unit',
  'mrp',
  'price',
  'images',
  'tags',
  'attributes',
  'active',
  'categoryIds',
] as const satisfies readonly (keyof Product)[];
export type EditableProductField = (typeof EDITABLE_PRODUCT_FIELDS)[number];
export type ProductFields = Pick<Product, EditableProductField>;
