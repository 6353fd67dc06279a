import { AppError } from '@qc/shared/http';
import { newId, duplicateKeyOf, foreignKeyFailure } from '@qc/shared/db';
import {
  allCategories,
  categoryUsage,
  deleteCategory as deleteCategoryRow,
  findCategory,
  insertCategory,
  nextPosition,
  updateCategory,
} from '../data/categories.repository';
import type { Catalog, Category } from './catalog';
import { categoryNotFound, taken } from './catalog.errors';
import { ancestorsOf, buildTree, wouldCycle, type CategoryNode } from './category-tree';
import { slugFor } from './product-rules';

export interface NewCategory {
  name: string;
  slug?: string | undefined;
  parentId?: string | null | undefined;
  position?: number | undefined;
  /** Fixed ids for demo data; the API always lets the service choose. */
  id?: string;
}

export type CategoryChange = Partial<Pick<Category, 'name' | 'slug' | 'parentId' | 'position'>>;

export interface CategoryDetail extends Category {
  /** From the top of the tree down to this category's parent. */
  ancestors: Pick<Category, 'id' | 'name' | 'slug'>[];
  children: CategoryNode[];
}

const unknownParent = (parentId: string) =>
  new AppError('rule_violation', 'UNKNOWN_PARENT', `No category ${parentId} to put this one under`, {
    details: [{ path: 'parentId', message: `no category ${parentId}` }],
  });

function rethrowConstraint(err: unknown, slug: string, parentId: string | null): never {
  if (duplicateKeyOf(err) !== undefined) throw taken('slug', slug);
  if (foreignKeyFailure(err) === 'missing_parent' && parentId) throw unknownParent(parentId);
  throw err;
}

export async function categoryTree(catalog: Catalog): Promise<CategoryNode[]> {
  return buildTree(await allCategories(catalog.dataSource));
}

export async function categoryDetail(catalog: Catalog, idOrSlug: string): Promise<CategoryDetail> {
  const categories = await allCategories(catalog.dataSource);
  const category = categories.find((c) => c.id === idOrSlug || c.slug === idOrSlug.toLowerCase());
  if (!category) throw categoryNotFound(idOrSlug);
  const node = findNode(buildTree(categories), category.id);
  return {
    ...category,
    ancestors: ancestorsOf(categories, category.id).map(({ id, name, slug }) => ({ id, name, slug })),
    children: node?.children ?? [],
  };
}

function findNode(nodes: CategoryNode[], id: string): CategoryNode | undefined {
  for (const node of nodes) {
    if (node.id === id) return node;
    const found = findNode(node.children, id);
    if (found) return found;
  }
  return undefined;
}

export async function createCategory(catalog: Catalog, input: NewCategory): Promise<Category> {
  const slug = slugFor(input.name, input.slug);
  const parentId = input.parentId ?? null;
  const id = input.id ?? newId();
  const created = await catalog
    .write(async (tx) => {
      if (parentId && !(await findCategory(tx, parentId, { lock: true }))) throw unknownParent(parentId);
      const position = input.position ?? (await nextPosition(tx, parentId));
      await insertCategory(tx, { id, parentId, name: input.name, slug, position });
      return (await findCategory(tx, id))!;
    })
    .catch((err: unknown) => rethrowConstraint(err, slug, parentId));
  await catalog.changed();
  return created;
}

export async function changeCategory(catalog: Catalog, idOrSlug: string, change: CategoryChange): Promise<Category> {
  const changed = await catalog.write(async (tx) => {
    // The whole (small) tree is locked so two concurrent moves cannot build a cycle together.
    const categories = await allCategories(tx, { lock: change.parentId !== undefined });
    const current = categories.find((c) => c.id === idOrSlug || c.slug === idOrSlug);
    if (!current) throw categoryNotFound(idOrSlug);
    const id = current.id;
    const next = {
      id,
      name: change.name ?? current.name,
      slug: change.slug ?? current.slug,
      parentId: change.parentId === undefined ? current.parentId : change.parentId,
      position: change.position ?? current.position,
    };
    if (next.parentId && !categories.some((c) => c.id === next.parentId)) throw unknownParent(next.parentId);
    if (wouldCycle(categories, id, next.parentId)) {
      throw new AppError('rule_violation', 'CATEGORY_CYCLE', 'A category cannot go under itself or one of its descendants', {
        details: [{ path: 'parentId', message: `${next.parentId} is ${id} or below it` }],
      });
    }
    await updateCategory(tx, next).catch((err: unknown) => rethrowConstraint(err, next.slug, next.parentId));
    return (await findCategory(tx, id))!;
  });
  await catalog.changed();
  return changed;
}

/** Only an empty category goes: one with subcategories or live products is a conflict. */
export async function deleteCategory(catalog: Catalog, idOrSlug: string): Promise<void> {
  await catalog
    .write(async (tx) => {
      const category = await findCategory(tx, idOrSlug, { lock: true });
      if (!category) throw categoryNotFound(idOrSlug);
      const usage = await categoryUsage(tx, category.id);
      if (usage.children > 0 || usage.products > 0) throw categoryInUse(usage);
      await deleteCategoryRow(tx, category.id);
    })
    .catch((err: unknown) => {
      if (foreignKeyFailure(err) === 'still_referenced') throw categoryInUse();
      throw err;
    });
  await catalog.changed();
}

function categoryInUse(usage?: { children: number; products: number }): AppError {
  return new AppError('conflict', 'CATEGORY_IN_USE', 'Move or delete its subcategories and products first', {
    details: usage
      ? [
          ...(usage.children > 0 ? [{ path: 'children', message: `${usage.children} subcategories`, count: usage.children }] : []),
          ...(usage.products > 0 ? [{ path: 'products', message: `${usage.products} products`, count: usage.products }] : []),
        ]
      : [],
  });
}
