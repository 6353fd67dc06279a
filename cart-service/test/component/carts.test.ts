import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { newEvent, type CatalogEvent } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { eventually, outboxEvents, testKafka } from '@qc/shared/testing';
import { CartCache } from '../../src/data/cart-cache';
import {
  changeProduct,
  createProduct,
  createStore,
  locationStandIn,
  moveStock,
  startCartService,
  startInventoryService,
  startProductService,
  userStandIn,
  type Address,
  type CartServiceUnderTest,
  type Product,
  type StandIn,
  type UpstreamUnderTest,
} from '../fixtures';

/**
 * cart-service against real product- and inventory-services (each on its own schema), with small
 * HTTP servers standing in for location-service (which store serves a point) and user-service (the
 * caller's addresses), real MariaDB, Redis and Kafka. The last block stops inventory, then product.
 */
describe('cart-service', () => {
  let product: UpstreamUnderTest;
  let inventory: UpstreamUnderTest;
  let location: StandIn;
  let users: StandIn;
  let cart: CartServiceUnderTest;
  let producer: Producer;
  let storeA: string;
  let storeB: string;
  const storeByPoint = new Map<string, string>();
  const addresses = new Map<string, Address>();

  beforeAll(async () => {
    [product, inventory] = await Promise.all([startProductService('cart_products'), startInventoryService('cart_inventory')]);
    [storeA, storeB] = await Promise.all([createStore(inventory), createStore(inventory)]);
    storeByPoint.set('12.9352,77.6245', storeA).set('12.9716,77.5946', storeB);
    [location, users] = await Promise.all([locationStandIn(storeByPoint), userStandIn(addresses)]);
    cart = await startCartService('carts', {
      env: {
        PRODUCT_SERVICE_URL: product.url,
        INVENTORY_SERVICE_URL: inventory.url,
        LOCATION_SERVICE_URL: location.url,
        USER_SERVICE_URL: users.url,
        CART_MAX_LINE_QUANTITY: '12',
        CART_MAX_LINES: '4',
        CART_MAX_UNITS: '30',
      },
    });
    producer = testKafka('cart-order-events-test').producer();
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await cart?.stop();
    await Promise.all([product?.stop(), inventory?.stop(), location?.stop(), users?.stop()]);
  }, 60_000);

  /** A new customer with an address at `point` ('A', 'B', or nowhere served); returns their token and address id. */
  function aCustomer(point: 'A' | 'B' | 'nowhere' = 'A') {
    const userId = randomUUID();
    const [lat, lng] = point === 'A' ? [12.9352, 77.6245] : point === 'B' ? [12.9716, 77.5946] : [0.5, 0.5];
    const address = { id: randomUUID(), userId, lat, lng };
    addresses.set(address.id, address);
    return { userId, auth: cart.customer(userId), addressId: address.id };
  }
  /** A product stocked at store A (and B when given) at `price` paise. */
  async function aStockedProduct(price: number, atA: number, atB = 0): Promise<Product> {
    const created = await createProduct(product, price);
    await moveStock(inventory, storeA, created.id, atA);
    if (atB > 0) await moveStock(inventory, storeB, created.id, atB);
    return created;
  }
  const get = (auth: string) => cart.api().get('/api/v1/carts/me').set('authorization', auth);
  const choose = (auth: string, addressId: string) => cart.api().put('/api/v1/carts/me').set('authorization', auth).send({ addressId });
  const add = (auth: string, productId: string, quantity: number) =>
    cart.api().post('/api/v1/carts/me/items').set('authorization', auth).send({ productId, quantity });
  const set = (auth: string, productId: string, quantity: number) =>
    cart.api().put(`/api/v1/carts/me/items/${productId}`).set('authorization', auth).send({ quantity });
  const remove = (auth: string, productId: string) => cart.api().delete(`/api/v1/carts/me/items/${productId}`).set('authorization', auth);
  const inr = (amount: number) => ({ amount, currency: 'INR' });
  const eventsOf = async (cartId: string) =>
    (await outboxEvents(cart.schema)).filter((e) => e.subject === cartId).map(({ type, data }) => ({ type, data }));

  describe('access', () => {
    it('when there is no token, then 401; when the caller is not a customer, then 403', async () => {
      expect((await cart.api().get('/api/v1/carts/me')).status).toBe(401);
      const admin = cart.issuer.bearer({ role: 'admin' });
      expect((await get(admin)).status).toBe(403);
      expect((await cart.api().delete('/api/v1/carts/me').set('authorization', admin)).status).toBe(403);
    });

    it('when a customer has never added anything, then their cart is empty and has no store yet', async () => {
      const { userId, auth } = aCustomer();
      const res = await get(auth);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        userId,
        storeId: null,
        addressId: null,
        items: [],
        itemTotal: inr(0),
        itemCount: 0,
        availability: 'NO_STORE',
      });
      expect(res.body.data.id).toEqual(expect.any(String));
      expect((await get(auth)).body.data.id).toBe(res.body.data.id);
    });

    it('when a body carries an unknown field or a bad quantity, then 400 and nothing changes', async () => {
      const { auth } = aCustomer();
      const productId = randomUUID();
      expect(
        (await cart.api().post('/api/v1/carts/me/items').set('authorization', auth).send({ productId, quantity: 1, price: 1 })).status,
      ).toBe(400);
      for (const quantity of [0, -1, 1.5, '2']) expect((await add(auth, productId, quantity as number)).status).toBe(400);
      expect((await set(auth, productId, -1)).status).toBe(400);
      expect((await get(auth)).body.data).toMatchObject({ items: [], version: 1 });
    });
  });

  describe('lines, prices and stock', () => {
    it('when a customer picks an address and adds products, then each line has today’s price, stock at their store, and totals', async () => {
      const { auth, addressId } = aCustomer();
      const [milk, bread] = await Promise.all([aStockedProduct(4_500, 20), aStockedProduct(3_000, 5)]);
      const chosen = await choose(auth, addressId);
      expect(chosen.status).toBe(200);
      expect(chosen.body.data).toMatchObject({ storeId: storeA, addressId, availability: 'LIVE' });
      expect(users.calls.at(-1)!.authorization).toBe(auth);

      expect((await add(auth, milk.id, 2)).status).toBe(200);
      expect((await add(auth, milk.id, 1)).status).toBe(200);
      const res = await add(auth, bread.id, 1);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ itemTotal: inr(3 * 4_500 + 3_000), itemCount: 4, availability: 'LIVE' });
      expect(res.body.data.items).toEqual([
        expect.objectContaining({
          productId: milk.id,
          name: milk.name,
          quantity: 3,
          price: inr(4_500),
          mrp: inr(5_400),
          lineTotal: inr(13_500),
          available: true,
          availableQuantity: 20,
          availabilityKnown: true,
          changes: [],
        }),
        expect.objectContaining({ productId: bread.id, quantity: 1, lineTotal: inr(3_000), availableQuantity: 5, changes: [] }),
      ]);
      expect((await get(auth)).body.data).toEqual(res.body.data);
    });

    it('when a line is set or removed, then the cart holds exactly that', async () => {
      const { auth, addressId } = aCustomer();
      const [a, b] = await Promise.all([aStockedProduct(1_000, 10), aStockedProduct(2_000, 10)]);
      await choose(auth, addressId);
      await add(auth, a.id, 2);
      await add(auth, b.id, 2);
      expect((await set(auth, a.id, 5)).body.data.items.map((i: { quantity: number }) => i.quantity)).toEqual([5, 2]);
      expect((await remove(auth, b.id)).body.data.items.map((i: { productId: string }) => i.productId)).toEqual([a.id]);
      expect((await remove(auth, b.id)).body).toMatchObject({ code: 404, errorCode: 'CART_LINE_NOT_FOUND' });
      expect((await set(auth, a.id, 0)).body.data.items).toEqual([]);
    });

    it('when the product is unknown or inactive, then 404 PRODUCT_NOT_FOUND; once in the cart, an inactive product is UNAVAILABLE and only removable', async () => {
      const { auth, addressId } = aCustomer();
      await choose(auth, addressId);
      expect((await add(auth, randomUUID(), 1)).body).toMatchObject({ code: 404, errorCode: 'PRODUCT_NOT_FOUND' });
      const hidden = await aStockedProduct(1_000, 10);
      await changeProduct(product, hidden.id, { active: false });
      expect((await add(auth, hidden.id, 1)).body).toMatchObject({ code: 404, errorCode: 'PRODUCT_NOT_FOUND' });

      const withdrawn = await aStockedProduct(2_500, 10);
      await add(auth, withdrawn.id, 2);
      await changeProduct(product, withdrawn.id, { active: false });
      const res = await get(auth);
      expect(res.body.data.items[0]).toMatchObject({
        productId: withdrawn.id,
        price: inr(2_500),
        lineTotal: inr(0),
        available: false,
        changes: [{ kind: 'UNAVAILABLE' }],
      });
      expect(res.body.data.itemTotal).toEqual(inr(0));
      expect((await set(auth, withdrawn.id, 3)).body).toMatchObject({ code: 422, errorCode: 'PRODUCT_UNAVAILABLE' });
      expect((await remove(auth, withdrawn.id)).status).toBe(200);
    });

    it('when the price moves and the stock falls after a line was added, then the read says so: PRICE_UP/DOWN, QUANTITY_CAPPED, OUT_OF_STOCK', async () => {
      const { auth, addressId } = aCustomer();
      const [dearer, cheaper, scarce] = await Promise.all([
        aStockedProduct(1_000, 10),
        aStockedProduct(2_000, 10),
        aStockedProduct(500, 10),
      ]);
      await choose(auth, addressId);
      await add(auth, dearer.id, 2);
      await add(auth, cheaper.id, 1);
      await add(auth, scarce.id, 5);

      await changeProduct(product, dearer.id, { price: inr(1_100) });
      await changeProduct(product, cheaper.id, { price: inr(1_800) });
      await moveStock(inventory, storeA, scarce.id, -8);
      let items = (await get(auth)).body.data.items;
      expect(items[0]).toMatchObject({
        price: inr(1_100),
        lineTotal: inr(2_200),
        changes: [{ kind: 'PRICE_UP', from: inr(1_000), to: inr(1_100) }],
      });
      expect(items[1]).toMatchObject({ price: inr(1_800), changes: [{ kind: 'PRICE_DOWN', from: inr(2_000), to: inr(1_800) }] });
      expect(items[2]).toMatchObject({
        quantity: 5,
        available: true,
        availableQuantity: 2,
        lineTotal: inr(1_000),
        changes: [{ kind: 'QUANTITY_CAPPED', requested: 5, available: 2 }],
      });

      await moveStock(inventory, storeA, scarce.id, -2);
      items = (await get(auth)).body.data.items;
      expect(items[2]).toMatchObject({ available: false, availableQuantity: 0, lineTotal: inr(0), changes: [{ kind: 'OUT_OF_STOCK' }] });

      // Choosing the quantity again takes today's price as the new baseline.
      expect((await set(auth, dearer.id, 1)).body.data.items[0]).toMatchObject({ price: inr(1_100), changes: [] });
    });

    it('when a change asks for more than the store has, then 422 STOCK_INSUFFICIENT or OUT_OF_STOCK and the cart is unchanged', async () => {
      const { auth, addressId } = aCustomer();
      const [few, none] = await Promise.all([aStockedProduct(1_000, 3), createProduct(product, 1_000)]);
      await choose(auth, addressId);
      await add(auth, few.id, 2);
      const before = (await get(auth)).body.data;
      expect((await add(auth, few.id, 2)).body).toMatchObject({
        code: 422,
        errorCode: 'STOCK_INSUFFICIENT',
        details: [expect.objectContaining({ available: 3, requested: 4 })],
      });
      expect((await add(auth, none.id, 1)).body).toMatchObject({ code: 422, errorCode: 'OUT_OF_STOCK' });
      expect((await get(auth)).body.data).toEqual(before);
    });

    it('when a change passes the per-line, per-cart line or unit limits, then 422 with the limit’s code and the cart is unchanged', async () => {
      const { auth, addressId } = aCustomer();
      const products = await Promise.all([1, 2, 3, 4, 5].map(() => aStockedProduct(100, 50)));
      await choose(auth, addressId);
      expect((await add(auth, products[0]!.id, 13)).body).toMatchObject({
        code: 422,
        errorCode: 'LINE_QUANTITY_LIMIT',
        details: [expect.objectContaining({ max: 12 })],
      });
      for (const p of products.slice(0, 4)) expect((await add(auth, p.id, 7)).status).toBe(200);
      expect((await add(auth, products[4]!.id, 1)).body).toMatchObject({ code: 422, errorCode: 'CART_LINES_LIMIT' });
      expect((await add(auth, products[0]!.id, 3)).body).toMatchObject({ code: 422, errorCode: 'CART_UNITS_LIMIT' });
      const after = (await get(auth)).body.data;
      expect(after).toMatchObject({ itemCount: 28, version: 6 });
      expect(after.items).toHaveLength(4);
    });

    it('when many changes to one cart arrive at once, then none is lost: the row lock takes them one at a time', async () => {
      const { auth, addressId } = aCustomer();
      const [a, b] = await Promise.all([aStockedProduct(100, 50), aStockedProduct(100, 50)]);
      await choose(auth, addressId);
      const results = await Promise.all([
        ...Array.from({ length: 12 }, () => add(auth, a.id, 1)),
        ...Array.from({ length: 6 }, () => add(auth, b.id, 2)),
      ]);
      expect(results.map((r) => r.status)).toEqual(Array(18).fill(200));
      const after = (await get(auth)).body.data;
      expect(after.items.map((i: { productId: string; quantity: number }) => [i.productId, i.quantity]).sort()).toEqual(
        [
          [a.id, 12],
          [b.id, 12],
        ].sort(),
      );
      expect(after.version).toBe(2 + 18);
      expect((await add(auth, a.id, 1)).body.errorCode).toBe('LINE_QUANTITY_LIMIT');
    });
  });

  describe('Redis and MySQL', () => {
    it('when the cart’s Redis key is flushed, then the cart reads back intact from MySQL, and is hot in Redis again', async () => {
      const { userId, auth, addressId } = aCustomer();
      const a = await aStockedProduct(1_000, 10);
      await choose(auth, addressId);
      await add(auth, a.id, 3);
      const before = (await get(auth)).body.data;
      const redis = cart.service.deps.redis;
      expect(JSON.parse((await redis.get(CartCache.key(userId)))!)).toMatchObject({ id: before.id, version: before.version });

      expect(await redis.del(CartCache.key(userId))).toBe(1);
      expect((await get(auth)).body.data).toEqual(before);
      expect(await redis.exists(CartCache.key(userId))).toBe(1);
    });

    it('when Redis holds an older copy than the last change, then that copy never replaces the newer one', async () => {
      const { userId, auth } = aCustomer();
      const a = await aStockedProduct(1_000, 10);
      await add(auth, a.id, 1);
      const older = JSON.parse((await cart.service.deps.redis.get(CartCache.key(userId)))!);
      await add(auth, a.id, 1);
      await new CartCache(cart.service.deps.redis, 60, cart.service.deps.logger).put(older);
      expect((await get(auth)).body.data.items[0].quantity).toBe(2);
    });
  });

  describe('the store follows the address', () => {
    it('when the address moves to another store, then the cart becomes that store’s, re-checked against its stock', async () => {
      const { auth, addressId } = aCustomer('A');
      const [both, onlyA] = await Promise.all([aStockedProduct(1_000, 10, 1), aStockedProduct(2_000, 10)]);
      await choose(auth, addressId);
      await add(auth, both.id, 3);
      await add(auth, onlyA.id, 1);
      const atA = (await get(auth)).body.data;

      const elsewhere = { id: randomUUID(), userId: atA.userId, lat: 12.9716, lng: 77.5946 };
      addresses.set(elsewhere.id, elsewhere);
      const res = await choose(auth, elsewhere.id);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id: atA.id, storeId: storeB, addressId: elsewhere.id, availability: 'LIVE' });
      expect(res.body.data.items).toEqual([
        expect.objectContaining({
          productId: both.id,
          quantity: 3,
          availableQuantity: 1,
          changes: [{ kind: 'QUANTITY_CAPPED', requested: 3, available: 1 }],
        }),
        expect.objectContaining({ productId: onlyA.id, available: false, changes: [{ kind: 'OUT_OF_STOCK' }] }),
      ]);
      const events = await eventsOf(atA.id);
      expect(events.at(-1)).toEqual({
        type: 'cart.updated',
        data: {
          cartId: atA.id,
          userId: atA.userId,
          storeId: storeB,
          items: [
            { productId: both.id, quantity: 3 },
            { productId: onlyA.id, quantity: 1 },
          ],
        },
      });
    });

    it('when the address is someone else’s, then 404; when no store serves it, then 422; neither changes the cart', async () => {
      const { auth, addressId } = aCustomer('A');
      const stranger = aCustomer('B');
      const nowhere = aCustomer('nowhere');
      await choose(auth, addressId);
      expect((await choose(auth, stranger.addressId)).body).toMatchObject({ code: 404, errorCode: 'ADDRESS_NOT_FOUND' });
      expect((await choose(nowhere.auth, nowhere.addressId)).body).toMatchObject({ code: 422, errorCode: 'ADDRESS_NOT_SERVICEABLE' });
      expect((await get(auth)).body.data).toMatchObject({ storeId: storeA, addressId, version: 2 });
    });

    it('when inventory-service does not know the address’s store (closed down since), then availability is UNKNOWN, not an error', async () => {
      const closedDown = randomUUID();
      storeByPoint.set('12.9,77.6', closedDown);
      const userId = randomUUID();
      const address = { id: randomUUID(), userId, lat: 12.9, lng: 77.6 };
      addresses.set(address.id, address);
      const auth = cart.customer(userId);
      const milk = await aStockedProduct(4_500, 20);
      expect((await choose(auth, address.id)).body.data).toMatchObject({ storeId: closedDown });
      const added = await add(auth, milk.id, 2);
      expect(added.status).toBe(200);
      expect(added.body.data).toMatchObject({ availability: 'UNKNOWN', itemTotal: inr(9_000) });
      expect(added.body.data.items[0]).toMatchObject({ availabilityKnown: false, available: false, quantity: 2 });
    });
  });

  describe('events and order confirmation', () => {
    const publish = (event: CatalogEvent) =>
      producer.send({ topic: eventsTopic('order-service'), messages: [{ key: event.subject, value: JSON.stringify(event) }] });
    /** Waits until cart-service's consumer has handled the event (its processed-events record). */
    const processed = (eventId: string) =>
      eventually(async () => {
        const rows: unknown[] = await cart.service.deps.dataSource.query('SELECT 1 FROM processed_events WHERE event_id = ?', [eventId]);
        return rows.length === 1;
      });
    const orderConfirmed = (userId: string, storeId: string, productId: string, orderId: string = randomUUID()) => {
      return newEvent(
        'order-service',
        'order.confirmed',
        { orderId, userId, storeId, items: [{ productId, quantity: 1 }] },
        { subject: orderId },
      );
    };

    it('when lines change and the customer empties the cart, then cart.updated per change and cart.cleared (CUSTOMER) are in the outbox', async () => {
      const { userId, auth, addressId } = aCustomer();
      const a = await aStockedProduct(1_000, 10);
      await choose(auth, addressId);
      await add(auth, a.id, 2);
      const { id: cartId } = (await get(auth)).body.data;
      expect((await cart.api().delete('/api/v1/carts/me').set('authorization', auth)).status).toBe(204);
      expect((await get(auth)).body.data).toMatchObject({ items: [], storeId: storeA, addressId });
      expect((await cart.api().delete('/api/v1/carts/me').set('authorization', auth)).status).toBe(204);
      expect(await eventsOf(cartId)).toEqual([
        { type: 'cart.updated', data: { cartId, userId, storeId: storeA, items: [] } },
        { type: 'cart.updated', data: { cartId, userId, storeId: storeA, items: [{ productId: a.id, quantity: 2 }] } },
        { type: 'cart.cleared', data: { cartId, userId, reason: 'CUSTOMER' } },
      ]);
    });

    it('when the order is confirmed, then the cart is cleared (cart.cleared ORDER_CONFIRMED); a redelivery or another store’s order clears nothing', async () => {
      const { userId, auth, addressId } = aCustomer();
      const a = await aStockedProduct(1_000, 10);
      await choose(auth, addressId);
      await add(auth, a.id, 2);
      const { id: cartId } = (await get(auth)).body.data;

      const elsewhere = orderConfirmed(userId, storeB, a.id);
      await publish(elsewhere);
      await processed(elsewhere.id);
      expect((await get(auth)).body.data.items).toEqual([expect.objectContaining({ productId: a.id, quantity: 2 })]);

      const confirmed = orderConfirmed(userId, storeA, a.id);
      await publish(confirmed);
      await eventually(async () => (await get(auth)).body.data.items.length === 0);
      const cleared = (await outboxEvents(cart.schema, 'cart.cleared')).filter((e) => e.subject === cartId);
      expect(cleared.map(({ type, data, causationid }) => ({ type, data, causationid }))).toEqual([
        { type: 'cart.cleared', data: { cartId, userId, reason: 'ORDER_CONFIRMED' }, causationid: confirmed.id },
      ]);

      // The customer fills the cart again; the same event delivered again leaves it alone.
      await add(auth, a.id, 1);
      await publish(confirmed);
      // A later event of the same order (same key, so same partition) shows the redelivery was handled.
      const marker = orderConfirmed(randomUUID(), storeA, a.id, confirmed.data.orderId);
      await publish(marker);
      await processed(marker.id);
      expect((await get(auth)).body.data.items).toEqual([expect.objectContaining({ productId: a.id, quantity: 1 })]);
    });
  });

  describe('when a dependency is down', () => {
    let customer: ReturnType<typeof aCustomer>;
    let a: Product;
    let b: Product;

    beforeAll(async () => {
      customer = aCustomer();
      [a, b] = await Promise.all([aStockedProduct(1_000, 10), aStockedProduct(2_000, 10)]);
      await choose(customer.auth, customer.addressId);
      await add(customer.auth, a.id, 2);
    });

    it('when inventory-service is stopped, then the cart still reads (availability UNKNOWN) and changes still go through', async () => {
      await inventory.stop();
      const res = await get(customer.auth);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ availability: 'UNKNOWN', itemTotal: inr(2_000) });
      expect(res.body.data.items[0]).toMatchObject({ available: false, availabilityKnown: false, availableQuantity: 0, changes: [] });
      const added = await add(customer.auth, b.id, 1);
      expect(added.status).toBe(200);
      expect(added.body.data).toMatchObject({ availability: 'UNKNOWN', itemCount: 3, itemTotal: inr(4_000) });
    });

    it('when product-service is stopped too, then reads and changes answer 503 with Retry-After and change nothing; the cart is kept', async () => {
      const before = (await get(customer.auth)).body.data;
      await product.stop();
      const read = await get(customer.auth);
      expect(read.status).toBe(503);
      expect(read.body).toMatchObject({ code: 503, errorCode: 'DEPENDENCY_UNAVAILABLE' });
      expect(read.headers['retry-after']).toBeDefined();
      expect((await add(customer.auth, a.id, 1)).status).toBe(503);
      expect((await remove(customer.auth, b.id)).status).toBe(503);
      expect((await set(customer.auth, a.id, 0)).status).toBe(503);
      const stored = JSON.parse((await cart.service.deps.redis.get(CartCache.key(customer.userId)))!);
      expect(stored).toMatchObject({
        version: before.version,
        lines: [expect.objectContaining({ quantity: 2 }), expect.objectContaining({ quantity: 1 })],
      });
      // Emptying needs no price: it works, and the empty cart reads again without product-service.
      expect((await cart.api().delete('/api/v1/carts/me').set('authorization', customer.auth)).status).toBe(204);
      expect((await get(customer.auth)).body.data).toMatchObject({ items: [], itemTotal: inr(0) });
    });
  });
});
