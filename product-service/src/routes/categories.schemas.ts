import { z } from 'zod';
// Registers zod's .openapi() before the schemas below use it.
import '@qc/shared/openapi';
import type { CategoryNode } from '../domain/category-tree';
import { SLUG } from './products.schemas';

export const NewCategoryBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  slug: z.string().max(140).regex(SLUG, 'a slug is lower-case letters, digits and dashes').optional(),
  parentId: z.uuid().nullable().optional().describe('The parent category; none for a top-level one'),
  position: z.number().int().min(0).max(100_000).optional().describe('Order among siblings; by default after the last'),
});

export const CategoryPatchBody = NewCategoryBody.partial();

/** Ids and slugs share the path segment; slugs are lower case, so any spelling finds the category. */
export const CategoryParams = z.strictObject({
  idOrSlug: z.string().min(1).max(140).toLowerCase().describe('The category id or its slug'),
});

export const CategoryView = z
  .object({
    id: z.uuid(),
    parentId: z.uuid().nullable(),
    name: z.string(),
    slug: z.string(),
    position: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Category');

/** A category with its subcategories, each with its own, at any depth. */
const CategoryNodeView: z.ZodType<CategoryNode> = CategoryView.extend({
  children: z.array(z.lazy(() => CategoryNodeView)).describe('Subcategories, in display order'),
}).openapi('CategoryNode');

/** The bodies of the cached reads, which their handlers send themselves (with an ETag). */
export const CategoryTreeResponse = z.object({ success: z.literal(true), data: z.array(CategoryNodeView) });
export const CategoryDetailResponse = z.object({
  success: z.literal(true),
  data: CategoryView.extend({
    ancestors: z.array(CategoryView.pick({ id: true, name: true, slug: true })).describe('From the top of the tree down to the parent'),
    children: z.array(CategoryNodeView),
  }),
});
