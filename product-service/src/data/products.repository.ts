import { isoTime, type Queryable } from '@qc/shared/db';
import type { Product, ProductFields, Unit } from '../domain/catalog';
import type { KeyValue, OrderKey, SortKey } from '../domain/listing-order';
import type { SearchPlan } from '../domain/product-rules';

interface ProductRow {
  id: string;
  created_at: Date;
  updated_at: Date;
  version: number;
  sku: string;
  name: string;
  slug: string;
  brand: string;
  description: string;
  pack_size: string | number;
  unit: string;
  mrp_paise: number;
  price_paise: number;
  images: string;
  tags: string;
  attributes: string;
  active: number;
  popularity: number;
  relevance?: number | null;
}

const COLUMNS =
  'p.id, p.created_at, p.updated_at, p.version, p.sku, p.name, p.slug, p.brand, p.description, p.pack_size, p.unit, ' +
  'p.mrp_paise, p.price_paise, p.images, p.tags, p.attributes, p.active, p.popularity';

function toProduct(r: ProductRow, categoryIds: string[]): Product {
  return {
    id: r.id,
    sku: r.sku,
    name: r.name,
    slug: r.slug,
    brand: r.brand,
    description: r.description,
    packSize: Number(r.pack_size),
    unit: r.unit as Unit,
    mrp: { amount: Number(r.mrp_paise), currency: 'INR' },
    price: { amount: Number(r.price_paise), currency: 'INR' },
    images: JSON.parse(r.images) as string[],
    tags: JSON.parse(r.tags) as string[],
    attributes: JSON.parse(r.attributes) as Record<string, string>,
    active: Number(r.active) === 1,
    categoryIds,
    popularity: Number(r.popularity),
    version: Number(r.version),
    createdAt: isoTime(r.created_at),
    updatedAt: isoTime(r.updated_at),
  };
}

async function withCategories(db: Queryable, rows: ProductRow[]): Promise<Product[]> {
  if (rows.length === 0) return [];
  const links = (await db.query(
    'SELECT product_id, category_id FROM product_categories WHERE product_id IN (?) ORDER BY product_id, category_id',
    [rows.map((r) => r.id)],
  )) as { product_id: string; category_id: string }[];
  const byProduct = new Map<string, string[]>();
  for (const l of links) byProduct.set(l.product_id, [...(byProduct.get(l.product_id) ?? []), l.category_id]);
  return rows.map((r) => toProduct(r, byProduct.get(r.id) ?? []));
}

/** Words the full-text index sees for the tags ("high-protein" → "high protein"). */
const tagsText = (tags: string[]) => tags.join(' ').replace(/-/g, ' ');

function productValues(f: ProductFields) {
  return [
    f.sku,
    f.name,
    f.slug,
    f.brand,
    f.description,
    f.packSize,
    f.unit,
    f.mrp.amount,
    f.price.amount,
    JSON.stringify(f.images),
    JSON.stringify(f.tags),
    tagsText(f.tags),
    JSON.stringify(f.attributes),
    f.active ? 1 : 0,
  ];
}

async function linkProduct(db: Queryable, productId: string, categoryIds: string[], tags: string[]): Promise<void> {
  if (categoryIds.length > 0) {
    await db.query('INSERT INTO product_categories (product_id, category_id) VALUES ?', [categoryIds.map((c) => [productId, c])]);
  }
  if (tags.length > 0) await db.query('INSERT INTO product_tags (product_id, tag) VALUES ?', [tags.map((t) => [productId, t])]);
}

