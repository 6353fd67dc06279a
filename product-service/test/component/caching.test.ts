import { rootQuery } from '@qc/shared/testing';
import { aProduct, startProductService, unique, type ProductServiceUnderTest } from '../fixtures';

describe('catalog reads: Redis cache, ETag and Cache-Control', () => {
  let t: ProductServiceUnderTest;
  let categoryId: string;

  beforeAll(async () => {
    t = await startProductService('product_cache');
    categoryId = (
      await t
        .api()
        .post('/api/v1/categories')
        .set('authorization', t.admin())
        .send({ name: `Cached ${unique()}` })
    ).body.data.id;
  }, 60_000);

  afterAll(() => t?.stop(), 30_000);

  const createProduct = async (overrides: Record<string, unknown> = {}) => {
    const res = await t
      .api()
      .post('/api/v1/products')
      .set('authorization', t.admin())
      .send(aProduct([categoryId], overrides));
    expect(res.status).toBe(201);
    return res.body.data as { id: string; slug: string; name: string; version: number };
  };
  /** Changes a row behind the service's back, so only a cache can still answer with the old value. */
  const renameInDatabase = (id: string, name: string) =>
    rootQuery(`UPDATE \`${t.schema.name}\`.products SET name = ? WHERE id = ?`, [name, id]);

  it('when a product was read once, then the next reads come from the cache until a write through the API', async () => {
    const product = await createProduct();
    const detail = () => t.api().get(`/api/v1/products/${product.id}`);
    const listing = () => t.api().get('/api/v1/products').query({ category: categoryId, limit: 100 });
    const listedName = async () => (await listing()).body.data.find((p: { id: string }) => p.id === product.id)?.name;
    expect((await detail()).body.data.name).toBe(product.name);
    expect(await listedName()).toBe(product.name);

    await renameInDatabase(product.id, 'Renamed behind its back');
    expect((await detail()).body.data.name).toBe(product.name);
    expect(await listedName()).toBe(product.name);

    const patch = await t
      .api()
      .patch(`/api/v1/products/${product.id}`)
      .set('authorization', t.admin())
      .send({ version: product.version, brand: 'Newbrand' });
    expect(patch.status).toBe(200);
    expect((await detail()).body.data).toMatchObject({ name: 'Renamed behind its back', brand: 'Newbrand' });
    expect(await listedName()).toBe('Renamed behind its back');
  });

  it('when a product is created or deleted, then cached listings show it at once', async () => {
    const listed = async () =>
      (await t.api().get('/api/v1/products').query({ category: categoryId, limit: 100 })).body.data.map((p: { id: string }) => p.id);
    const before = await listed();
    const product = await createProduct();
    // Same popularity (none yet), later id: it is listed last.
    expect(await listed()).toEqual([...before, product.id]);
    await t.api().delete(`/api/v1/products/${product.id}`).set('authorization', t.admin());
    expect(await listed()).not.toContain(product.id);
  });

  it('when the category tree was read, then a category write shows on the next read', async () => {
    const tree = async () => (await t.api().get('/api/v1/categories')).body.data.map((c: { name: string }) => c.name);
    const before = await tree();
    const name = `Fresh ${unique()}`;
    await t.api().post('/api/v1/categories').set('authorization', t.admin()).send({ name });
    expect(await tree()).toEqual(expect.arrayContaining([...before, name]));
  });

  it('when a client sends back the ETag it got, then it gets 304 until the product changes', async () => {
    const product = await createProduct();
    const first = await t.api().get(`/api/v1/products/${product.slug}`);
    expect(first.status).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('public, max-age=30');

    const again = await t.api().get(`/api/v1/products/${product.slug}`).set('if-none-match', etag);
    expect(again.status).toBe(304);
    expect(again.text).toBeFalsy();
    const listing = await t.api().get('/api/v1/products').query({ category: categoryId });
    expect(
      (
        await t
          .api()
          .get('/api/v1/products')
          .query({ category: categoryId })
          .set('if-none-match', listing.headers.etag as string)
      ).status,
    ).toBe(304);
    const tree = await t.api().get('/api/v1/categories');
    expect(
      (
        await t
          .api()
          .get('/api/v1/categories')
          .set('if-none-match', tree.headers.etag as string)
      ).status,
    ).toBe(304);

    await t
      .api()
      .patch(`/api/v1/products/${product.id}`)
      .set('authorization', t.admin())
      .send({ version: product.version, name: 'Changed name' });
    const changed = await t.api().get(`/api/v1/products/${product.slug}`).set('if-none-match', etag);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.body.data.name).toBe('Changed name');
  });

  it('when Redis goes away, then reads still answer, straight from MySQL', async () => {
    const product = await createProduct();
    expect((await t.api().get(`/api/v1/products/${product.id}`)).status).toBe(200);
    t.service.deps.redis.disconnect();
    try {
      await renameInDatabase(product.id, 'Read from MySQL');
      const detail = await t.api().get(`/api/v1/products/${product.id}`);
      expect(detail.status).toBe(200);
      expect(detail.body.data.name).toBe('Read from MySQL');
      expect((await t.api().get('/api/v1/products').query({ q: 'mysql' })).body.data.map((p: { id: string }) => p.id)).toEqual([
        product.id,
      ]);
      expect((await t.api().get('/api/v1/categories')).status).toBe(200);
      const write = await t
        .api()
        .patch(`/api/v1/products/${product.id}`)
        .set('authorization', t.admin())
        .send({ version: product.version, brand: 'Stillworks' });
      expect(write.status).toBe(200);
    } finally {
      await t.service.deps.redis.connect();
    }
  });
});
