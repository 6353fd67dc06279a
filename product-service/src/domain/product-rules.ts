import { AppError } from '@qc/shared/http';
import { priceAboveMrp } from './catalog.errors';
import type { Money, ProductFields, EditableProductField } from './catalog';
import { EDITABLE_PRODUCT_FIELDS } from './catalog';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids and slugs share one path segment (`/products/:idOrSlug`), so a slug may never look like an id. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** "Haldiram's Aloo Bhujia 200 g" → "haldirams-aloo-bhujia-200-g". */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200)
    .replace(/-+$/, '');
}

/** Legal metrology: a product is never sold above its printed MRP. */
export function assertPriceWithinMrp(price: Money, mrp: Money): void {
  if (price.amount > mrp.amount) throw priceAboveMrp(price.amount, mrp.amount);
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
const sortedEntries = (o: Record<string, string>) => JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/** The fields whose value differs; tags and categories are sets, images a list (the first is the main one). */
export function changedFields(before: ProductFields, after: ProductFields): EditableProductField[] {
  return EDITABLE_PRODUCT_FIELDS.filter((field) => {
    switch (field) {
      case 'tags':
      case 'categoryIds':
        return !sameSet(before[field], after[field]);
      case 'images':
        return before.images.join('\n') !== after.images.join('\n');
      case 'attributes':
        return sortedEntries(before.attributes) !== sortedEntries(after.attributes);
      case 'mrp':
      case 'price':
        return before[field].amount !== after[field].amount || before[field].currency !== after[field].currency;
      default:
        return before[field] !== after[field];
    }
  });
}

/**
 * InnoDB's full-text parser drops words shorter than `innodb_ft_min_token_size` (3) and its
 * built-in stopwords, so a query made only of those would match nothing.
 */
const MIN_TOKEN = 3;
const INNODB_STOPWORDS = new Set(
  'a about an are as at be by com de en for from how i in is it la of on or that the this to was what when where who will with und www'.split(
    ' ',
  ),
);

export type SearchPlan = { mode: 'fulltext'; terms: string } | { mode: 'prefix'; prefix: string };

/**
 * How to search for `q`: full-text with relevance ranking when it has a word the index holds,
 * otherwise a prefix match on name and brand (so "dal" ranks and "ok" or "5 star" still finds).
 */
export function searchPlan(q: string): SearchPlan {
  const words = q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= MIN_TOKEN && !INNODB_STOPWORDS.has(w));
  return words.length > 0 ? { mode: 'fulltext', terms: words.join(' ') } : { mode: 'prefix', prefix: q.trim() };
}

/** The slug a category or product gets: the one given, or one made from its name; never one that looks like an id. */
export function slugFor(name: string, slug: string | undefined): string {
  const chosen = slug ?? slugify(name);
  if (!chosen || isUuid(chosen)) {
    throw new AppError('invalid_input', 'INVALID_SLUG', 'Give a slug: none can be made from this name', {
      details: [{ path: 'slug', message: 'a slug needs letters or digits and may not look like an id' }],
    });
  }
  return chosen;
}
