import { outboxEvents } from '@qc/shared/testing';
import { randomUUID } from 'node:crypto';
import { reserveForOrder } from '../../src/domain/reservations';
import { createStore, restockVia, startInventoryService, type InventoryUnderTest } from '../fixtures';

/** Stock per (store, product) through the admin API: restock, adjustments, thresholds, the ledger, alerts. */
describe('stock API', () => {
  let inventory: InventoryUnderTest;

  beforeAll(async () => {
    inventory = await startInventoryService({ label: 'inventory_stock' });
  }, 60_000);

  afterAll(() => inventory?.stop(), 30_000);

  const item = (storeId: string, productId: string) => `/api/v1/inventory/stores/${storeId}/stock/${productId}`;
  const adjust = (storeId: string, productId: string, body: object, auth = inventory.admin) =>
    inventory
      .api()
      .post(`${item(storeId, productId)}/adjustments`)
      .set('authorization', auth)
      .send(body);
  const eventsOf = async (productId: string) => (await outboxEvents(inventory.schema)).filter((e) => e.subject === productId);

  describe('restock', () => {
    it('when an admin restocks a product new to the store, then its stock row opens, the ledger names the admin and inventory.updated is written', async () => {
      const store = await createStore(inventory);
      const product = randomUUID();
      const res = await inventory
        .api()
        .post(`${item(store.id, product)}/restock`)
        .set('authorization', inventory.admin)
        .send({ quantity: 40, note: 'morning delivery' });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        storeId: store.id,
        productId: product,
        onHand: 40,
        reserved: 0,
        available: 40,
        lowStockThreshold: 10,
        level: 'IN_STOCK',
        updatedAt: expect.any(String),
      });
      const ledger = await inventory.api().get(`/api/v1/inventory/stores/${store.id}/movements`).set('authorization', inventory.admin);
      expect(ledger.body.data).toEqual([
        expect.objectContaining({
          productId: product,
          delta: 40,
          reason: 'restock',
          note: 'morning delivery',
          actor: inventory.adminId,
          onHandAfter: 40,
        }),
      ]);
      expect((await eventsOf(product)).map((e) => [e.type, e.data])).toEqual([
        ['inventory.updated', { storeId: store.id, productId: product, onHand: 40, reserved: 0, reason: 'restock' }],
      ]);
    });

    it('when the quantity is not a positive integer or a field is unknown, then 400; an unknown store 404; no token 401; a customer 403', async () => {
      const store = await createStore(inventory);
      const restock = (storeId: string, body: object, auth = inventory.admin) =>
        inventory
          .api()
          .post(`${item(storeId, randomUUID())}/restock`)
          .set('authorization', auth)
          .send(body);
      expect((await restock(store.id, { quantity: 0 })).status).toBe(400);
      expect((await restock(store.id, { quantity: 2.5 })).status).toBe(400);
      expect((await restock(store.id, { quantity: 5, onHand: 500 })).status).toBe(400);
      expect((await restock(randomUUID(), { quantity: 5 })).body).toMatchObject({ code: 404, errorCode: 'STORE_NOT_FOUND' });
      expect(
        (
          await inventory
            .api()
            .post(`${item(store.id, randomUUID())}/restock`)
            .send({ quantity: 5 })
        ).status,
      ).toBe(401);
      expect((await restock(store.id, { quantity: 5 }, inventory.customer)).status).toBe(403);
    });
  });

  describe('adjustments', () => {
    it('when an admin writes off damaged stock, then on hand drops and the ledger records the reason and note', async () => {
      const store = await createStore(inventory);
      const product = randomUUID();
      await restockVia(inventory, store.id, product, 30);
      const res = await adjust(store.id, product, { delta: -4, reason: 'damaged', note: 'crushed crate' });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ onHand: 26, reserved: 0, available: 26 });
      const ledger = await inventory
        .api()
        .get(`/api/v1/inventory/stores/${store.id}/movements`)
        .query({ productId: product })
        .set('authorization', inventory.admin);
      expect(ledger.body.data.map((m: { delta: number; reason: string }) => [m.delta, m.reason])).toEqual([
        [-4, 'damaged'],
        [30, 'restock'],
      ]);
    });

    it('when an adjustment would take on hand below zero, then 422 and nothing changes', async () => {
      const store = await createStore(inventory);
      const product = randomUUID();
      await restockVia(inventory, store.id, product, 3);
      const res = await adjust(store.id, product, { delta: -4, reason: 'lost' });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ errorCode: 'STOCK_WOULD_GO_NEGATIVE', details: [{ path: 'delta', onHand: 3 }] });
      expect((await inventory.api().get(item(store.id, product)).set('authorization', inventory.admin)).body.data.onHand).toBe(3);
    });

    it('when an adjustment would take on hand below what orders hold, then 422', async () => {
      const store = await createStore(inventory);
      const product = randomUUID();
      await restockVia(inventory, store.id, product, 10);
      await inventory.service.deps.outbox.transaction((tx, emit) =>
        reserveForOrder(
          tx,
          emit,
          { orderId: randomUUID(), storeId: store.id, items: [{ productId: product, quantity: 8 }] },
          { now: new Date(), holdForMs: 600_000 },
        ),
      );
      const res = await adjust(store.id, product, { delta: -3, reason: 'count_correction' });
      expect(res.status).toBe(422);
      expect(res.body.errorCode).toBe('STOCK_HELD_FOR_ORDERS');
      expect((await adjust(store.id, product, { delta: -2, reason: 'count_correction' })).body.data).toMatchObject({
        onHand: 8,
        reserved: 8,
        available: 0,
        level: 'OUT',
      });
    });

    it('when the delta is 0 or the reason unknown, then 400; a product never stocked 404; no token 401; a customer 403', async () => {
      const store = await createStore(inventory);
      const product = randomUUID();
      await restockVia(inventory, store.id, product, 5);
      expect((await adjust(store.id, product, { delta: 0, reason: 'lost' })).status).toBe(400);
      expect((await adjust(store.id, product, { delta: -1, reason: 'eaten' })).status).toBe(400);
      expect((await adjust(store.id, randomUUID(), { delta: -1, reason: 'lost' })).body).toMatchObject({
        code: 404,
        errorCode: 'STOCK_NOT_FOUND',
      });
      expect(
        (
          await inventory
            .api()
            .post(`${item(store.id, product)}/adjustments`)
            .send({ delta: -1, reason: 'lost' })
        ).status,
      ).toBe(401);
      expect((await adjust(store.id, product, { delta: -1, reason: 'lost' }, inventory.customer)).status).toBe(403);
    });
  });

  describe('low-stock threshold', () => {
    it('when an admin sets a threshold for a product the store never had, then it is stocked at zero without an alert', async () => {
      const store = await createStore(inventory);
      const product = randomUUID();
      const res = await inventory.api().put(item(store.id, product)).set('authorization', inventory.admin).send({ lowStockThreshold: 3 });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ onHand: 0, available: 0, lowStockThreshold: 3, level: 'OUT' });
      expect(await eventsOf(product)).toEqual([]);
    });

    it('when the threshold is raised above what is available, then low stock fires once', async () => {
      const store = await createStore(inventory);
      const product = randomUUID();
      await restockVia(inventory, store.id, product, 12);
      for (const threshold of [15, 20]) {
        const res = await inventory
          .api()
          .put(item(store.id, product))
          .set('authorization', inventory.admin)
          .send({ lowStockThreshold: threshold });
        expect(res.body.data).toMatchObject({ lowStockThreshold: threshold, level: 'LOW' });
      }
      expect((await eventsOf(product)).filter((e) => e.type === 'inventory.low_stock').map((e) => e.data)).toEqual([
        { storeId: store.id, productId: product, available: 12, threshold: 15 },
      ]);
    });

    it('when the threshold is negative or missing, then 400; no token 401; a customer 403', async () => {
      const store = await createStore(inventory);
      const put = (body: object, auth = inventory.admin) =>
        inventory.api().put(item(store.id, randomUUID())).set('authorization', auth).send(body);
      expect((await put({ lowStockThreshold: -1 })).status).toBe(400);
      expect((await put({})).status).toBe(400);
      expect((await inventory.api().put(item(store.id, randomUUID())).send({ lowStockThreshold: 1 })).status).toBe(401);
      expect((await put({ lowStockThreshold: 1 }, inventory.customer)).status).toBe(403);
    });
  });

  describe('alerts', () => {
    it('when stock falls, recovers and falls again, then low and out of stock are written once per crossing, not on every change', async () => {
      const store = await createStore(inventory);
      const product = randomUUID();
      await inventory.api().put(item(store.id, product)).set('authorization', inventory.admin).send({ lowStockThreshold: 5 });
      await restockVia(inventory, store.id, product, 20);
      for (const delta of [-14, -1, -1, -4])
        expect((await adjust(store.id, product, { delta, reason: 'count_correction' })).status).toBe(200);
      await restockVia(inventory, store.id, product, 2);
      expect((await adjust(store.id, product, { delta: -2, reason: 'expired' })).status).toBe(200);
      await restockVia(inventory, store.id, product, 10);
      expect((await adjust(store.id, product, { delta: -6, reason: 'damaged' })).status).toBe(200);

      const events = await eventsOf(product);
      // available after each change: 20, 6, 5, 4, 0, 2, 0, 10, 4
      const updates = (await outboxEvents(inventory.schema, 'inventory.updated')).filter((e) => e.subject === product);
      expect(updates.map((e) => e.data.onHand)).toEqual([20, 6, 5, 4, 0, 2, 0, 10, 4]);
      expect(
        events.filter((e) => e.type !== 'inventory.updated').map((e) => [e.type, 'available' in e.data ? e.data.available : 0]),
      ).toEqual([
        ['inventory.low_stock', 5],
        ['inventory.out_of_stock', 0],
        ['inventory.out_of_stock', 0],
        ['inventory.low_stock', 4],
      ]);
    });
  });

  describe('reads', () => {
    it('when an admin lists a store’s stock, then it comes in product id pages, filterable by level', async () => {
      const store = await createStore(inventory);
      const products = [randomUUID(), randomUUID(), randomUUID()].sort();
      await restockVia(inventory, store.id, products[0]!, 50);
      await restockVia(inventory, store.id, products[1]!, 2);
      await inventory.api().put(item(store.id, products[2]!)).set('authorization', inventory.admin).send({ lowStockThreshold: 10 });
      const list = (query: object) =>
        inventory.api().get(`/api/v1/inventory/stores/${store.id}/stock`).query(query).set('authorization', inventory.admin);

      const first = await list({ limit: 2 });
      expect(first.body.data.map((s: { productId: string }) => s.productId)).toEqual(products.slice(0, 2));
      const second = await list({ limit: 2, cursor: first.body.meta.nextCursor });
      expect(second.body.data.map((s: { productId: string }) => s.productId)).toEqual([products[2]]);
      expect(second.body.meta.nextCursor).toBeNull();
      expect((await list({ level: 'LOW' })).body.data.map((s: { productId: string }) => s.productId)).toEqual([products[1]]);
      expect((await list({ level: 'OUT' })).body.data.map((s: { productId: string }) => s.productId)).toEqual([products[2]]);
    });

    it('when the ledger is paged, then it goes newest first and its deltas add up to what is on hand', async () => {
      const store = await createStore(inventory);
      const product = randomUUID();
      await restockVia(inventory, store.id, product, 10);
      await adjust(store.id, product, { delta: -3, reason: 'damaged' });
      await restockVia(inventory, store.id, product, 5);
      const ledger = (query: object) =>
        inventory.api().get(`/api/v1/inventory/stores/${store.id}/movements`).query(query).set('authorization', inventory.admin);
      const first = await ledger({ limit: 2 });
      const second = await ledger({ limit: 2, cursor: first.body.meta.nextCursor });
      const movements = [...first.body.data, ...second.body.data];
      expect(movements.map((m: { delta: number }) => m.delta)).toEqual([5, -3, 10]);
      expect(movements.reduce((sum: number, m: { delta: number }) => sum + m.delta, 0)).toBe(12);
      expect((await inventory.api().get(item(store.id, product)).set('authorization', inventory.admin)).body.data.onHand).toBe(12);
    });

    it('when a read is malformed, then 400; unknown store or item 404; no token 401; a customer 403', async () => {
      const store = await createStore(inventory);
      const get = (path: string, auth = inventory.admin) => inventory.api().get(path).set('authorization', auth);
      expect((await get(`/api/v1/inventory/stores/${store.id}/stock?level=HIGH`)).status).toBe(400);
      expect((await get(`/api/v1/inventory/stores/${store.id}/stock?cursor=garbage`)).status).toBe(400);
      expect((await get(`/api/v1/inventory/stores/${store.id}/movements?productId=x`)).status).toBe(400);
      expect((await get(`/api/v1/inventory/stores/${randomUUID()}/stock`)).status).toBe(404);
      expect((await get(`/api/v1/inventory/stores/${randomUUID()}/movements`)).status).toBe(404);
      expect((await get(item(store.id, randomUUID()))).body.errorCode).toBe('STOCK_NOT_FOUND');
      for (const path of [
        `/api/v1/inventory/stores/${store.id}/stock`,
        item(store.id, randomUUID()),
        `/api/v1/inventory/stores/${store.id}/movements`,
      ]) {
        expect((await inventory.api().get(path)).status).toBe(401);
        expect((await get(path, inventory.customer)).status).toBe(403);
      }
    });
  });
});
