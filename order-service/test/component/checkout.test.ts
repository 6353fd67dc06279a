import { randomUUID } from 'node:crypto';
import { outboxEvents, rootQuery } from '@qc/shared/testing';
import { startOrderService, type Customer, type OrderServiceUnderTest } from '../fixtures';

/**
 * Checkout through the HTTP API: prices from the real product-service, the store from the address,
 * the pricing engine with coupons, Idempotency-Key, and what customers and admins may do to orders.
 */
describe('checkout', () => {
  let t: OrderServiceUnderTest;
  const inr = (amount: number) => ({ amount, currency: 'INR' });

  beforeAll(async () => {
    t = await startOrderService('order_checkout');
  }, 90_000);
  afterAll(async () => t?.stop(), 30_000);

  const place = (customer: Customer, body: Record<string, unknown>, key: string = randomUUID()) =>
    t
      .api()
      .post('/api/v1/orders')
      .set('authorization', customer.bearer)
      .set('idempotency-key', key)
      .send({ addressId: customer.addressId, paymentMethod: 'UPI', ...body });
  const aCoupon = async (body: Record<string, unknown>) => {
    const res = await t
      .api()
      .post('/api/v1/coupons')
      .set('authorization', t.admin)
      .send({ code: `T${randomUUID().slice(0, 8)}`, ...body });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; code: string; version: number };
  };

  it('when a customer orders explicit lines, then prices come from the catalog and the order is PENDING with order.created in the outbox', async () => {
    const [milk, bread] = [await t.catalog.product(3_200, 3_500, 'Milk 1 l'), await t.catalog.product(4_500)];
    const customer = t.newCustomer();
    const res = await place(customer, {
      items: [
        { productId: milk, quantity: 2 },
        { productId: bread, quantity: 1 },
        { productId: milk, quantity: 1 },
      ],
    });

    expect(res.status).toBe(201);
    const order = res.body.data;
    expect(order).toMatchObject({
      userId: customer.userId,
      addressId: customer.addressId,
      storeId: t.neighbours.storeOf(customer.addressId),
      zoneId: t.neighbours.zoneOf(customer.addressId),
      status: 'PENDING',
      paymentMethod: 'UPI',
      couponCode: null,
      paymentDueBy: null,
      refundedAmount: inr(0),
      cancellationReason: null,
      items: [
        { productId: milk, name: 'Milk 1 l', quantity: 3, unitPrice: inr(3_200), mrp: inr(3_500), lineTotal: inr(9_600) },
        { productId: bread, quantity: 1, unitPrice: inr(4_500), lineTotal: inr(4_500) },
      ],
      // 14 100 of items: below the free-delivery threshold, above the small-cart one.
      pricing: {
        itemTotal: inr(14_100),
        mrpTotal: inr(15_000),
        savings: inr(900),
        couponDiscount: inr(0),
        deliveryFee: inr(2_500),
        smallCartFee: inr(0),
        handlingFee: inr(500),
        tax: inr(0),
        total: inr(17_100),
      },
      history: [{ status: 'PENDING', actor: customer.userId, reason: 'ORDER_PLACED' }],
    });
    expect(order.zoneId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    const [created] = (await outboxEvents(t.schema, 'order.created')).filter((e) => e.data.orderId === order.id);
    expect(created).toMatchObject({
      subject: order.id,
      data: {
        userId: customer.userId,
        storeId: order.storeId,
        zoneId: order.zoneId,
        total: inr(17_100),
        paymentMethod: 'UPI',
        addressId: customer.addressId,
        dropoff: { lat: expect.any(Number), lng: expect.any(Number) },
        items: [
          { productId: milk, quantity: 3, unitPrice: inr(3_200) },
          { productId: bread, quantity: 1, unitPrice: inr(4_500) },
        ],
      },
    });
  }, 30_000);

  it('when location-service names no zone for the address, then the order is placed at its store with a null zone and order.created leaves it out', async () => {
    const product = await t.catalog.product(5_000);
    const customer = t.newCustomer();
    t.neighbours.namesZones = false;
    try {
      const res = await place(customer, { items: [{ productId: product, quantity: 1 }] });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ storeId: t.neighbours.storeOf(customer.addressId), zoneId: null });
      const read = await t.api().get(`/api/v1/orders/${res.body.data.id}`).set('authorization', customer.bearer);
      expect(read.body.data).toMatchObject({ id: res.body.data.id, zoneId: null });
      const [created] = (await outboxEvents(t.schema, 'order.created')).filter((e) => e.data.orderId === res.body.data.id);
      expect(created!.data).not.toHaveProperty('zoneId');
    } finally {
      t.neighbours.namesZones = true;
    }
  }, 30_000);

  it('when the body carries a price or an unknown field, then it is a 400 and nothing is created', async () => {
    const product = await t.catalog.product(1_000);
    const customer = t.newCustomer();
    const res = await place(customer, { items: [{ productId: product, quantity: 1, unitPrice: inr(1) }] });
    expect(res.status).toBe(400);
    expect((await place(customer, { paymentMethod: 'BITCOIN', items: [{ productId: product, quantity: 1 }] })).status).toBe(400);
    expect((await t.api().get('/api/v1/orders').set('authorization', customer.bearer)).body.data).toEqual([]);
  }, 30_000);

  it('when no items are sent, then the caller’s cart is ordered (read with their own token); an empty cart is a 422', async () => {
    const product = await t.catalog.product(25_000);
    const customer = t.newCustomer();
    const empty = await place(customer, {});
    expect(empty.status).toBe(422);
    expect(empty.body.errorCode).toBe('CART_EMPTY');

    t.neighbours.carts.set(customer.userId, [{ productId: product, quantity: 2 }]);
    const res = await place(customer, {});
    expect(res.status).toBe(201);
    expect(res.body.data.items).toEqual([expect.objectContaining({ productId: product, quantity: 2 })]);
    expect(res.body.data.pricing).toMatchObject({ itemTotal: inr(50_000), deliveryFee: inr(0), total: inr(50_500) });
  }, 30_000);

  it('when the address is someone else’s, unserved or its store closed, or a product is not for sale, then it is a 422 naming why', async () => {
    const product = await t.catalog.product(10_000);
    const retired = await t.catalog.product(10_000);
    await t.catalog.change(retired, { active: false });
    const customer = t.newCustomer();
    const other = t.newCustomer();
    const items = [{ productId: product, quantity: 1 }];

    const cases: [Record<string, unknown>, string][] = [
      [{ addressId: other.addressId, items }, 'ADDRESS_NOT_FOUND'],
      [{ addressId: t.neighbours.addAddress(customer.userId, { lat: 13.2, lng: 77.9 }, null), items }, 'ADDRESS_NOT_SERVICEABLE'],
      [{ addressId: t.neighbours.addAddress(customer.userId, { lat: 12.9, lng: 77.6 }, randomUUID(), false), items }, 'STORE_CLOSED'],
      [{ items: [...items, { productId: retired, quantity: 1 }] }, 'PRODUCT_UNAVAILABLE'],
      [{ items: [{ productId: randomUUID(), quantity: 1 }] }, 'PRODUCT_UNAVAILABLE'],
    ];
    for (const [body, errorCode] of cases) {
      const res = await place(customer, body);
      expect({ status: res.status, errorCode: res.body.errorCode }).toEqual({ status: 422, errorCode });
    }
    expect((await t.api().get('/api/v1/orders').set('authorization', customer.bearer)).body.data).toEqual([]);
  }, 30_000);

  it('when a dependency is down, then placing is a 503 and a retry with the same key runs again once it is back', async () => {
    const product = await t.catalog.product(10_000);
    const customer = t.newCustomer();
    const key = randomUUID();
    t.neighbours.failing = true;
    try {
      const down = await place(customer, { items: [{ productId: product, quantity: 1 }] }, key);
      expect(down.status).toBe(503);
      expect(down.body.errorCode).toBe('DEPENDENCY_UNAVAILABLE');
    } finally {
      t.neighbours.failing = false;
    }
    expect((await place(customer, { items: [{ productId: product, quantity: 1 }] }, key)).status).toBe(201);
  }, 30_000);

  it('when a quote is asked, then it prices like an order with the coupon and creates nothing', async () => {
    const product = await t.catalog.product(12_000, 15_000);
    const coupon = await aCoupon({ kind: 'PERCENTAGE', value: 20, maxDiscount: 3_000, minOrderValue: 10_000 });
    const customer = t.newCustomer();
    const res = await t
      .api()
      .post('/api/v1/orders/quote')
      .set('authorization', customer.bearer)
      .send({ addressId: customer.addressId, couponCode: coupon.code.toLowerCase(), items: [{ productId: product, quantity: 2 }] });

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      storeId: t.neighbours.storeOf(customer.addressId),
      zoneId: t.neighbours.zoneOf(customer.addressId),
      couponCode: coupon.code,
      pricing: { itemTotal: inr(24_000), savings: inr(6_000), couponDiscount: inr(3_000), deliveryFee: inr(0), total: inr(21_500) },
    });
    expect((await t.api().get(`/api/v1/coupons/${coupon.id}`).set('authorization', t.admin)).body.data.usedCount).toBe(0);
    expect((await t.api().get('/api/v1/orders').set('authorization', customer.bearer)).body.data).toEqual([]);
  }, 30_000);

  it('when coupons do not apply, then the order is refused with the reason and the coupon stays unused', async () => {
    const product = await t.catalog.product(5_000);
    const customer = t.newCustomer();
    const items = [{ productId: product, quantity: 1 }];
    const minimum = await aCoupon({ kind: 'FLAT', value: 1_000, minOrderValue: 10_000 });
    const expired = await aCoupon({ kind: 'FLAT', value: 1_000, validFrom: '2020-01-01T00:00:00Z', validUntil: '2020-02-01T00:00:00Z' });
    const future = await aCoupon({ kind: 'FREE_DELIVERY', value: 0, validFrom: '2099-01-01T00:00:00Z' });
    for (const [couponCode, errorCode] of [
      [minimum.code, 'COUPON_MIN_ORDER_NOT_MET'],
      [expired.code, 'COUPON_EXPIRED'],
      [future.code, 'COUPON_NOT_STARTED'],
      ['NOSUCHCODE', 'COUPON_NOT_FOUND'],
    ]) {
      const res = await place(customer, { items, couponCode });
      expect({ status: res.status, errorCode: res.body.errorCode }).toEqual({ status: 422, errorCode });
    }
    expect((await t.api().get(`/api/v1/coupons/${minimum.id}`).set('authorization', t.admin)).body.data.usedCount).toBe(0);
  }, 30_000);

  it('when many customers order with a coupon limited to 3 uses at once, then exactly 3 get it, and a cancelled order gives its use back', async () => {
    const product = await t.catalog.product(30_000);
    const coupon = await aCoupon({ kind: 'FLAT', value: 5_000, totalLimit: 3 });
    const customers = Array.from({ length: 8 }, () => t.newCustomer());
    const results = await Promise.all(
      customers.map((c) => place(c, { items: [{ productId: product, quantity: 1 }], couponCode: coupon.code })),
    );

    const placed = results.filter((r) => r.status === 201);
    expect(placed).toHaveLength(3);
    expect(placed.every((r) => r.body.data.pricing.couponDiscount.amount === 5_000)).toBe(true);
    expect(results.filter((r) => r.status === 422).map((r) => r.body.errorCode)).toEqual(Array(5).fill('COUPON_EXHAUSTED'));
    const used = async () => (await t.api().get(`/api/v1/coupons/${coupon.id}`).set('authorization', t.admin)).body.data.usedCount;
    expect(await used()).toBe(3);

    const first = placed[0]!.body.data;
    const owner = customers.find((c) => c.userId === first.userId)!;
    expect((await t.api().post(`/api/v1/orders/${first.id}/cancel`).set('authorization', owner.bearer).send({})).status).toBe(200);
    expect(await used()).toBe(2);
    const late = customers.find((c) => !placed.some((r) => r.body.data.userId === c.userId))!;
    expect((await place(late, { items: [{ productId: product, quantity: 1 }], couponCode: coupon.code })).status).toBe(201);
  }, 60_000);

  it('when a customer has used a once-per-user coupon, then their second order with it is refused', async () => {
    const product = await t.catalog.product(30_000);
    const coupon = await aCoupon({ kind: 'FREE_DELIVERY', value: 0, perUserLimit: 1 });
    const customer = t.newCustomer();
    const items = [{ productId: product, quantity: 1 }];
    expect((await place(customer, { items, couponCode: coupon.code })).status).toBe(201);
    const again = await place(customer, { items, couponCode: coupon.code });
    expect({ status: again.status, errorCode: again.body.errorCode }).toEqual({ status: 422, errorCode: 'COUPON_USER_LIMIT_REACHED' });
    expect((await place(t.newCustomer(), { items, couponCode: coupon.code })).status).toBe(201);
  }, 30_000);

  describe('Idempotency-Key', () => {
    it('when the same request is sent again with its key, then the first answer is replayed and one order exists', async () => {
      const product = await t.catalog.product(10_000);
      const customer = t.newCustomer();
      const key = randomUUID();
      const body = { items: [{ productId: product, quantity: 1 }] };
      const first = await place(customer, body, key);
      const again = await place(customer, body, key);
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect((await t.api().get('/api/v1/orders').set('authorization', customer.bearer)).body.data).toHaveLength(1);
    }, 30_000);

    it('when the key comes back with a different body, then it is a 422 and no second order is made', async () => {
      const product = await t.catalog.product(10_000);
      const customer = t.newCustomer();
      const key = randomUUID();
      expect((await place(customer, { items: [{ productId: product, quantity: 1 }] }, key)).status).toBe(201);
      const other = await place(customer, { items: [{ productId: product, quantity: 2 }] }, key);
      expect({ status: other.status, errorCode: other.body.errorCode }).toEqual({ status: 422, errorCode: 'IDEMPOTENCY_KEY_REUSED' });
      expect((await t.api().get('/api/v1/orders').set('authorization', customer.bearer)).body.data).toHaveLength(1);
    }, 30_000);

    it('when identical requests race with one key, then exactly one order is created and the others are told to retry or replayed', async () => {
      const product = await t.catalog.product(10_000);
      const customer = t.newCustomer();
      const key = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 6 }, () => place(customer, { items: [{ productId: product, quantity: 1 }] }, key)),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      expect(statuses).toContain(201);
      const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.data.id));
      expect(ids.size).toBe(1);
      expect((await t.api().get('/api/v1/orders').set('authorization', customer.bearer)).body.data).toHaveLength(1);
      const [row] = (await rootQuery(`SELECT COUNT(*) AS n FROM \`${t.schema.name}\`.orders WHERE user_id = ?`, [customer.userId])) as {
        n: number;
      }[];
      expect(Number(row?.n)).toBe(1);
    }, 30_000);

    it('when another customer uses the same key, then it is their own key and their own order', async () => {
      const product = await t.catalog.product(10_000);
      const key = randomUUID();
      const [a, b] = [t.newCustomer(), t.newCustomer()];
      const first = await place(a, { items: [{ productId: product, quantity: 1 }] }, key);
      const second = await place(b, { items: [{ productId: product, quantity: 1 }] }, key);
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.data.id).not.toBe(first.body.data.id);
    }, 30_000);

    it('when the key is missing, then it is a 400', async () => {
      const customer = t.newCustomer();
      const res = await t
        .api()
        .post('/api/v1/orders')
        .set('authorization', customer.bearer)
        .send({ addressId: customer.addressId, paymentMethod: 'COD' });
      expect({ status: res.status, errorCode: res.body.errorCode }).toEqual({ status: 400, errorCode: 'IDEMPOTENCY_KEY_REQUIRED' });
    });
  });

  describe('reading and moving orders', () => {
    it('when a customer lists and reads orders, then they see their own, newest first with a cursor, and a 404 for anyone else’s', async () => {
      const product = await t.catalog.product(10_000);
      const [customer, stranger] = [t.newCustomer(), t.newCustomer()];
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await place(customer, { items: [{ productId: product, quantity: i + 1 }] })).body.data.id);
      await place(stranger, { items: [{ productId: product, quantity: 1 }] });

      const first = await t.api().get('/api/v1/orders?limit=2').set('authorization', customer.bearer);
      expect(first.body.data.map((o: { id: string }) => o.id)).toEqual([ids[2], ids[1]]);
      const second = await t.api().get(`/api/v1/orders?limit=2&cursor=${first.body.meta.nextCursor}`).set('authorization', customer.bearer);
      expect(second.body.data.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
      expect(second.body.meta.nextCursor).toBeNull();

      expect((await t.api().get(`/api/v1/orders/${ids[0]}`).set('authorization', customer.bearer)).status).toBe(200);
      const theirs = await t.api().get(`/api/v1/orders/${ids[0]}`).set('authorization', stranger.bearer);
      expect({ status: theirs.status, errorCode: theirs.body.errorCode }).toEqual({ status: 404, errorCode: 'ORDER_NOT_FOUND' });
      expect((await t.api().post(`/api/v1/orders/${ids[0]}/cancel`).set('authorization', stranger.bearer).send({})).status).toBe(404);
      expect((await t.api().get(`/api/v1/orders?userId=${customer.userId}`).set('authorization', stranger.bearer)).status).toBe(403);
    }, 30_000);

    it('when an admin filters every order, then status, user, store and time narrow the list', async () => {
      const product = await t.catalog.product(10_000);
      const customer = t.newCustomer(randomUUID());
      const placed = (await place(customer, { items: [{ productId: product, quantity: 1 }] })).body.data;
      const list = (query: Record<string, string>) => t.api().get('/api/v1/orders').query(query).set('authorization', t.admin);

      expect((await list({ userId: customer.userId })).body.data.map((o: { id: string }) => o.id)).toEqual([placed.id]);
      expect((await list({ storeId: placed.storeId, status: 'PENDING' })).body.data.map((o: { id: string }) => o.id)).toEqual([placed.id]);
      expect((await list({ userId: customer.userId, status: 'CONFIRMED' })).body.data).toEqual([]);
      expect((await list({ userId: customer.userId, from: new Date(Date.now() + 60_000).toISOString() })).body.data).toEqual([]);
      expect((await list({ userId: customer.userId, to: new Date(Date.now() + 60_000).toISOString() })).body.data).toHaveLength(1);
      expect((await list({ from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' })).status).toBe(400);
      expect(
        (
          await t
            .api()
            .get('/api/v1/orders/' + placed.id)
            .set('authorization', t.admin)
        ).status,
      ).toBe(200);
    }, 30_000);

    it('when a customer cancels before pickup, then the order is CANCELLED with history and order.cancelled; twice is a 409', async () => {
      const product = await t.catalog.product(10_000);
      const customer = t.newCustomer();
      const order = (await place(customer, { items: [{ productId: product, quantity: 1 }] })).body.data;
      const res = await t
        .api()
        .post(`/api/v1/orders/${order.id}/cancel`)
        .set('authorization', customer.bearer)
        .send({ reason: 'ordered by mistake' });

      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED', version: 2 });
      expect(res.body.data.history.map((h: { status: string }) => h.status)).toEqual(['PENDING', 'CANCELLED']);
      expect(res.body.data.history[1]).toMatchObject({ actor: customer.userId, reason: 'CUSTOMER_CANCELLED: ordered by mistake' });
      const cancelled = (await outboxEvents(t.schema, 'order.cancelled')).filter((e) => e.data.orderId === order.id);
      expect(cancelled.map((e) => e.data)).toEqual([
        { orderId: order.id, userId: customer.userId, reason: 'CUSTOMER_CANCELLED', paid: false, storeId: order.storeId },
      ]);
      const again = await t.api().post(`/api/v1/orders/${order.id}/cancel`).set('authorization', customer.bearer).send({});
      expect({ status: again.status, errorCode: again.body.errorCode }).toEqual({ status: 409, errorCode: 'ORDER_NOT_CANCELLABLE' });
    }, 30_000);

    it('when an admin moves a PENDING order to PACKED, then it is a 409 ILLEGAL_TRANSITION and customers may not move orders at all', async () => {
      const product = await t.catalog.product(10_000);
      const customer = t.newCustomer();
      const order = (await place(customer, { items: [{ productId: product, quantity: 1 }] })).body.data;
      const res = await t.api().post(`/api/v1/orders/${order.id}/pack`).set('authorization', t.admin).send({});
      expect({ status: res.status, errorCode: res.body.errorCode }).toEqual({ status: 409, errorCode: 'ILLEGAL_TRANSITION' });
      expect((await t.api().post(`/api/v1/orders/${order.id}/pack`).set('authorization', customer.bearer).send({})).status).toBe(403);
      expect((await t.api().get(`/api/v1/orders/${order.id}`).set('authorization', customer.bearer)).body.data.status).toBe('PENDING');
    }, 30_000);

    it('when a customer reorders, then the lines go into their cart with their token, and lines the cart refuses are listed', async () => {
      const [kept, gone] = [await t.catalog.product(10_000), await t.catalog.product(20_000)];
      const customer = t.newCustomer();
      const order = (
        await place(customer, {
          items: [
            { productId: kept, quantity: 2 },
            { productId: gone, quantity: 1 },
          ],
        })
      ).body.data;
      t.neighbours.refusedByCart.add(gone);
      t.neighbours.carts.set(customer.userId, []);

      const res = await t.api().post(`/api/v1/orders/${order.id}/reorder`).set('authorization', customer.bearer);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        orderId: order.id,
        added: [{ productId: kept, quantity: 2 }],
        skipped: [{ productId: gone, quantity: 1, reason: 'PRODUCT_UNAVAILABLE' }],
      });
      expect(t.neighbours.carts.get(customer.userId)).toEqual([{ productId: kept, quantity: 2 }]);
      expect((await t.api().post(`/api/v1/orders/${order.id}/reorder`).set('authorization', t.newCustomer().bearer)).status).toBe(404);
    }, 30_000);
  });

  describe('coupons (admin)', () => {
    it('when an admin creates, changes and retires a coupon, then versions guard changes and a retired code no longer applies', async () => {
      const coupon = await aCoupon({ kind: 'PERCENTAGE', value: 10, maxDiscount: 2_000 });
      const duplicate = await t
        .api()
        .post('/api/v1/coupons')
        .set('authorization', t.admin)
        .send({ code: coupon.code, kind: 'FLAT', value: 100 });
      expect(duplicate.status).toBe(409);
      const bad = await t
        .api()
        .post('/api/v1/coupons')
        .set('authorization', t.admin)
        .send({ code: 'BADPCT', kind: 'PERCENTAGE', value: 150 });
      expect({ status: bad.status, errorCode: bad.body.errorCode }).toEqual({ status: 422, errorCode: 'COUPON_TERMS_INVALID' });

      const changed = await t
        .api()
        .patch(`/api/v1/coupons/${coupon.id}`)
        .set('authorization', t.admin)
        .send({ value: 15, version: coupon.version });
      expect(changed.body.data).toMatchObject({ value: 15, version: coupon.version + 1 });
      const stale = await t
        .api()
        .patch(`/api/v1/coupons/${coupon.id}`)
        .set('authorization', t.admin)
        .send({ value: 20, version: coupon.version });
      expect(stale.status).toBe(409);
      expect(
        (await t.api().patch(`/api/v1/coupons/${coupon.id}`).set('authorization', t.admin).send({ usedCount: 0, version: 2 })).status,
      ).toBe(400);

      expect((await t.api().delete(`/api/v1/coupons/${coupon.id}`).set('authorization', t.admin)).status).toBe(204);
      expect((await t.api().get(`/api/v1/coupons/${coupon.id}`).set('authorization', t.admin)).status).toBe(404);
      const customer = t.newCustomer();
      const product = await t.catalog.product(10_000);
      const res = await place(customer, { items: [{ productId: product, quantity: 1 }], couponCode: coupon.code });
      expect({ status: res.status, errorCode: res.body.errorCode }).toEqual({ status: 422, errorCode: 'COUPON_NOT_FOUND' });
      expect((await t.api().get('/api/v1/coupons').set('authorization', t.newCustomer().bearer)).status).toBe(403);
    }, 30_000);
  });
});
