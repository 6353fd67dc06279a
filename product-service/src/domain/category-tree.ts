import type { Category } from './catalog';

export interface CategoryNode extends Category {
  children: CategoryNode[];
}

const byPosition = (a: Category, b: Category) => a.position - b.position || a.name.localeCompare(b.name);

/** The forest of categories, each level ordered by position, then name. */
export function buildTree(categories: Category[]): CategoryNode[] {
  const nodes = new Map(categories.map((c) => [c.id, { ...c, children: [] as CategoryNode[] }]));
  const roots: CategoryNode[] = [];
  for (const node of [...nodes.values()].sort(byPosition)) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

/** The category and everything below it, at any depth. */
export function descendantIds(categories: Category[], rootId: string): string[] {
  const children = new Map<string, string[]>();
  for (const c of categories) if (c.parentId) children.set(c.parentId, [...(children.get(c.parentId) ?? []), c.id]);
  const found: string[] = [];
  const pending = [rootId];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    found.push(id);
    pending.push(...(children.get(id) ?? []));
  }
  return found;
}

/** From the root down to the category's parent: the breadcrumb trail. */
export function ancestorsOf(categories: Category[], id: string): Category[] {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const trail: Category[] = [];
  const seen = new Set<string>([id]);
  let parentId = byId.get(id)?.parentId ?? null;
  while (parentId && !seen.has(parentId)) {
    seen.add(parentId);
    const parent = byId.get(parentId);
    if (!parent) break;
    trail.unshift(parent);
    parentId = parent.parentId;
  }
  return trail;
}

/** Whether putting `id` under `newParentId` would make it its own ancestor. */
export function wouldCycle(categories: Category[], id: string, newParentId: string | null): boolean {
  return newParentId !== null && descendantIds(categories, id).includes(newParentId);
}
