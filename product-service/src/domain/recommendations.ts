import { boughtWith } from '../data/sales.repository';
import type { Catalog, Product } from './catalog';
import { browseProducts, productByIdOrSlug } from './products';
import { windowStart } from './sales';

/** Why a product is on a product's shelf. */
export type RecommendationReason = 'bought_together' | 'popular_in_category';

export type Recommendation = Product & {
  reason: RecommendationReason;
  /** Delivered orders in the window that had both products; only when bought together. */
  boughtTogether?: number;
};

/**
 * The "often bought together" shelf under a product: the active products most often delivered in
 * the same order as it over the sales window (the most orders first, ties by id), then, to fill the
 * shelf up to `limit`, the most popular other products of its first category (what the listing
 * sorted by popularity shows), each marked with why it is there. An unknown or inactive product is
 * a 404, as its detail is.
 */
export async function recommendationsFor(catalog: Catalog, idOrSlug: string, limit: number, now = new Date()): Promise<Recommendation[]> {
  const product = await productByIdOrSlug(catalog, idOrSlug);
  const together = await boughtWith(catalog.dataSource, product.id, windowStart(now), limit);
  const views =
    together.length === 0
      ? new Map<string, Product>()
      : new Map(
          (await browseProducts(catalog, { ids: together.map((t) => t.productId), limit: together.length })).items.map((p) => [p.id, p]),
        );
  // A product made inactive between the two reads is left out rather than shown.
  const shelf: Recommendation[] = together.flatMap(({ productId, orders }) => {
    const view = views.get(productId);
    return view ? [{ ...view, reason: 'bought_together' as const, boughtTogether: orders }] : [];
  });
  const category = product.categoryIds[0];
  if (shelf.length >= limit || category === undefined) return shelf;
  const shown = new Set([product.id, ...shelf.map((p) => p.id)]);
  const popular = await browseProducts(catalog, { category, sort: 'popularity', limit: limit + shown.size });
  const fill = popular.items.filter((p) => !shown.has(p.id)).slice(0, limit - shelf.length);
  return [...shelf, ...fill.map((p) => ({ ...p, reason: 'popular_in_category' as const }))];
}
