import { isoTime, type Queryable } from '@qc/shared/db';
import type { Category } from '../domain/catalog';

interface CategoryRow {
  id: string;
  parent_id: string | null;
  name: string;
  slug: string;
  position: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, parent_id, name, slug, position, created_at, updated_at';

const toCategory = (r: CategoryRow): Category => ({
  id: r.id,
  parentId: r.parent_id,
  name: r.name,
  slug: r.slug,
  position: Number(r.position),
  createdAt: isoTime(r.created_at),
  updatedAt: isoTime(r.updated_at),
});

/** The whole tree is small (tens of rows), so it is read whole and walked in memory. */
export async function allCategories(db: Queryable, options: { lock?: boolean } = {}): Promise<Category[]> {
  const rows = (await db.query(`SELECT ${COLUMNS} FROM categories ORDER BY id${options.lock ? ' FOR UPDATE' : ''}`)) as CategoryRow[];
  return rows.map(toCategory);
}

export async function existingCategoryIds(db: Queryable, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = (await db.query('SELECT id FROM categories WHERE id IN (?)', [ids])) as { id: string }[];
  return rows.map((r) => r.id);
}

export async function findCategory(db: Queryable, idOrSlug: string, options: { lock?: boolean } = {}): Promise<Category | undefined> {
  const rows = (await db.query(`SELECT ${COLUMNS} FROM categories WHERE id = ? OR slug = ?${options.lock ? ' FOR UPDATE' : ''}`, [
    idOrSlug,
    idOrSlug,
  ])) as CategoryRow[];
  return rows[0] && toCategory(rows[0]);
}

/** Where a new category goes among its siblings when no position is given: last. */
export async function nextPosition(db: Queryable, parentId: string | null): Promise<number> {
  const [row] = (await db.query('SELECT COALESCE(MAX(position), 0) + 1 AS next FROM categories WHERE parent_id <=> ?', [parentId])) as {
    next: number | string;
  }[];
  return Number(row?.next ?? 1);
}

export async function insertCategory(db: Queryable, c: Pick<Category, 'id' | 'parentId' | 'name' | 'slug' | 'position'>): Promise<void> {
  await db.query('INSERT INTO categories (id, parent_id, name, slug, position) VALUES (?, ?, ?, ?, ?)', [
    c.id,
    c.parentId,
    c.name,
    c.slug,
    c.position,
  ]);
}

export async function updateCategory(db: Queryable, c: Pick<Category, 'id' | 'parentId' | 'name' | 'slug' | 'position'>): Promise<void> {
  await db.query('UPDATE categories SET parent_id = ?, name = ?, slug = ?, position = ? WHERE id = ?', [
    c.parentId,
    c.name,
    c.slug,
    c.position,
    c.id,
  ]);
}

/**
 * Children and live products, read with locks so what is counted cannot change before the delete;
 * the foreign keys stay the last word (a refused delete is a conflict too).
 */
export async function categoryUsage(db: Queryable, id: string): Promise<{ children: number; products: number }> {
  const children = (await db.query('SELECT id FROM categories WHERE parent_id = ? FOR UPDATE', [id])) as unknown[];
  const products = (await db.query(
    `SELECT pc.product_id FROM product_categories pc JOIN products p ON p.id = pc.product_id
      WHERE pc.category_id = ? AND p.deleted_at IS NULL FOR UPDATE`,
    [id],
  )) as unknown[];
  return { children: children.length, products: products.length };
}

/** Deleted products keep their links for the record; they must not block deleting the category. */
export async function deleteCategory(db: Queryable, id: string): Promise<void> {
  await db.query(
    `DELETE pc FROM product_categories pc JOIN products p ON p.id = pc.product_id
      WHERE pc.category_id = ? AND p.deleted_at IS NOT NULL`,
    [id],
  );
  await db.query('DELETE FROM categories WHERE id = ?', [id]);
}
