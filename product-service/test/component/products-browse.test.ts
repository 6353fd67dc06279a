import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@qc/shared/db';
import { testServiceEnv } from '@qc/shared/testing';
import { seedDemo } from '../../src/cli/seed-demo';
import { aProduct, inr, startProductService, type ProductServiceUnderTest } from '../fixtures';

/**
 * A small catalog of its own, seeded through the demo seeder (which alone sets a starting
 * popularity; no orders add to it here), so every expectation below can be stated exactly.
 */
const ids = { fruits: newId(), apples: newId(), citrus: newId(), lemons: newId(), dairy: newId() };
const category = (id: string, parentId: string | null, name: string, slug: string) => ({ id, parentId, name, slug, position: 1 });
const item = (
  name: string,
  brand: string,
  price: number,
  popularity: number,
  tags: string[],
  categoryId: string,
  description: string,
  active = true,
) => ({
  id: newId(),
  sku: `BR-${name
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 20)
    .toUpperCase()}`,
  name,
  brand,
  description,
  packSize: 1,
  unit: 'pcs',
  mrp: inr(price + 1_000),
  price: inr(price),
  tags,
  categoryIds: [categoryId],
  popularity,
  active,
});
const products = {
  shimla: item(
    'Shimla Apple 1 kg',
    'Fresho',
    18_900,
    50,
    ['fresh', 'fruit'],
    ids.apples,
    'Crisp apples from Himachal: the apple of every eye',
  ),
  green: item('Green Apple 4 pcs', 'Fresho', 24_900, 10, ['fresh', 'fruit', 'exotic'], ids.apples, 'Tart and crunchy'),
  orange: item('Nagpur Orange 1 kg', 'Fresho', 9_900, 80, ['fresh', 'fruit', 'citrus'], ids.citrus, 'Sweet and tangy'),
  lemon: item('Lemon 250 g', 'Fresho', 3_200, 90, ['fresh', 'citrus'], ids.lemons, 'Juicy lemons for nimbu pani'),
  taaza: item(
    'Amul Taaza Toned Milk 1 L',
    'Amul',
    5_600,
    100,
    ['dairy', 'milk'],
    ids.dairy,
    'Toned milk, pasteurised and homogenised milk',
  ),
  gold: item('Amul Gold Full Cream Milk 500 ml', 'Amul', 3_400, 70, ['dairy', 'milk'], ids.dairy, 'Rich and creamy'),
  curd: item('Nandini Curd 500 g', 'Nandini', 3_200, 60, ['dairy'], ids.dairy, 'Fresh set curd made from cow milk'),
  vinegar: item('Apple Cider Vinegar 500 ml', 'Borges', 29_900, 5, ['pantry'], ids.fruits, 'Unfiltered, with the mother'),
  hidden: item('Hidden Apple Jam', 'Kissan', 15_000, 1_000, ['jam'], ids.fruits, 'Not on sale', false),
};
type Name = keyof typeof products;
const active = (Object.keys(products) as Name[]).filter((n) => products[n].active);
const nameOf = new Map(Object.entries(products).map(([name, p]) => [p.id, name]));

