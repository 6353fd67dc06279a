import { outboxEvents } from '@qc/shared/testing';
import { randomUUID } from 'node:crypto';
import { aStore, createStore, restockVia, startInventoryService, type InventoryUnderTest } from '../fixtures';

/** Dark stores through the HTTP API: public reads, admin writes, inventory.store_updated, bulk availability. */
describe('stores API', () => {
  let inventory: InventoryUnderTest;

  beforeAll(async () => {
    inventory = await startInventoryService({ label: 'inventory_stores' });
  }, 60_000);

  afterAll(() => inventory?.stop(), 30_000);

  const storeEvents = async (storeId: string) =>
    (await outboxEvents(inventory.schema, 'inventory.store_updated')).filter((e) => e.subject === storeId);

  it('when the API document is asked for, then every route is in it, the admin ones with bearer auth', async () => {
    const res = await inventory.api().get('/openapi.json');
    expect(Object.keys(res.body.paths).sort()).toEqual([
      '/api/v1/inventory/reservations',
      '/api/v1/inventory/reservations/{reservationId}',
      '/api/v1/inventory/stores/{storeId}/movements',
      '/api/v1/inventory/stores/{storeId}/stock',
      '/api/v1/inventory/stores/{storeId}/stock/{productId}',
      '/api/v1/inventory/stores/{storeId}/stock/{productId}/adjustments',
      '/api/v1/inventory/stores/{storeId}/stock/{productId}/restock',
      '/api/v1/stores',
      '/api/v1/stores/{storeId}',
      '/api/v1/stores/{storeId}/availability',
    ]);
    expect(res.body.paths['/api/v1/stores'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(res.body.paths['/api/v1/stores'].get.security).toBeUndefined();
  });

  describe('POST /api/v1/stores', () => {
    it('when an admin opens a store, then it answers 201 with the store and announces it as inventory.store_updated', async () => {
      const body = aStore({ lat: 12.9716, lng: 77.5946, opensAt: '07:00', closesAt: '23:00', preparationMinutes: 5 });
      const res = await inventory.api().post('/api/v1/stores').set('authorization', inventory.admin).send(body);

      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        success: true,
        data: {
          ...body,
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          active: true,
          openNow: expect.any(Boolean),
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      });
      const events = await storeEvents(res.body.data.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        source: '/inventory-service',
        subject: res.body.data.id,
        data: {
          storeId: res.body.data.id,
          name: body.name,
          lat: 12.9716,
          lng: 77.5946,
          preparationMinutes: 5,
          opensAt: '07:00',
          closesAt: '23:00',
          active: true,
        },
      });
    });

    it('when the body is invalid or has unknown fields, then it answers 400 naming each problem', async () => {
      const res = await inventory
        .api()
        .post('/api/v1/stores')
        .set('authorization', inventory.admin)
        .send(aStore({ pincode: '0600', opensAt: '25:00', lat: 91, owner: 'me' }));
      expect(res.status).toBe(400);
      expect(res.body.errorCode).toBe('VALIDATION_FAILED');
      expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['body', 'body.lat', 'body.opensAt', 'body.pincode']);
    });

    it('when there is no token, then 401; when a customer asks, then 403', async () => {
      expect((await inventory.api().post('/api/v1/stores').send(aStore())).status).toBe(401);
      expect((await inventory.api().post('/api/v1/stores').set('authorization', inventory.customer).send(aStore())).status).toBe(403);
    });
  });

  describe('GET /api/v1/stores and /api/v1/stores/:storeId', () => {
    it('when anyone lists stores, then they come in cursor pages, filterable by pincode and active', async () => {
      // A pincode of this test's own: the other tests' stores are at aStore()'s 560034.
      const pincode = '7' + String(Math.floor(Math.random() * 100_000)).padStart(5, '0');
      const created = [
        await createStore(inventory, { pincode }),
        await createStore(inventory, { pincode }),
        await createStore(inventory, { pincode, active: false }),
      ];
      const first = await inventory.api().get('/api/v1/stores').query({ pincode, limit: 2 });
      expect(first.status).toBe(200);
      expect(first.body.data.map((s: { id: string }) => s.id)).toEqual([created[0]!.id, created[1]!.id]);
      expect(first.body.meta).toEqual({ limit: 2, nextCursor: expect.any(String) });
      const second = await inventory.api().get('/api/v1/stores').query({ pincode, limit: 2, cursor: first.body.meta.nextCursor });
      expect(second.body.data.map((s: { id: string }) => s.id)).toEqual([created[2]!.id]);
      expect(second.body.meta.nextCursor).toBeNull();

      const inactive = await inventory.api().get('/api/v1/stores').query({ pincode, active: 'false' });
      expect(inactive.body.data).toEqual([expect.objectContaining({ id: created[2]!.id, active: false, openNow: false })]);
    });

    it('when anyone reads one store, then 200; an unknown id 404; a malformed id or query 400', async () => {
      const store = await createStore(inventory, { opensAt: '00:00', closesAt: '00:00' });
      const res = await inventory.api().get(`/api/v1/stores/${store.id}`);
      expect(res.status).toBe(200);
      // Equal opening and closing times: open around the clock.
      expect(res.body.data).toMatchObject({ id: store.id, openNow: true });
      expect((await inventory.api().get(`/api/v1/stores/${randomUUID()}`)).body).toMatchObject({ code: 404, errorCode: 'STORE_NOT_FOUND' });
      expect((await inventory.api().get('/api/v1/stores/not-a-uuid')).status).toBe(400);
      expect((await inventory.api().get('/api/v1/stores').query({ limit: 101 })).status).toBe(400);
      expect((await inventory.api().get('/api/v1/stores').query({ colour: 'red' })).status).toBe(400);
    });
  });

  describe('PATCH /api/v1/stores/:storeId', () => {
    it('when an admin changes a store, then it answers with the change and announces it; the same change again announces nothing', async () => {
      const store = await createStore(inventory);
      const res = await inventory
        .api()
        .patch(`/api/v1/stores/${store.id}`)
        .set('authorization', inventory.admin)
        .send({ preparationMinutes: 7, active: false });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id: store.id, preparationMinutes: 7, active: false });
      const again = await inventory
        .api()
        .patch(`/api/v1/stores/${store.id}`)
        .set('authorization', inventory.admin)
        .send({ preparationMinutes: 7 });
      expect(again.status).toBe(200);
      const events = await storeEvents(store.id);
      expect(events.map((e) => [e.data.preparationMinutes, e.data.active])).toEqual([
        [4, true],
        [7, false],
      ]);
    });

    it('when the change is empty or invalid, then 400; an unknown store 404; no token 401; a customer 403', async () => {
      const store = await createStore(inventory);
      const patch = (id: string, body: object, auth = inventory.admin) =>
        inventory.api().patch(`/api/v1/stores/${id}`).set('authorization', auth).send(body);
      expect((await patch(store.id, {})).status).toBe(400);
      expect((await patch(store.id, { closesAt: '9pm' })).status).toBe(400);
      expect((await patch(store.id, { id: randomUUID() })).status).toBe(400);
      expect((await patch(randomUUID(), { name: 'Nowhere' })).status).toBe(404);
      expect((await inventory.api().patch(`/api/v1/stores/${store.id}`).send({ name: 'X Store' })).status).toBe(401);
      expect((await patch(store.id, { name: 'X Store' }, inventory.customer)).status).toBe(403);
    });
  });

  describe('DELETE /api/v1/stores/:storeId', () => {
    it('when an admin retires a store, then 204, it is gone from reads, and it is announced inactive', async () => {
      const store = await createStore(inventory);
      expect((await inventory.api().delete(`/api/v1/stores/${store.id}`).set('authorization', inventory.admin)).status).toBe(204);
      expect((await inventory.api().get(`/api/v1/stores/${store.id}`)).status).toBe(404);
      expect((await inventory.api().delete(`/api/v1/stores/${store.id}`).set('authorization', inventory.admin)).status).toBe(404);
      expect((await storeEvents(store.id)).map((e) => e.data.active)).toEqual([true, false]);
    });

    it('when there is no token, then 401; a customer 403; a malformed id 400', async () => {
      const store = await createStore(inventory);
      expect((await inventory.api().delete(`/api/v1/stores/${store.id}`)).status).toBe(401);
      expect((await inventory.api().delete(`/api/v1/stores/${store.id}`).set('authorization', inventory.customer)).status).toBe(403);
      expect((await inventory.api().delete('/api/v1/stores/42').set('authorization', inventory.admin)).status).toBe(400);
    });
  });

  describe('GET /api/v1/stores/:storeId/availability', () => {
    it('when anyone asks for products, then every one is answered in order, 0 for products the store never stocked', async () => {
      const store = await createStore(inventory);
      const [milk, bread, never] = [randomUUID(), randomUUID(), randomUUID()];
      await restockVia(inventory, store.id, milk, 12);
      await restockVia(inventory, store.id, bread, 3);
      const res = await inventory
        .api()
        .get(`/api/v1/stores/${store.id}/availability`)
        .query({ productIds: [never, milk, bread.toUpperCase()].join(',') });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        data: [
          { productId: never, available: 0 },
          { productId: milk, available: 12 },
          { productId: bread, available: 3 },
        ],
      });
    });

    it('when the store is inactive, then nothing is available there', async () => {
      const store = await createStore(inventory);
      const product = randomUUID();
      await restockVia(inventory, store.id, product, 5);
      await inventory.api().patch(`/api/v1/stores/${store.id}`).set('authorization', inventory.admin).send({ active: false });
      const res = await inventory.api().get(`/api/v1/stores/${store.id}/availability`).query({ productIds: product });
      expect(res.body.data).toEqual([{ productId: product, available: 0 }]);
    });

    it('when the ids are missing, malformed or more than 100, then 400; an unknown store 404', async () => {
      const store = await createStore(inventory);
      const availability = (storeId: string, query: object) => inventory.api().get(`/api/v1/stores/${storeId}/availability`).query(query);
      expect((await availability(store.id, {})).status).toBe(400);
      expect((await availability(store.id, { productIds: '' })).status).toBe(400);
      expect((await availability(store.id, { productIds: `${randomUUID()},banana` })).status).toBe(400);
      const many = Array.from({ length: 101 }, () => randomUUID()).join(',');
      expect((await availability(store.id, { productIds: many })).status).toBe(400);
      expect((await availability(store.id, { productIds: Array.from({ length: 100 }, () => randomUUID()).join(',') })).status).toBe(200);
      expect((await availability(randomUUID(), { productIds: randomUUID() })).status).toBe(404);
    });
  });
});
