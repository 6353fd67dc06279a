import type { Category } from '../../src/domain/catalog';
import { ancestorsOf, buildTree, descendantIds, wouldCycle } from '../../src/domain/category-tree';

const at = '2025-11-21T00:00:00.000Z';
const category = (id: string, parentId: string | null, position: number, name = id): Category => ({
  id,
  parentId,
  name,
  slug: id,
  position,
  createdAt: at,
  updatedAt: at,
});

// food ─┬─ fruit ── citrus ── lemons
//       └─ dairy
// home
const categories = [
  category('lemons', 'citrus', 1),
  category('home', null, 2),
  category('dairy', 'food', 2),
  category('citrus', 'fruit', 1),
  category('fruit', 'food', 1),
  category('food', null, 1),
];

describe('category tree', () => {
  it('when built, then each level is in position order whatever the input order', () => {
    const tree = buildTree(categories);
    expect(tree.map((n) => n.id)).toEqual(['food', 'home']);
    expect(tree[0]!.children.map((n) => n.id)).toEqual(['fruit', 'dairy']);
    expect(tree[0]!.children[0]!.children[0]!.children.map((n) => n.id)).toEqual(['lemons']);
  });

  it('when siblings share a position, then they are ordered by name', () => {
    const tree = buildTree([category('b', null, 1, 'Bakery'), category('a', null, 1, 'Atta')]);
    expect(tree.map((n) => n.name)).toEqual(['Atta', 'Bakery']);
  });

  it('when asked for descendants, then every depth is included with the category itself', () => {
    expect(descendantIds(categories, 'food').sort()).toEqual(['citrus', 'dairy', 'food', 'fruit', 'lemons']);
    expect(descendantIds(categories, 'lemons')).toEqual(['lemons']);
  });

  it('when asked for ancestors, then the trail runs from the top down to the parent', () => {
    expect(ancestorsOf(categories, 'lemons').map((c) => c.id)).toEqual(['food', 'fruit', 'citrus']);
    expect(ancestorsOf(categories, 'food')).toEqual([]);
  });

  it('when a move would put a category under itself or a descendant, then it is a cycle; elsewhere it is not', () => {
    expect(wouldCycle(categories, 'fruit', 'fruit')).toBe(true);
    expect(wouldCycle(categories, 'fruit', 'lemons')).toBe(true);
    expect(wouldCycle(categories, 'fruit', 'dairy')).toBe(false);
    expect(wouldCycle(categories, 'lemons', 'food')).toBe(false);
    expect(wouldCycle(categories, 'fruit', null)).toBe(false);
  });
});
