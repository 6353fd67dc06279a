import { z } from 'zod';
import { SLUG } from './products.schemas';

export const NewCategoryBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  slug: z.string().max(140).regex(SLUG, 'a slug is lower-case letters, digits and dashes').optional(),
  parentId: z.uuid().nullable().optional().describe('The parent category; none for a top-level one'),
  position: z.number().int().min(0).max(100_000).optional().describe('Order among siblings; by default after the last'),
});

export const CategoryPatchBody = NewCategoryBody.partial();

export const CategoryParams = z.strictObject({ idOrSlug: z.string().min(1).max(140).describe('The category id or its slug') });

const Category = z.object({
  id: z.uuid(),
  parentId: z.uuid().nullable(),
  name: z.string(),
  slug: z.string(),
  position: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const CategoryNode = Category.extend({
  children: z.array(Category.extend({ children: z.array(z.unknown()) })).describe('Subcategories, each with its own children'),
});

export const CategoryResponse = z.object({ success: z.literal(true), data: Category });
export const CategoryTreeResponse = z.object({ success: z.literal(true), data: z.array(CategoryNode) });
export const CategoryDetailResponse = z.object({
  success: z.literal(true),
  data: CategoryNode.extend({ ancestors: z.array(Category.pick({ id: true, name: true, slug: true })) }),
});
