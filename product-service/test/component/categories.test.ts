import { aProduct, startProductService, unique, type ProductServiceUnderTest } from '../fixtures';

describe('categories', () => {
  let t: ProductServiceUnderTest;

  beforeAll(async () => {
    t = await startProductService('product_categories');
  }, 60_000);

  afterAll(() => t?.stop(), 30_000);

  const createCategory = async (body: Record<string, unknown>) => {
    const res = await t.api().post('/api/v1/categories').set('authorization', t.admin()).send(body);
    expect(res.status).toBe(201);
    return res.body.data as { id: string; slug: string; position: number; parentId: string | null };
  };

  it('when an admin builds a two-level tree, then anyone reads it in position order with the slugs made from the names', async () => {
    const u = unique();
    const top = await createCategory({ name: `Dairy & Eggs ${u}` });
    expect(top.slug).toBe(`dairy-and-eggs-${u}`);
    const second = await createCategory({ name: `Milk ${u}`, parentId: top.id, position: 2 });
    const first = await createCategory({ name: `Curd ${u}`, parentId: top.id, position: 1 });
    const third = await createCategory({ name: `Paneer ${u}`, parentId: top.id });
    expect(third.position).toBe(3);

    const res = await t.api().get('/api/v1/categories');
    expect(res.status).toBe(200);
    const node = res.body.data.find((c: { id: string }) => c.id === top.id);
    expect(node.children.map((c: { id: string }) => c.id)).toEqual([first.id, second.id, third.id]);
    expect(node.children[0]).toMatchObject({ parentId: top.id, name: `Curd ${u}`, children: [] });
  });

  it('when one category is read by id or slug, then it comes with its breadcrumb trail and children', async () => {
    const u = unique();
    const top = await createCategory({ name: `Snacks ${u}` });
    const mid = await createCategory({ name: `Chips ${u}`, parentId: top.id });
    const leaf = await createCategory({ name: `Nachos ${u}`, parentId: mid.id });

    const bySlug = await t.api().get(`/api/v1/categories/${mid.slug}`);
    expect(bySlug.status).toBe(200);
    expect(bySlug.body.data).toMatchObject({ id: mid.id, ancestors: [{ id: top.id, slug: top.slug }], children: [{ id: leaf.id }] });
    const byId = await t.api().get(`/api/v1/categories/${leaf.id}`);
    expect(byId.body.data.ancestors.map((a: { id: string }) => a.id)).toEqual([top.id, mid.id]);
    expect((await t.api().get('/api/v1/categories/no-such-category')).status).toBe(404);
  });

  it('when an admin renames and moves a category, then the tree shows it under its new parent', async () => {
    const u = unique();
    const a = await createCategory({ name: `A ${u}` });
    const b = await createCategory({ name: `B ${u}` });
    const child = await createCategory({ name: `Child ${u}`, parentId: a.id });

    const res = await t
      .api()
      .patch(`/api/v1/categories/${child.id}`)
      .set('authorization', t.admin())
      .send({ name: `Moved ${u}`, parentId: b.id });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: `Moved ${u}`, parentId: b.id, slug: child.slug });
    const detail = await t.api().get(`/api/v1/categories/${b.id}`);
    expect(detail.body.data.children.map((c: { id: string }) => c.id)).toEqual([child.id]);
  });

  it('when a category would move under itself or its own descendant, then it is refused with 422', async () => {
    const u = unique();
    const top = await createCategory({ name: `Top ${u}` });
    const child = await createCategory({ name: `Under ${u}`, parentId: top.id });
    for (const parentId of [top.id, child.id]) {
      const res = await t.api().patch(`/api/v1/categories/${top.id}`).set('authorization', t.admin()).send({ parentId });
      expect(res.status).toBe(422);
      expect(res.body.errorCode).toBe('CATEGORY_CYCLE');
    }
  });

  it('when the slug is taken or the parent unknown, then the create is 409 or 422', async () => {
    const u = unique();
    await createCategory({ name: `Taken ${u}` });
    const dup = await t
      .api()
      .post('/api/v1/categories')
      .set('authorization', t.admin())
      .send({ name: 'Other', slug: `taken-${u}` });
    expect(dup.status).toBe(409);
    expect(dup.body.errorCode).toBe('SLUG_TAKEN');
    const orphan = await t
      .api()
      .post('/api/v1/categories')
      .set('authorization', t.admin())
      .send({ name: `Orphan ${u}`, parentId: '01900000-0000-7000-8000-000000000000' });
    expect(orphan.status).toBe(422);
    expect(orphan.body.errorCode).toBe('UNKNOWN_PARENT');
  });

  it('when the body is invalid or carries unknown fields, then it is a 400 naming the fields', async () => {
    const bad = await t.api().post('/api/v1/categories').set('authorization', t.admin()).send({ name: '', slug: 'Not A Slug' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.name', 'body.slug']);
    const extra = await t.api().post('/api/v1/categories').set('authorization', t.admin()).send({ name: 'X', colour: 'red' });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body.details)).toContain('colour');
    const tooLong = await t
      .api()
      .patch(`/api/v1/categories/${'x'.repeat(141)}`)
      .set('authorization', t.admin())
      .send({ name: 'X' });
    expect(tooLong.status).toBe(400);
    expect((await t.api().patch('/api/v1/categories/no-such-slug').set('authorization', t.admin()).send({ name: 'X' })).status).toBe(404);
  });

  it('when a category has children or products, then deleting it is a 409; once empty it goes', async () => {
    const u = unique();
    const top = await createCategory({ name: `Busy ${u}` });
    const leaf = await createCategory({ name: `Leaf ${u}`, parentId: top.id });
    const product = await t
      .api()
      .post('/api/v1/products')
      .set('authorization', t.admin())
      .send(aProduct([leaf.id]));
    expect(product.status).toBe(201);

    const withChildren = await t.api().delete(`/api/v1/categories/${top.id}`).set('authorization', t.admin());
    expect(withChildren.status).toBe(409);
    expect(withChildren.body).toMatchObject({ errorCode: 'CATEGORY_IN_USE', details: [{ path: 'children', count: 1 }] });
    const withProducts = await t.api().delete(`/api/v1/categories/${leaf.id}`).set('authorization', t.admin());
    expect(withProducts.status).toBe(409);
    expect(withProducts.body.details).toEqual([expect.objectContaining({ path: 'products', count: 1 })]);

    // A deleted product no longer holds its category.
    expect((await t.api().delete(`/api/v1/products/${product.body.data.id}`).set('authorization', t.admin())).status).toBe(204);
    expect((await t.api().delete(`/api/v1/categories/${leaf.slug}`).set('authorization', t.admin())).status).toBe(204);
    expect((await t.api().delete(`/api/v1/categories/${top.id}`).set('authorization', t.admin())).status).toBe(204);
    expect((await t.api().get(`/api/v1/categories/${top.id}`)).status).toBe(404);
    expect((await t.api().delete(`/api/v1/categories/${top.id}`).set('authorization', t.admin())).status).toBe(404);
  });

  it('when someone without a token or a customer writes categories, then it is 401 or 403', async () => {
    const id = (await createCategory({ name: `Guarded ${unique()}` })).id;
    const writes = [
      () => t.api().post('/api/v1/categories').send({ name: 'X' }),
      () => t.api().patch(`/api/v1/categories/${id}`).send({ name: 'X' }),
      () => t.api().delete(`/api/v1/categories/${id}`),
    ];
    for (const write of writes) {
      expect((await write()).status).toBe(401);
      expect((await write().set('authorization', t.customer())).status).toBe(403);
    }
    expect((await t.api().get(`/api/v1/categories/${id}`)).status).toBe(200);
  });
});