describe('products: browsing, search and typeahead', () => {
  let t: ProductServiceUnderTest;

  beforeAll(async () => {
    t = await startProductService('product_browse');
    const file = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'catalog.json');
    writeFileSync(
      file,
      JSON.stringify({
        categories: [
          category(ids.fruits, null, 'Fruits', 'fruits'),
          category(ids.apples, ids.fruits, 'Apples', 'apples'),
          category(ids.citrus, ids.fruits, 'Citrus', 'citrus'),
          category(ids.lemons, ids.citrus, 'Lemons', 'lemons'),
          category(ids.dairy, null, 'Dairy', 'dairy'),
        ],
        products: Object.values(products),
      }),
    );
    await seedDemo({ ...t.service.deps, env: testServiceEnv(t.schema) }, file);
  }, 60_000);

  afterAll(() => t?.stop(), 30_000);

  const list = async (query: Record<string, string | number>) => {
    const res = await t.api().get('/api/v1/products').query(query);
    expect(res.status).toBe(200);
    return res;
  };
  const names = (res: { body: { data: { id: string }[] } }) => res.body.data.map((p) => nameOf.get(p.id));

  it('when nothing is asked, then active products come most popular first and inactive ones never', async () => {
    const res = await list({});
    expect(names(res)).toEqual(['taaza', 'lemon', 'orange', 'gold', 'curd', 'shimla', 'green', 'vinegar']);
    expect(res.body.meta).toEqual({ limit: 20, nextCursor: null, sort: 'popularity' });
    expect(res.body.data[0]).toMatchObject({ name: products.taaza.name, price: inr(5_600), categoryIds: [ids.dairy], popularity: 100 });
  });

  it('when sorted by price, then ties are broken by id, both ways', async () => {
    const byIdThen = (a: Name, b: Name) => (products[a].id < products[b].id ? [a, b] : [b, a]);
    expect(names(await list({ sort: 'price_asc' }))).toEqual([
      ...byIdThen('lemon', 'curd'),
      'gold',
      'taaza',
      'orange',
      'shimla',
      'green',
      'vinegar',
    ]);
    expect(names(await list({ sort: 'price_desc' }))).toEqual([
      'vinegar',
      'green',
      'shimla',
      'orange',
      'taaza',
      'gold',
      ...byIdThen('lemon', 'curd'),
    ]);
  });

  it('when sorted by newest, then the last created comes first', async () => {
    expect(names(await list({ sort: 'newest' }))).toEqual([...active].reverse());
  });

  it('when filtered by a category, then its descendants at any depth are included, by id or slug', async () => {
    expect(new Set(names(await list({ category: ids.fruits })))).toEqual(new Set(['shimla', 'green', 'orange', 'lemon', 'vinegar']));
    expect(names(await list({ category: 'citrus' }))).toEqual(['lemon', 'orange']);
    expect(names(await list({ category: 'lemons' }))).toEqual(['lemon']);
    const missing = await t.api().get('/api/v1/products').query({ category: 'no-such-category' });
    expect(missing.status).toBe(404);
  });

  it('when filtered by brand, tags and price, then only products matching all filters come', async () => {
    expect(names(await list({ brand: 'Amul,nandini' }))).toEqual(['taaza', 'gold', 'curd']);
    expect(names(await t.api().get('/api/v1/products?brand=Borges&brand=Nandini'))).toEqual(['curd', 'vinegar']);
    expect(names(await list({ tags: 'fresh,citrus' }))).toEqual(['lemon', 'orange']);
    expect(names(await list({ minPrice: 3_400, maxPrice: 9_900, sort: 'price_asc' }))).toEqual(['gold', 'taaza', 'orange']);
    expect(names(await list({ category: 'fruits', tags: 'fruit', maxPrice: 20_000 }))).toEqual(['orange', 'shimla']);
    expect(names(await list({ ids: `${products.curd.id},${products.vinegar.id},${products.hidden.id}` }))).toEqual(['curd', 'vinegar']);
  });

  it('when searching, then full-text matches come ranked by relevance and others are left out', async () => {
    const apples = await list({ q: 'apple' });
    expect(apples.body.meta.sort).toBe('relevance');
    expect(names(apples)[0]).toBe('shimla');
    expect(new Set(names(apples))).toEqual(new Set(['shimla', 'green', 'vinegar']));
    const milk = await list({ q: 'toned milk' });
    expect(names(milk)[0]).toBe('taaza');
    expect(new Set(names(milk))).toEqual(new Set(['taaza', 'gold', 'curd']));
    expect(names(await list({ q: 'apple', sort: 'price_asc' }))).toEqual(['shimla', 'green', 'vinegar']);
    expect(names(await list({ q: 'nimbu' }))).toEqual(['lemon']);
    expect(names(await list({ q: 'exotic' }))).toEqual(['green']);
    expect((await list({ q: 'durian' })).body.data).toEqual([]);
  });

  it('when the query has only words the full-text index ignores, then a prefix match still finds products', async () => {
    expect(names(await list({ q: 'am' }))).toEqual(['taaza', 'gold']);
    expect(names(await list({ q: 'Go' }))).toEqual(['gold']);
  });

  it('when paging in any order with a small limit, then the pages add up to the whole listing, each row once', async () => {
    const queries: Record<string, string>[] = [
      {},
      { sort: 'price_asc' },
      { sort: 'price_desc' },
      { sort: 'newest' },
      { q: 'apple' },
      { q: 'milk' },
      { q: 'am' },
    ];
    for (const query of queries) {
      const whole = names(await list({ ...query, limit: 100 }));
      const paged: (string | undefined)[] = [];
      let cursor: string | undefined;
      do {
        const page = await list({ ...query, limit: 3, ...(cursor ? { cursor } : {}) });
        expect(page.body.data.length).toBeLessThanOrEqual(3);
        paged.push(...names(page));
        cursor = page.body.meta.nextCursor ?? undefined;
      } while (cursor);
      expect(paged).toEqual(whole);
    }
  });

  it('when a product is added before where the reader is, then the next page neither repeats nor skips', async () => {
    const first = await list({ sort: 'price_asc', limit: 3 });
    const seen = names(first);
    const cheap = await t
      .api()
      .post('/api/v1/products')
      .set('authorization', t.admin())
      .send(aProduct([ids.dairy], { price: inr(100), mrp: inr(200) }));
    expect(cheap.status).toBe(201);
    const rest: (string | undefined)[] = [];
    let cursor: string | null = first.body.meta.nextCursor;
    while (cursor) {
      const page = await list({ sort: 'price_asc', limit: 3, cursor });
      rest.push(...names(page));
      cursor = page.body.meta.nextCursor;
    }
    expect([...seen, ...rest]).toEqual(names(await list({ sort: 'price_asc' })).filter((n) => n !== undefined));
    await t.api().delete(`/api/v1/products/${cheap.body.data.id}`).set('authorization', t.admin());
  });

  it('when the query is wrong, then it is a 400: bad cursor, cursor of another sort, relevance without q, bad range, unknown field, limit', async () => {
    const cursor = (await list({ sort: 'price_asc', limit: 1 })).body.meta.nextCursor;
    const bad = [
      { cursor: 'garbage' },
      { cursor, sort: 'price_desc' },
      { sort: 'relevance' },
      { sort: 'cheapest' },
      { minPrice: 500, maxPrice: 100 },
      { minPrice: -1 },
      { colour: 'red' },
      { limit: 101 },
      { lat: 12.9 },
      { storeId: 'store-1' },
      { tags: 'Not A Tag' },
    ];
    for (const query of bad) {
      const res = await t.api().get('/api/v1/products').query(query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });

  it('when an admin asks for inactive products too, then they are listed; anyone else is refused', async () => {
    expect(names(await t.api().get('/api/v1/products?includeInactive=true').set('authorization', t.admin()))).toContain('hidden');
    expect((await t.api().get('/api/v1/products?includeInactive=true')).status).toBe(403);
    expect((await t.api().get('/api/v1/products?includeInactive=true').set('authorization', t.customer())).status).toBe(403);
  });

  it('when typing, then suggest offers products whose name or brand starts with what was typed, starts first, most popular next', async () => {
    const suggest = async (q: string, limit?: number) => {
      const res = await t
        .api()
        .get('/api/v1/products/suggest')
        .query({ q, ...(limit ? { limit } : {}) });
      expect(res.status).toBe(200);
      return res.body.data as { id: string; name: string; price: unknown; image: string | null }[];
    };
    expect((await suggest('a')).map((s) => nameOf.get(s.id))).toEqual(['taaza', 'gold', 'vinegar', 'shimla', 'green']);
    expect((await suggest('a', 2)).map((s) => nameOf.get(s.id))).toEqual(['taaza', 'gold']);
    expect((await suggest('MI')).map((s) => nameOf.get(s.id))).toEqual(['taaza', 'gold']);
    expect((await suggest('nan')).map((s) => nameOf.get(s.id))).toEqual(['curd']);
    expect((await suggest('fresho')).map((s) => nameOf.get(s.id))).toEqual(['lemon', 'orange', 'shimla', 'green']);
    expect(await suggest('%')).toEqual([]);
    expect((await suggest('le'))[0]).toEqual({
      id: products.lemon.id,
      name: 'Lemon 250 g',
      slug: 'lemon-250-g',
      brand: 'Fresho',
      price: inr(3_200),
      image: null,
    });
    expect((await t.api().get('/api/v1/products/suggest')).status).toBe(400);
    expect((await t.api().get('/api/v1/products/suggest').query({ q: 'a', limit: 50 })).status).toBe(400);
  });
});
