import { readFileSync } from 'node:fs';
import { rootQuery, testServiceEnv } from '@qc/shared/testing';
import { DEFAULT_DEMO_CATALOG, seedDemo } from '../../src/cli/seed-demo';
import { startProductService, type ProductServiceUnderTest } from '../fixtures';

describe('demo catalog seeding', () => {
  const demo = JSON.parse(readFileSync(DEFAULT_DEMO_CATALOG, 'utf8')) as {
    categories: { id: string; parentId: string | null; slug: string }[];
    products: { id: string; slug: string; sku: string; active: boolean; categoryIds: string[] }[];
  };
  let t: ProductServiceUnderTest;

  beforeAll(async () => {
    t = await startProductService('product_seed');
  }, 60_000);

  afterAll(() => t?.stop(), 30_000);

  const createdEvents = async () =>
    Number(
      (
        (await rootQuery(`SELECT COUNT(*) AS n FROM \`${t.schema.name}\`.outbox WHERE event_type = 'product.created'`)) as { n: number }[]
      )[0]!.n,
    );

  it('when the demo file is read, then it is a believable catalog: two levels, 250–400 products, unique SKUs and slugs, leaf categories', () => {
    const tops = demo.categories.filter((c) => c.parentId === null);
    expect(tops.length).toBeGreaterThanOrEqual(10);
    const parents = new Set(demo.categories.map((c) => c.parentId).filter(Boolean));
    expect(demo.categories.every((c) => c.parentId === null || !parents.has(c.id))).toBe(true);
    expect(demo.products.length).toBeGreaterThanOrEqual(250);
    expect(demo.products.length).toBeLessThanOrEqual(400);
    expect(new Set(demo.products.map((p) => p.sku)).size).toBe(demo.products.length);
    expect(new Set(demo.products.map((p) => p.slug)).size).toBe(demo.products.length);
    expect(demo.products.every((p) => p.categoryIds.every((id) => !parents.has(id)))).toBe(true);
  });

  it('when seeded twice, then everything is created once, with one product.created each, and the second run changes nothing', async () => {
    const first = await seedDemo({ ...t.service.deps, env: testServiceEnv(t.schema) });
    expect(first).toEqual({
      categories: { created: demo.categories.length, existing: 0 },
      products: { created: demo.products.length, existing: 0 },
    });
    expect(await createdEvents()).toBe(demo.products.length);

    const second = await seedDemo({ ...t.service.deps, env: testServiceEnv(t.schema) });
    expect(second).toEqual({
      categories: { created: 0, existing: demo.categories.length },
      products: { created: 0, existing: demo.products.length },
    });
    expect(await createdEvents()).toBe(demo.products.length);
  }, 120_000);

  it('when seeded, then the catalog is browsable through the API: tree, category listing with descendants, detail by slug, search', async () => {
    const tree = await t.api().get('/api/v1/categories');
    expect(tree.body.data.map((c: { slug: string }) => c.slug)).toEqual(
      expect.arrayContaining(['fruits-and-vegetables', 'dairy-bread-and-eggs']),
    );
    const dairy = await t.api().get('/api/v1/products').query({ category: 'dairy-bread-and-eggs', limit: 100 });
    expect(dairy.body.data.length).toBeGreaterThan(20);
    expect(dairy.body.data.every((p: { categoryIds: string[] }) => p.categoryIds.length > 0)).toBe(true);
    const banana = await t.api().get('/api/v1/products/robusta-banana-1-kg');
    expect(banana.body.data).toMatchObject({ brand: 'Fresho', unit: 'kg', mrp: { amount: 6_000, currency: 'INR' } });
    const search = await t.api().get('/api/v1/products').query({ q: 'amul butter' });
    expect(search.body.data[0].name).toMatch(/Amul .*Butter/);
    const active = demo.products.filter((p) => p.active).length;
    let listed = 0;
    let cursor: string | null = null;
    do {
      const page: { body: { data: unknown[]; meta: { nextCursor: string | null } } } = await t
        .api()
        .get('/api/v1/products')
        .query({ limit: 100, ...(cursor ? { cursor } : {}) });
      listed += page.body.data.length;
      cursor = page.body.meta.nextCursor;
    } while (cursor);
    expect(listed).toBe(active);
  }, 30_000);
});
