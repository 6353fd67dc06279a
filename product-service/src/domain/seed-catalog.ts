import { existingCategoryIds } from '../data/categories.repository';
import { knownProductIds } from '../data/products.repository';
import type { Catalog } from './catalog';
import { createCategory, type NewCategory } from './categories';
import { createProduct, type NewProduct } from './products';

export interface CatalogSeed {
  categories: (NewCategory & { id: string; parentId: string | null })[];
  products: (NewProduct & { id: string; popularity?: number | undefined })[];
}

export interface SeedSummary {
  categories: { created: number; existing: number };
  products: { created: number; existing: number };
}

/** Parents before their children, whatever order the file lists them in. */
function parentsFirst(categories: CatalogSeed['categories']): CatalogSeed['categories'] {
  const placed = new Set<string>();
  const ordered: CatalogSeed['categories'] = [];
  let pending = categories;
  while (pending.length > 0) {
    const ready = pending.filter((c) => c.parentId === null || placed.has(c.parentId) || !pending.some((p) => p.id === c.parentId));
    if (ready.length === 0) throw new Error('the demo categories contain a cycle');
    for (const c of ready) placed.add(c.id);
    ordered.push(...ready);
    pending = pending.filter((c) => !placed.has(c.id));
  }
  return ordered;
}

/**
 * Creates the demo categories and products that are not there yet, through the same use cases as
 * the API (so each product's `product.created` goes through the outbox once). Running it again
 * creates nothing; a product an admin deleted stays deleted.
 */
export async function seedCatalog(catalog: Catalog, seed: CatalogSeed): Promise<SeedSummary> {
  const summary: SeedSummary = { categories: { created: 0, existing: 0 }, products: { created: 0, existing: 0 } };
  const existingCategories = new Set(
    await existingCategoryIds(
      catalog.dataSource,
      seed.categories.map((c) => c.id),
    ),
  );
  for (const category of parentsFirst(seed.categories)) {
    if (existingCategories.has(category.id)) {
      summary.categories.existing++;
      continue;
    }
    await createCategory(catalog, category);
    summary.categories.created++;
  }
  const existingProducts = new Set(
    await knownProductIds(
      catalog.dataSource,
      seed.products.map((p) => p.id),
    ),
  );
  for (const { id, popularity, ...product } of seed.products) {
    if (existingProducts.has(id)) {
      summary.products.existing++;
      continue;
    }
    await createProduct(catalog, product, { id, popularity: popularity ?? 0 });
    summary.products.created++;
  }
  return summary;
}