/** `popularity` is the product's starting popularity (the demo seed's; 0 through the API): sales add to it. */
export async function insertProduct(db: Queryable, id: string, fields: ProductFields, popularity: number): Promise<void> {
  await db.query(
    `INSERT INTO products (id, sku, name, slug, brand, description, pack_size, unit, mrp_paise, price_paise, images, tags,
       tags_text, attributes, active, base_popularity, popularity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [id, ...productValues(fields), popularity, popularity],
  );
  await linkProduct(db, id, fields.categoryIds, fields.tags);
}

/** Writes the new fields and bumps the version, only if the row is still at `version`. */
export async function updateProduct(db: Queryable, id: string, version: number, fields: ProductFields): Promise<boolean> {
  const result = (await db.query(
    `UPDATE products SET sku = ?, name = ?, slug = ?, brand = ?, description = ?, pack_size = ?, unit = ?, mrp_paise = ?,
       price_paise = ?, images = ?, tags = ?, tags_text = ?, attributes = ?, active = ?, version = version + 1
     WHERE id = ? AND version = ? AND deleted_at IS NULL`,
    [...productValues(fields), id, version],
  )) as { affectedRows: number };
  if (result.affectedRows !== 1) return false;
  await db.query('DELETE FROM product_categories WHERE product_id = ?', [id]);
  await db.query('DELETE FROM product_tags WHERE product_id = ?', [id]);
  await linkProduct(db, id, fields.categoryIds, fields.tags);
  return true;
}

export async function softDeleteProduct(db: Queryable, id: string): Promise<boolean> {
  const result = (await db.query(
    'UPDATE products SET deleted_at = CURRENT_TIMESTAMP(3), version = version + 1 WHERE id = ? AND deleted_at IS NULL',
    [id],
  )) as { affectedRows: number };
  return result.affectedRows === 1;
}

export interface FindOptions {
  includeInactive?: boolean;
  /** Lock the row for the rest of the transaction (a read-modify-write). */
  lock?: boolean;
}

/** A live product by id, or by slug when `by` says so. */
export async function findProduct(
  db: Queryable,
  by: 'id' | 'slug',
  value: string,
  options: FindOptions = {},
): Promise<Product | undefined> {
  const rows = (await db.query(
    `SELECT ${COLUMNS} FROM products p WHERE p.${by === 'id' ? 'id' : 'live_slug'} = ? AND p.deleted_at IS NULL
     ${options.includeInactive ? '' : 'AND p.active = 1'}${options.lock ? ' FOR UPDATE' : ''}`,
    [value],
  )) as ProductRow[];
  return (await withCategories(db, rows))[0];
}

export interface ProductFilter {
  search?: SearchPlan | undefined;
  categoryIds?: string[] | undefined;
  brands?: string[] | undefined;
  tags?: string[] | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  ids?: string[] | undefined;
  includeInactive?: boolean;
}

export type ListedProduct = Product & { relevance?: number };

interface Fragment {
  sql: string;
  params: unknown[];
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');

/**
 * Relevance: InnoDB's natural-language score, as an integer so a cursor can carry it exactly; for
 * a prefix search, whether the name or brand starts with it.
 */
function relevanceOf(search: SearchPlan | undefined): Fragment {
  if (!search) return { sql: '0', params: [] };
  if (search.mode === 'fulltext') {
    return {
      sql: 'FLOOR(MATCH(p.name, p.brand, p.description, p.tags_text) AGAINST (? IN NATURAL LANGUAGE MODE) * 1000000000)',
      params: [search.terms],
    };
  }
  const starts = `${escapeLike(search.prefix)}%`;
  return { sql: '(CASE WHEN p.name LIKE ? OR p.brand LIKE ? THEN 2 ELSE 1 END)', params: [starts, starts] };
}

function keyExpression(key: SortKey, relevance: Fragment): Fragment {
  switch (key) {
    case 'relevance':
      return relevance;
    case 'price':
      return { sql: 'p.price_paise', params: [] };
    case 'popularity':
      return { sql: 'p.popularity', params: [] };
    case 'createdAt':
      return { sql: 'p.created_at', params: [] };
    case 'id':
      return { sql: 'p.id', params: [] };
  }
}

/** `(k1 > v1) OR (k1 = v1 AND k2 > v2) OR …`: strictly after the last row, in the listing's order. */
function keysetAfter(order: OrderKey[], values: KeyValue[], relevance: Fragment): Fragment {
  const alternatives: Fragment[] = order.map((o, i) => {
    const parts: Fragment[] = order.slice(0, i + 1).map((prev, j) => {
      const expr = keyExpression(prev.key, relevance);
      const op = j < i ? '=' : prev.dir === 'asc' ? '>' : '<';
      const raw = values[j];
      const value = prev.key === 'createdAt' ? new Date(String(raw)) : raw;
      return { sql: `${expr.sql} ${op} ?`, params: [...expr.params, value] };
    });
    return { sql: `(${parts.map((p) => p.sql).join(' AND ')})`, params: parts.flatMap((p) => p.params) };
  });
  return { sql: `(${alternatives.map((a) => a.sql).join(' OR ')})`, params: alternatives.flatMap((a) => a.params) };
}

/** One page of the catalog: `limit` rows after `after` in `order`, with every filter applied in SQL. */
export async function listProducts(
  db: Queryable,
  filter: ProductFilter,
  order: OrderKey[],
  after: KeyValue[] | undefined,
  limit: number,
): Promise<ListedProduct[]> {
  const relevance = relevanceOf(filter.search);
  const where: Fragment[] = [{ sql: 'p.deleted_at IS NULL', params: [] }];
  if (!filter.includeInactive) where.push({ sql: 'p.active = 1', params: [] });
  if (filter.search?.mode === 'fulltext') {
    where.push({
      sql: 'MATCH(p.name, p.brand, p.description, p.tags_text) AGAINST (? IN NATURAL LANGUAGE MODE)',
      params: [filter.search.terms],
    });
  } else if (filter.search?.mode === 'prefix') {
    const prefix = escapeLike(filter.search.prefix);
    where.push({ sql: '(p.name LIKE ? OR p.name LIKE ? OR p.brand LIKE ?)', params: [`${prefix}%`, `% ${prefix}%`, `${prefix}%`] });
  }
  if (filter.categoryIds) {
    where.push({
      sql: 'EXISTS (SELECT 1 FROM product_categories pc WHERE pc.product_id = p.id AND pc.category_id IN (?))',
      params: [filter.categoryIds],
    });
  }
  if (filter.brands?.length) where.push({ sql: 'p.brand IN (?)', params: [filter.brands] });
  if (filter.tags?.length) {
    const tags = [...new Set(filter.tags)];
    where.push({
      sql: '(SELECT COUNT(*) FROM product_tags t WHERE t.product_id = p.id AND t.tag IN (?)) = ?',
      params: [tags, tags.length],
    });
  }
  if (filter.minPrice !== undefined) where.push({ sql: 'p.price_paise >= ?', params: [filter.minPrice] });
  if (filter.maxPrice !== undefined) where.push({ sql: 'p.price_paise <= ?', params: [filter.maxPrice] });
  if (filter.ids?.length) where.push({ sql: 'p.id IN (?)', params: [filter.ids] });
  if (after) where.push(keysetAfter(order, after, relevance));

  const orderBy = order.map((o) => keyExpression(o.key, relevance));
  const sql = `SELECT ${COLUMNS}, ${relevance.sql} AS relevance FROM products p
    WHERE ${where.map((w) => w.sql).join(' AND ')}
    ORDER BY ${orderBy.map((e, i) => `${e.sql} ${order[i]!.dir.toUpperCase()}`).join(', ')}
    LIMIT ?`;
  const params = [...relevance.params, ...where.flatMap((w) => w.params), ...orderBy.flatMap((e) => e.params), limit];
  const rows = (await db.query(sql, params)) as ProductRow[];
  const products = await withCategories(db, rows);
  return products.map((p, i) => (filter.search ? { ...p, relevance: Number(rows[i]!.relevance ?? 0) } : p));
}

export interface Suggestion {
  id: string;
  name: string;
  slug: string;
  brand: string;
  price: { amount: number; currency: 'INR' };
  image: string | null;
}

/**
 * Typeahead: names or brands that start with the prefix, or names with a word that does; those
 * that start with it first, then the most popular. Works for one or two letters, unlike full-text.
 */
export async function suggestProducts(db: Queryable, prefix: string, limit: number): Promise<Suggestion[]> {
  const starts = `${escapeLike(prefix)}%`;
  const rows = (await db.query(
    `SELECT p.id, p.name, p.slug, p.brand, p.price_paise, p.images FROM products p
      WHERE p.deleted_at IS NULL AND p.active = 1 AND (p.name LIKE ? OR p.brand LIKE ? OR p.name LIKE ?)
      ORDER BY (p.name LIKE ? OR p.brand LIKE ?) DESC, p.popularity DESC, p.id
      LIMIT ?`,
    [starts, starts, `% ${starts}`, starts, starts, limit],
  )) as Pick<ProductRow, 'id' | 'name' | 'slug' | 'brand' | 'price_paise' | 'images'>[];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    slug: r.slug,
    brand: r.brand,
    price: { amount: Number(r.price_paise), currency: 'INR' },
    image: (JSON.parse(r.images) as string[])[0] ?? null,
  }));
}

/** Ids that exist, deleted or not: an id is never reused, even after a soft delete. */
export async function knownProductIds(db: Queryable, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = (await db.query('SELECT id FROM products WHERE id IN (?)', [ids])) as { id: string }[];
  return rows.map((r) => r.id);
}
