import type { Principal } from '@qc/shared/auth';
import { newId, type Queryable, duplicateKeyOf, foreignKeyFailure } from '@qc/shared/db';
import { newEvent } from '@qc/shared/events';
import { AppError } from '@qc/shared/http';
import { allCategories, existingCategoryIds } from '../data/categories.repository';
import {
  findProduct,
  insertProduct,
  listProducts,
  softDeleteProduct,
  suggestProducts,
  updateProduct,
  type Suggestion,
} from '../data/products.repository';
import { EDITABLE_PRODUCT_FIELDS, SOURCE, type Catalog, type Money, type Product, type ProductFields, type Unit } from './catalog';
import { categoryNotFound, productNotFound, taken, unknownCategories, versionConflict } from './catalog.errors';
import { descendantIds } from './category-tree';
import { ORDERS, keysAfter, positionAfter, type Sort } from './listing-order';
import { assertPriceWithinMrp, changedFields, isUuid, searchPlan, slugFor } from './product-rules';

export interface NewProduct {
  sku: string;
  name: string;
  slug?: string | undefined;
  brand: string;
  description?: string | undefined;
  packSize: number;
  unit: Unit;
  mrp: Money;
  price: Money;
  images?: string[] | undefined;
  tags?: string[] | undefined;
  attributes?: Record<string, string> | undefined;
  active?: boolean | undefined;
  categoryIds: string[];
}

/** What demo seeding fixes that the API leaves to the service: the id and a starting popularity. */
export interface SeedOptions {
  id?: string;
  popularity?: number;
}

/** A PATCH: any editable fields, and the version the change was made against. */
export type ProductChange = Partial<ProductFields> & { version: number };

const unique = <T>(values: T[]) => [...new Set(values)];

/** Ids and slugs share the path segment; a slug can never look like an id. */
const lookup = (idOrSlug: string): ['id' | 'slug', string] => [isUuid(idOrSlug) ? 'id' : 'slug', idOrSlug.toLowerCase()];

async function assertCategoriesExist(db: Queryable, ids: string[]): Promise<void> {
  const found = new Set(await existingCategoryIds(db, ids));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw unknownCategories(missing);
}

function rethrowConstraint(err: unknown, fields: Pick<ProductFields, 'sku' | 'slug' | 'categoryIds'>): never {
  const key = duplicateKeyOf(err);
  if (key !== undefined) throw key.includes('slug') ? taken('slug', fields.slug) : taken('sku', fields.sku);
  // A category deleted between our check and the insert.
  if (foreignKeyFailure(err) === 'missing_parent') throw unknownCategories(fields.categoryIds);
  throw err;
}

export async function createProduct(catalog: Catalog, input: NewProduct, seed: SeedOptions = {}): Promise<Product> {
  const fields: ProductFields = {
    sku: input.sku,
    name: input.name,
    slug: slugFor(input.name, input.slug),
    brand: input.brand,
    description: input.description ?? '',
    packSize: input.packSize,
    unit: input.unit,
    mrp: input.mrp,
    price: input.price,
    images: input.images ?? [],
    tags: unique(input.tags ?? []),
    attributes: input.attributes ?? {},
    active: input.active ?? true,
    categoryIds: unique(input.categoryIds),
  };
  assertPriceWithinMrp(fields.price, fields.mrp);
  const id = seed.id ?? newId();
  const product = await catalog
    .write(async (tx, emit) => {
      await assertCategoriesExist(tx, fields.categoryIds);
      await insertProduct(tx, id, fields, seed.popularity ?? 0);
      emit(
        newEvent(
          SOURCE,
          'product.created',
          { productId: id, sku: fields.sku, name: fields.name, price: fields.price, mrp: fields.mrp },
          { subject: id },
        ),
      );
      return (await findProduct(tx, 'id', id, { includeInactive: true }))!;
    })
    .catch((err: unknown) => rethrowConstraint(err, fields));
  await catalog.changed();
  return product;
}

/**
 * Optimistic concurrency: the change names the version it was made against, and a product that
 * moved on since is a 409, so one admin never silently overwrites another's edit.
 */
export async function changeProduct(catalog: Catalog, idOrSlug: string, change: ProductChange): Promise<Product> {
  let next: ProductFields | undefined;
  const result = await catalog
    .write(async (tx, emit) => {
      const current = await findProduct(tx, ...lookup(idOrSlug), { includeInactive: true, lock: true });
      if (!current) throw productNotFound(idOrSlug);
      const id = current.id;
      if (current.version !== change.version) throw versionConflict(change.version, current.version);
      const { version: _version, ...given } = change;
      const merged = Object.fromEntries(
        EDITABLE_PRODUCT_FIELDS.map((field) => [field, given[field] === undefined ? current[field] : given[field]]),
      ) as unknown as ProductFields;
      next = {
        ...merged,
        slug: given.slug === undefined ? current.slug : slugFor(merged.name, given.slug),
        tags: unique(merged.tags),
        categoryIds: unique(merged.categoryIds),
      };
      assertPriceWithinMrp(next.price, next.mrp);
      const changed = changedFields(current, next);
      if (changed.length === 0) return { product: current, changed };
      if (changed.includes('categoryIds')) await assertCategoriesExist(tx, next.categoryIds);
      await updateProduct(tx, id, current.version, next);
      emit(newEvent(SOURCE, 'product.updated', { productId: id, changed }, { subject: id }));
      return { product: (await findProduct(tx, 'id', id, { includeInactive: true }))!, changed };
    })
    .catch((err: unknown) =>
      rethrowConstraint(err, next ?? { sku: change.sku ?? '', slug: change.slug ?? '', categoryIds: change.categoryIds ?? [] }),
    );
  if (result.changed.length > 0) await catalog.changed();
  return result.product;
}

