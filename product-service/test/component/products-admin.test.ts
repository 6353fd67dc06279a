import { aProduct, inr, outboxEvents, startProductService, unique, type ProductServiceUnderTest } from '../fixtures';

describe('products: admin writes', () => {
  let t: ProductServiceUnderTest;
  let categoryId: string;
  let otherCategoryId: string;

  beforeAll(async () => {
    t = await startProductService('product_admin');
    const create = (name: string) => t.api().post('/api/v1/categories').set('authorization', t.admin()).send({ name });
    categoryId = (await create(`Staples ${unique()}`)).body.data.id;
    otherCategoryId = (await create(`Snacks ${unique()}`)).body.data.id;
  }, 60_000);

  afterAll(() => t?.stop(), 30_000);

  const create = (body: Record<string, unknown>) => t.api().post('/api/v1/products').set('authorization', t.admin()).send(body);

  it('when an admin creates a product, then it is readable by id and slug and product.created is in the outbox', async () => {
    const body = aProduct([categoryId], {
      name: "Haldiram's Aloo Bhujia 200 g",
      sku: `sn-hal-${unique()}`,
      tags: ['snacks', 'namkeen', 'snacks'],
    });
    const res = await create(body);
    expect(res.status).toBe(201);
    const product = res.body.data;
    expect(product).toMatchObject({
      sku: (body.sku as string).toUpperCase(),
      name: "Haldiram's Aloo Bhujia 200 g",
      slug: 'haldirams-aloo-bhujia-200-g',
      brand: 'Testbrand',
      packSize: 1,
      unit: 'kg',
      mrp: inr(10_000),
      price: inr(9_000),
      tags: ['snacks', 'namkeen'],
      attributes: { origin: 'Nowhere' },
      active: true,
      categoryIds: [categoryId],
      version: 1,
    });
    expect(product.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);

    for (const key of [product.id, product.slug]) {
      const read = await t.api().get(`/api/v1/products/${key}`);
      expect(read.status).toBe(200);
      expect(read.body.data).toEqual(product);
    }
    expect(await outboxEvents(t.schema, product.id)).toEqual([
      expect.objectContaining({
        type: 'product.created',
        data: { productId: product.id, sku: product.sku, name: product.name, price: inr(9_000), mrp: inr(10_000) },
      }),
    ]);
  });

  it('when the price is above the MRP, then create and change are refused with 422 and details', async () => {
    const res = await create(aProduct([categoryId], { mrp: inr(5_000), price: inr(5_001) }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ errorCode: 'PRICE_ABOVE_MRP', details: [{ path: 'price.amount', price: 5_001, mrp: 5_000 }] });

    const product = (await create(aProduct([categoryId], { mrp: inr(5_000), price: inr(4_500) }))).body.data;
    const patch = await t
      .api()
      .patch(`/api/v1/products/${product.id}`)
      .set('authorization', t.admin())
      .send({ version: 1, price: inr(6_000) });
    expect(patch.status).toBe(422);
    expect(patch.body.errorCode).toBe('PRICE_ABOVE_MRP');
    expect((await t.api().get(`/api/v1/products/${product.id}`)).body.data.price).toEqual(inr(4_500));
  });

  it('when the body is invalid, then it is a 400 that names every bad field', async () => {
    const res = await create({
      ...aProduct([categoryId]),
      sku: 'x',
      unit: 'dozen',
      packSize: 0,
      mrp: { amount: 10.5, currency: 'INR' },
      price: { amount: 100, currency: 'USD' },
      images: ['not a url'],
      attributes: { origin: 5 },
      categoryIds: [],
    });
    expect(res.status).toBe(400);
    const paths = res.body.details.map((d: { path: string }) => d.path);
    for (const path of [
      'body.sku',
      'body.unit',
      'body.packSize',
      'body.mrp.amount',
      'body.price.currency',
      'body.images.0',
      'body.attributes.origin',
      'body.categoryIds',
    ]) {
      expect(paths).toContain(path);
    }
  });

  it('when the body carries unknown fields, then it is a 400, also inside Money', async () => {
    const top = await create({ ...aProduct([categoryId]), popularity: 1_000_000 });
    expect(top.status).toBe(400);
    expect(JSON.stringify(top.body.details)).toContain('popularity');
    const nested = await create({ ...aProduct([categoryId]), mrp: { amount: 100, currency: 'INR', tax: 5 } });
    expect(nested.status).toBe(400);
  });

  it('when the SKU or slug is taken, or a category unknown, then create is 409 or 422', async () => {
    const first = (await create(aProduct([categoryId]))).body.data;
    const sameSku = await create(aProduct([categoryId], { sku: first.sku.toLowerCase() }));
    expect(sameSku.status).toBe(409);
    expect(sameSku.body.errorCode).toBe('SKU_TAKEN');
    const sameSlug = await create(aProduct([categoryId], { slug: first.slug }));
    expect(sameSlug.status).toBe(409);
    expect(sameSlug.body.errorCode).toBe('SLUG_TAKEN');
    const unknown = '01900000-0000-7000-8000-000000000001';
    const noCategory = await create(aProduct([categoryId, unknown]));
    expect(noCategory.status).toBe(422);
    expect(noCategory.body).toMatchObject({ errorCode: 'UNKNOWN_CATEGORY', details: [{ categoryId: unknown }] });
  });

  it('when an admin changes a product at its current version, then it changes, the version moves on and product.updated names the fields', async () => {
    const product = (await create(aProduct([categoryId]))).body.data;
    const res = await t
      .api()
      .patch(`/api/v1/products/${product.id}`)
      .set('authorization', t.admin())
      .send({
        version: 1,
        price: inr(8_500),
        tags: ['test', 'offer'],
        categoryIds: [categoryId, otherCategoryId],
        description: product.description,
      });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ version: 2, price: inr(8_500), tags: ['test', 'offer'] });
    expect(res.body.data.categoryIds.sort()).toEqual([categoryId, otherCategoryId].sort());
    expect((await t.api().get(`/api/v1/products/${product.id}`)).body.data.version).toBe(2);
    const bySlug = await t
      .api()
      .patch(`/api/v1/products/${product.slug}`)
      .set('authorization', t.admin())
      .send({ version: 2, active: false });
    expect(bySlug.body.data).toMatchObject({ id: product.id, version: 3, active: false });

    const events = await outboxEvents(t.schema, product.id);
    expect(events.map((e) => e.type)).toEqual(['product.created', 'product.updated', 'product.updated']);
    expect(events[1]!.data).toEqual({ productId: product.id, changed: ['price', 'tags', 'categoryIds'] });
    expect(events[2]!.data).toEqual({ productId: product.id, changed: ['active'] });
  });

  it('when a change names a version that moved on, then it is a 409 and nothing changes', async () => {
    const product = (await create(aProduct([categoryId]))).body.data;
    const edit = (body: Record<string, unknown>) =>
      t.api().patch(`/api/v1/products/${product.id}`).set('authorization', t.admin()).send(body);
    expect((await edit({ version: 1, name: 'First editor' })).status).toBe(200);
    const stale = await edit({ version: 1, name: 'Second editor' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ errorCode: 'VERSION_CONFLICT', details: [{ currentVersion: 2 }] });
    expect((await t.api().get(`/api/v1/products/${product.id}`)).body.data.name).toBe('First editor');
    expect((await edit({ name: 'No version' })).status).toBe(400);
  });

  it('when two admins change the same version at once, then exactly one wins', async () => {
    const product = (await create(aProduct([categoryId]))).body.data;
    const results = await Promise.all(
      ['One', 'Two', 'Three'].map((name) =>
        t.api().patch(`/api/v1/products/${product.id}`).set('authorization', t.admin()).send({ version: 1, name }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect((await outboxEvents(t.schema, product.id)).filter((e) => e.type === 'product.updated')).toHaveLength(1);
  });

  it('when a change changes nothing, then the version stays and no event is written', async () => {
    const product = (await create(aProduct([categoryId]))).body.data;
    const res = await t
      .api()
      .patch(`/api/v1/products/${product.id}`)
      .set('authorization', t.admin())
      .send({ version: 1, price: product.price, tags: product.tags });
    expect(res.status).toBe(200);
    expect(res.body.data.version).toBe(1);
    expect((await outboxEvents(t.schema, product.id)).map((e) => e.type)).toEqual(['product.created']);
  });

  it('when a product is made inactive, then the public no longer sees it but an admin still does', async () => {
    const product = (await create(aProduct([categoryId]))).body.data;
    await t.api().patch(`/api/v1/products/${product.id}`).set('authorization', t.admin()).send({ version: 1, active: false });
    expect((await t.api().get(`/api/v1/products/${product.id}`)).status).toBe(404);
    expect((await t.api().get(`/api/v1/products/${product.id}`).set('authorization', t.customer())).status).toBe(404);
    const asAdmin = await t.api().get(`/api/v1/products/${product.id}`).set('authorization', t.admin());
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.data.active).toBe(false);
    expect(asAdmin.headers['cache-control']).toBe('private, no-cache');
  });

  it('when a product is deleted, then it is gone for everyone, product.deleted is written, and its SKU is free again', async () => {
    const product = (await create(aProduct([categoryId]))).body.data;
    const del = await t.api().delete(`/api/v1/products/${product.id}`).set('authorization', t.admin());
    expect(del.status).toBe(204);
    expect((await t.api().get(`/api/v1/products/${product.id}`)).status).toBe(404);
    expect((await t.api().get(`/api/v1/products/${product.id}`).set('authorization', t.admin())).status).toBe(404);
    expect((await t.api().delete(`/api/v1/products/${product.id}`).set('authorization', t.admin())).status).toBe(404);
    expect(
      (await t.api().patch(`/api/v1/products/${product.id}`).set('authorization', t.admin()).send({ version: 2, name: 'x' })).status,
    ).toBe(404);
    expect((await outboxEvents(t.schema, product.id)).map((e) => e.type)).toEqual(['product.created', 'product.deleted']);
    expect((await create(aProduct([categoryId], { sku: product.sku, slug: product.slug }))).status).toBe(201);
  });

  it('when a product does not exist, then reads and writes are 404', async () => {
    const missing = '01900000-0000-7000-8000-0000000000ff';
    expect((await t.api().get(`/api/v1/products/${missing}`)).body.errorCode).toBe('PRODUCT_NOT_FOUND');
    expect((await t.api().get('/api/v1/products/no-such-slug')).status).toBe(404);
    expect(
      (await t.api().patch(`/api/v1/products/${missing}`).set('authorization', t.admin()).send({ version: 1, name: 'x' })).status,
    ).toBe(404);
    expect((await t.api().delete(`/api/v1/products/${missing}`).set('authorization', t.admin())).status).toBe(404);
  });

  it('when someone without a token or a customer writes products, then it is 401 or 403', async () => {
    const product = (await create(aProduct([categoryId]))).body.data;
    const writes = [
      () =>
        t
          .api()
          .post('/api/v1/products')
          .send(aProduct([categoryId])),
      () => t.api().patch(`/api/v1/products/${product.id}`).send({ version: 1, name: 'x' }),
      () => t.api().delete(`/api/v1/products/${product.id}`),
    ];
    for (const write of writes) {
      expect((await write()).status).toBe(401);
      expect((await write().set('authorization', t.customer())).status).toBe(403);
      expect((await write().set('authorization', t.issuer.bearer({ role: 'delivery_partner' }))).status).toBe(403);
    }
    expect((await t.api().get(`/api/v1/products/${product.id}`)).body.data.version).toBe(1);
  });

  it('when the API document is read, then it lists every catalog route, with bearer security on the admin writes only', async () => {
    const res = await t.api().get('/openapi.json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
    const operations = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(operations.sort()).toEqual([
      'delete /api/v1/categories/{idOrSlug}',
      'delete /api/v1/products/{idOrSlug}',
      'get /api/v1/categories',
      'get /api/v1/categories/{idOrSlug}',
      'get /api/v1/products',
      'get /api/v1/products/suggest',
      'get /api/v1/products/{idOrSlug}',
      'get /api/v1/products/{idOrSlug}/recommendations',
      'patch /api/v1/categories/{idOrSlug}',
      'patch /api/v1/products/{idOrSlug}',
      'post /api/v1/categories',
      'post /api/v1/products',
    ]);
    const secured = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => operation.security !== undefined)
        .map(([method, operation]) => {
          expect(operation.security).toEqual([{ bearerAuth: [] }]);
          return `${method} ${path}`;
        }),
    );
    expect(secured.sort()).toEqual(operations.filter((operation) => !operation.startsWith('get ')).sort());
    // The cached reads write their own body; the document still shows its schema.
    expect(paths['/api/v1/products']!.get!.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { properties: { data: { type: 'array' }, meta: expect.any(Object) } } } },
    });
    expect(paths['/api/v1/categories']!.get!.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { properties: { data: { items: { $ref: '#/components/schemas/CategoryNode' } } } } } },
    });
    // A node's children are nodes, at any depth.
    expect(res.body.components.schemas.CategoryNode).toMatchObject({
      allOf: [
        { $ref: '#/components/schemas/Category' },
        { properties: { children: { items: { $ref: '#/components/schemas/CategoryNode' } } } },
      ],
    });
  });
});