/** Soft delete: the row stays for orders that refer to it, but it leaves the catalog and frees its SKU and slug. */
export async function deleteProduct(catalog: Catalog, idOrSlug: string): Promise<void> {
  await catalog.write(async (tx, emit) => {
    const product = await findProduct(tx, ...lookup(idOrSlug), { includeInactive: true, lock: true });
    if (!product || !(await softDeleteProduct(tx, product.id))) throw productNotFound(idOrSlug);
    emit(newEvent(SOURCE, 'product.deleted', { productId: product.id }, { subject: product.id }));
  });
  await catalog.changed();
}

/** Admins see inactive products too, to edit them; everyone else sees the live catalog. */
export const seesInactiveProducts = (reader: Principal | undefined): boolean => reader?.role === 'admin';

/** One product by id or slug; an inactive one only for a reader who sees those. */
export async function productByIdOrSlug(catalog: Catalog, idOrSlug: string, reader?: Principal): Promise<Product> {
  const product = await findProduct(catalog.dataSource, ...lookup(idOrSlug), { includeInactive: seesInactiveProducts(reader) });
  if (!product) throw productNotFound(idOrSlug);
  return product;
}

export interface BrowseQuery {
  q?: string | undefined;
  /** A category id or slug; the listing covers it and every category below it. */
  category?: string | undefined;
  brands?: string[] | undefined;
  tags?: string[] | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  ids?: string[] | undefined;
  sort?: Sort | undefined;
  limit: number;
  /** Where the previous page ended (the decoded cursor). */
  after?: string | undefined;
  /** Inactive products too: only for a reader who sees those. */
  includeInactive?: boolean | undefined;
}

export interface BrowsePage {
  items: Product[];
  sort: Sort;
  /** Where the next page starts, or null on the last page. */
  next: string | null;
}

/** The public listing: filters, one of five orders, keyset pages that stay stable under writes. */
export async function browseProducts(catalog: Catalog, query: BrowseQuery, reader?: Principal): Promise<BrowsePage> {
  if (query.includeInactive && !seesInactiveProducts(reader)) {
    throw new AppError('forbidden', 'FORBIDDEN', 'Only admins may list inactive products');
  }
  const q = query.q?.trim() || undefined;
  const sort: Sort = query.sort ?? (q ? 'relevance' : 'popularity');
  if (sort === 'relevance' && !q) {
    throw new AppError('invalid_input', 'RELEVANCE_NEEDS_QUERY', 'sort=relevance ranks search results: give q', {
      details: [{ path: 'query.sort', message: 'relevance needs q' }],
    });
  }
  if (query.minPrice !== undefined && query.maxPrice !== undefined && query.minPrice > query.maxPrice) {
    throw new AppError('invalid_input', 'INVALID_PRICE_RANGE', 'minPrice is above maxPrice', {
      details: [{ path: 'query.minPrice', message: `${query.minPrice} > ${query.maxPrice}` }],
    });
  }
  let categoryIds: string[] | undefined;
  if (query.category) {
    const categories = await allCategories(catalog.dataSource);
    const wanted = query.category.toLowerCase();
    const category = categories.find((c) => c.id === wanted || c.slug === wanted);
    if (!category) throw categoryNotFound(query.category);
    categoryIds = descendantIds(categories, category.id);
  }
  const rows = await listProducts(
    catalog.dataSource,
    {
      search: q ? searchPlan(q) : undefined,
      categoryIds,
      brands: query.brands,
      tags: query.tags,
      minPrice: query.minPrice,
      maxPrice: query.maxPrice,
      ids: query.ids,
      includeInactive: query.includeInactive ?? false,
    },
    ORDERS[sort],
    keysAfter(sort, query.after),
    query.limit + 1,
  );
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  const next =
    rows.length > query.limit && last
      ? positionAfter(sort, {
          id: last.id,
          price: last.price.amount,
          popularity: last.popularity,
          createdAt: last.createdAt,
          relevance: last.relevance,
        })
      : null;
  return { items: items.map(({ relevance: _relevance, ...product }) => product), sort, next };
}

export async function suggest(catalog: Catalog, q: string, limit: number): Promise<Suggestion[]> {
  return suggestProducts(catalog.dataSource, q.trim(), limit);
}
