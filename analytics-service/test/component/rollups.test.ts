import { eventually } from '@qc/shared/testing';
import { rebuildProjections } from '../../src/domain/rebuild';
import { startAnalyticsService, type AnalyticsUnderTest } from '../fixtures';
import { EventPublisher, eventAt, id, orderStory, type OrderStory } from '../story';

/**
 * The rollups (issue 16) through the API, from events sent through the real broker out of order,
 * late and twice: each lands in the bucket of its own time, and counts once.
 */
describe('analytics rollups', () => {
  let analytics: AnalyticsUnderTest;
  let publisher: EventPublisher;
  let analyst: string;
  const storeId = id();
  const [milk, bread] = [id(), id()];
  const day = '2025-03-10';
  const at = (time: string) => new Date(`${day}T${time}:00.000Z`);
  const regular = id();
  // a, b and c were delivered to one zone, d and e to another; f's order.created named none.
  const [north, south] = [id(), id()];
  let stories: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f', OrderStory>;

  const get = (metric: string, query: Record<string, string> = {}) =>
    analytics
      .api()
      .get(`/api/v1/analytics/${metric}`)
      .set('authorization', analyst)
      .query({ from: `${day}T10:00:00Z`, to: `${day}T13:00:00Z`, granularity: 'hour', storeId, ...query });

  beforeAll(async () => {
    // No catalog or stores reachable: names fall back to ids, the figures do not change.
    analytics = await startAnalyticsService({
      env: { PRODUCT_SERVICE_URL: 'http://127.0.0.1:2', INVENTORY_SERVICE_URL: 'http://127.0.0.1:2' },
    });
    analyst = analytics.issuer.bearer({ role: 'analyst', expiresInSeconds: 900 });
    publisher = await EventPublisher.connect();
    stories = {
      a: orderStory({
        at: at('10:05'),
        storeId,
        zoneId: north,
        userId: regular,
        lines: [
          { productId: milk, quantity: 2, unitPrice: 5000 },
          { productId: bread, quantity: 1, unitPrice: 3000 },
        ],
        outcome: { delivered: 8 },
      }),
      b: orderStory({
        at: at('10:40'),
        storeId,
        zoneId: north,
        userId: regular,
        lines: [{ productId: milk, quantity: 1, unitPrice: 5000 }],
        outcome: { delivered: 14 },
      }),
      c: orderStory({
        at: at('11:20'),
        storeId,
        zoneId: north,
        lines: [{ productId: milk, quantity: 9, unitPrice: 5000 }],
        outcome: { cancelled: 'OUT_OF_STOCK' },
      }),
      d: orderStory({
        at: at('11:30'),
        storeId,
        zoneId: south,
        method: 'CARD',
        lines: [{ productId: bread, quantity: 1, unitPrice: 3000 }],
        outcome: { paymentFailed: 'DECLINED' },
      }),
      e: orderStory({
        at: at('12:00'),
        storeId,
        zoneId: south,
        lines: [{ productId: bread, quantity: 4, unitPrice: 3000 }],
        outcome: { cancelled: 'CUSTOMER_CANCELLED', afterConfirm: true },
      }),
      f: orderStory({
        at: at('12:30'),
        storeId,
        userId: regular,
        lines: [{ productId: bread, quantity: 2, unitPrice: 3000 }],
        outcome: { delivered: 5 },
      }),
    };
    const { a, b, c, d, e, f } = stories;
    // Order a's events newest first; b's completion twice; the hour of 10:00 last of all.
    await publisher.publish(...c.events, ...d.events, ...e.events, ...f.events, ...[...a.events].reverse(), ...b.events, b.events.at(-1)!);
    await publisher.publish(
      eventAt(at('11:00'), 'inventory.out_of_stock', { storeId, productId: milk }),
      eventAt(at('11:45'), 'inventory.updated', { storeId, productId: milk, onHand: 5, reserved: 0, reason: 'restock' }),
      eventAt(at('12:50'), 'inventory.out_of_stock', { storeId, productId: bread }),
      eventAt(at('10:30'), 'notification.sent', { notificationId: id(), channel: 'sms', template: 'order-confirmed' }),
    );
    // North is renamed, then deleted (its orders keep the name); the rename overtakes the creation.
    // South was never announced.
    const northZone = { zoneId: north, storeId, active: true };
    await publisher.publish(
      eventAt(at('09:30'), 'location.zone.updated', { ...northZone, name: 'Koramangala North' }, north),
      eventAt(at('09:00'), 'location.zone.created', { ...northZone, name: 'Koramangala' }, north),
      eventAt(at('12:55'), 'location.zone.deleted', { ...northZone, name: 'Koramangala North' }, north),
    );
    await eventually(async () => {
      const [orders, outs, zones] = await Promise.all([get('orders'), get('stock-outs'), get('zones')]);
      return (
        orders.body.data?.totals.delivered === 3 &&
        orders.body.data.totals.cancelled === 3 &&
        outs.body.data?.totals.stockOuts === 2 &&
        zones.body.data?.rows[0]?.zone === 'Koramangala North'
      );
    }, 30_000);
  }, 90_000);

  afterAll(async () => {
    await publisher?.close();
    await analytics?.stop();
  }, 30_000);

  const expectedOrders = {
    totals: { placed: 6, delivered: 3, gmv: 13_000 + 5_000 + 6_000, cancelled: 3, averageOrderValue: 8_000 },
    rows: [
      { bucket: `${day}T10:00:00.000Z`, placed: 2, delivered: 2, gmv: 18_000, cancelled: 0, averageOrderValue: 9_000 },
      { bucket: `${day}T11:00:00.000Z`, placed: 2, delivered: 0, gmv: 0, cancelled: 2, averageOrderValue: null },
      { bucket: `${day}T12:00:00.000Z`, placed: 2, delivered: 1, gmv: 6_000, cancelled: 1, averageOrderValue: 6_000 },
    ],
  };

  it('when events arrive out of order, late and twice, then orders and GMV land in the hour of their own time, once', async () => {
    const res = await get('orders');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      range: { from: `${day}T10:00:00.000Z`, to: `${day}T13:00:00.000Z`, granularity: 'hour', storeId, zoneId: null },
      ...expectedOrders,
    });
  });

  it('when the same events are delivered again, then nothing changes', async () => {
    await publisher.publish(...stories.a.events, ...stories.f.events);
    const marker = eventAt(at('12:59'), 'order.cancelled', { orderId: id(), userId: id(), reason: 'MARKER', paid: false, storeId });
    await publisher.publish(marker);
    // The marker comes after the redelivered events on its topic's partition only, so wait for both ledgers.
    await eventually(async () => (await get('cancellations')).body.data.totals.cancelled === 4, 20_000);
    const res = await get('orders');
    expect(res.body.data.totals).toEqual({ ...expectedOrders.totals, cancelled: 4 });
    expect(res.body.data.rows[0]).toEqual(expectedOrders.rows[0]);
  });

  it('when analysts read the other metrics, then each counts what happened at the store in the window', async () => {
    const [delivery, pay, cancels, refunds, funnel, customers, products, outs, partners, overview] = await Promise.all([
      get('delivery-times'),
      get('payments'),
      get('cancellations'),
      get('refunds'),
      get('funnel'),
      get('customers'),
      get('products', { from: `${day}T00:00:00Z`, to: `${day}T23:00:00Z`, sortBy: 'revenue' }),
      get('stock-outs'),
      get('partners'),
      get('overview'),
    ]);
    // 8, 14 and 5 minutes from confirmation; each promised 10; 14 breaks it.
    expect(delivery.body.data.totals).toEqual({
      delivered: 3,
      p50Minutes: 8,
      p90Minutes: 14,
      promisedP50Minutes: 10,
      slaBreaches: 1,
      slaBreachRate: 0.3333,
    });
    expect(pay.body.data.rows).toEqual([
      { method: 'CARD', succeeded: 0, failed: 1, amount: 0, successRate: 0 },
      { method: 'UPI', succeeded: 4, failed: 0, amount: 13_000 + 5_000 + 12_000 + 6_000, successRate: 1 },
    ]);
    expect(cancels.body.data.rows).toEqual(
      expect.arrayContaining([
        { reason: 'OUT_OF_STOCK', cancelled: 1, share: 0.25 },
        { reason: 'PAYMENT_FAILED', cancelled: 1, share: 0.25 },
        { reason: 'CUSTOMER_CANCELLED', cancelled: 1, share: 0.25 },
      ]),
    );
    expect(refunds.body.data.totals).toEqual({ refunds: 1, amount: 12_000 });
    expect(funnel.body.data.rows.map((r: { customers: number }) => r.customers)).toEqual([4, 4, 2, 1]);
    expect(funnel.body.data.rows[2]).toMatchObject({ stage: 'paid', conversionFromPrevious: 0.5, conversionFromStart: 0.5 });
    expect(customers.body.data.rows.map((r: { newCustomers: number; returning: number }) => [r.newCustomers, r.returning])).toEqual([
      [1, 0],
      [2, 0],
      [1, 1],
    ]);
    // Sold: confirmed and not cancelled (a, b, f); e's bread went back to the shelf.
    expect(products.body.data.rows).toEqual([
      { productId: milk, name: null, categoryId: null, category: null, units: 3, revenue: 15_000 },
      { productId: bread, name: null, categoryId: null, category: null, units: 3, revenue: 9_000 },
    ]);
    // Milk out 11:00–11:45; bread out from 12:50, still at the window's end (13:00).
    expect(outs.body.data.rows).toEqual([
      { storeId, store: null, stockOuts: 2, ongoing: 1, totalMinutes: 55, medianMinutes: 10, longestMinutes: 45 },
    ]);
    expect(partners.body.data.totals).toMatchObject({ partners: 3, delivered: 3 });
    expect(overview.body.data.totals).toMatchObject({
      ordersPlaced: 6,
      gmv: 24_000,
      cancelled: 4,
      paymentSuccessRate: 0.8,
      refunded: 12_000,
      stockOuts: 2,
    });
  });

  it('when orders are asked for one zone, then only the orders delivered to that zone count, in their hours', async () => {
    const res = await get('orders', { zoneId: north });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      range: { from: `${day}T10:00:00.000Z`, to: `${day}T13:00:00.000Z`, granularity: 'hour', storeId, zoneId: north },
      totals: { placed: 3, delivered: 2, gmv: 18_000, cancelled: 1, averageOrderValue: 9_000 },
      rows: [
        expectedOrders.rows[0],
        { bucket: `${day}T11:00:00.000Z`, placed: 1, delivered: 0, gmv: 0, cancelled: 1, averageOrderValue: null },
        { bucket: `${day}T12:00:00.000Z`, placed: 0, delivered: 0, gmv: 0, cancelled: 0, averageOrderValue: null },
      ],
    });
    // The other zone's orders and a zone nobody ordered in.
    expect((await get('orders', { zoneId: south })).body.data.totals).toEqual({
      placed: 2,
      delivered: 0,
      gmv: 0,
      cancelled: 2,
      averageOrderValue: null,
    });
    expect((await get('orders', { zoneId: id() })).body.data.totals).toMatchObject({ placed: 0, delivered: 0, gmv: 0 });
  });

  it('when analysts read the zones, then each zone has its latest name, orders, GMV, cancellations and delivery time, and orders without a zone are in none', async () => {
    const res = await get('zones');
    expect(res.status).toBe(200);
    // Biggest GMV first; f (no zone) is in the store's figures only.
    expect(res.body.data).toEqual({
      range: { from: `${day}T10:00:00.000Z`, to: `${day}T13:00:00.000Z`, granularity: 'hour', storeId, zoneId: null },
      rows: [
        {
          zoneId: north,
          zone: 'Koramangala North',
          storeId,
          store: null,
          placed: 3,
          delivered: 2,
          gmv: 18_000,
          averageOrderValue: 9_000,
          cancelled: 1,
          cancellationRate: 0.3333,
          deliveryP50Minutes: 8,
          slaBreachRate: 0.5,
        },
        {
          zoneId: south,
          zone: null,
          storeId,
          store: null,
          placed: 2,
          delivered: 0,
          gmv: 0,
          averageOrderValue: null,
          cancelled: 2,
          cancellationRate: 1,
          deliveryP50Minutes: null,
          slaBreachRate: null,
        },
      ],
      totals: { zones: 2 },
    });
    // Another store's window has none of these zones.
    expect((await get('zones', { storeId: id() })).body.data).toMatchObject({ rows: [], totals: { zones: 0 } });
  });

  it('when the projections are rebuilt from the raw store, then every figure is the same', async () => {
    const reads = () =>
      Promise.all([
        ...['zones', 'orders', 'delivery-times', 'funnel', 'stock-outs', 'payments', 'stores'].map((m) => get(m)),
        get('orders', { zoneId: north }),
      ]);
    const before = await reads();
    // The zones come back from the raw store's order.created events.
    expect(before[0]!.body.data.rows.map((r: { zoneId: string }) => r.zoneId)).toEqual([north, south]);
    expect(await rebuildProjections(analytics.service.deps.dataSource)).toBeGreaterThanOrEqual(40);
    const after = await reads();
    expect(after.map((r) => r.body.data)).toEqual(before.map((r) => r.body.data));
  });

  it('when a metric is exported, then it comes as CSV with a header line and one line per bucket', async () => {
    const res = await analytics
      .api()
      .get('/api/v1/analytics/orders/export')
      .set('authorization', analytics.admin)
      .query({ from: `${day}T10:00:00Z`, to: `${day}T13:00:00Z`, granularity: 'hour', storeId });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename=orders-20250310T1000-20250310T1300.csv');
    expect(res.text.split('\r\n')).toEqual([
      'bucket,placed,delivered,gmv,cancelled,averageOrderValue',
      `${day}T10:00:00.000Z,2,2,18000,0,9000`,
      `${day}T11:00:00.000Z,2,0,0,2,`,
      `${day}T12:00:00.000Z,2,1,6000,2,6000`,
      '',
    ]);
  });

  it('when the zones are exported, then the CSV has one line per zone under a header naming the fields', async () => {
    const res = await analytics
      .api()
      .get('/api/v1/analytics/zones/export')
      .set('authorization', analyst)
      .query({ from: `${day}T10:00:00Z`, to: `${day}T13:00:00Z`, granularity: 'hour', storeId });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.text.split('\r\n')).toEqual([
      'zoneId,zone,storeId,store,placed,delivered,gmv,averageOrderValue,cancelled,cancellationRate,deliveryP50Minutes,slaBreachRate',
      `${north},Koramangala North,${storeId},,3,2,18000,9000,1,0.3333,8,0.5`,
      `${south},,${storeId},,2,0,0,,2,1,,`,
      '',
    ]);
  });

  it('when someone other than an analyst or admin asks, then 401 without a token and 403 for a customer', async () => {
    expect((await analytics.api().get('/api/v1/analytics/orders')).status).toBe(401);
    expect((await analytics.api().get('/api/v1/analytics/orders/export').set('authorization', analytics.customer)).status).toBe(403);
    expect((await analytics.api().get('/api/v1/analytics/overview').set('authorization', analytics.admin)).status).toBe(200);
  });

  it('when the window is empty, too long or malformed, then 400 with what to change', async () => {
    expect((await get('orders', { from: `${day}T13:00:00Z`, to: `${day}T10:00:00Z` })).body).toMatchObject({
      code: 400,
      errorCode: 'RANGE_EMPTY',
    });
    expect((await get('orders', { from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' })).body).toMatchObject({
      code: 400,
      errorCode: 'RANGE_TOO_LONG',
    });
    expect((await get('orders', { granularity: 'minute' })).status).toBe(400);
    expect((await get('orders', { storeId: 'store-1' })).status).toBe(400);
    expect((await get('orders', { extra: '1' })).status).toBe(400);
    expect((await get('orders', { zoneId: 'north' })).status).toBe(400);
    // Stock-outs and carts have no zone: the metrics not over orders refuse the filter.
    expect((await get('stock-outs', { zoneId: id() })).status).toBe(400);
    expect((await get('overview', { zoneId: id() })).status).toBe(400);
  });

  it('when the dashboard page is asked for, then anyone gets it with a policy that runs only its own scripts', async () => {
    const page = await analytics.api().get('/api/v1/analytics/dashboard');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.text).toContain('/api/v1/analytics/dashboard/chart.umd.min.js');
    const chart = await analytics.api().get('/api/v1/analytics/dashboard/chart.umd.min.js');
    expect(chart.status).toBe(200);
    expect(chart.text).toContain('Chart');
  });

  it('when the API document is read, then every metric and its export are in it, for admins and analysts', async () => {
    const doc = (await analytics.api().get('/openapi.json')).body;
    for (const metric of [
      'overview',
      'orders',
      'funnel',
      'cancellations',
      'payments',
      'refunds',
      'delivery-times',
      'partners',
      'products',
      'categories',
      'stock-outs',
      'customers',
      'notifications',
      'stores',
      'zones',
    ]) {
      expect(doc.paths[`/api/v1/analytics/${metric}`].get.description).toContain('admin, analyst');
      expect(doc.paths[`/api/v1/analytics/${metric}/export`].get.responses['200'].content).toHaveProperty(['text/csv']);
    }
    const zoneFilter = (path: string) =>
      doc.paths[path].get.parameters.some((p: { name: string; in: string }) => p.name === 'zoneId' && p.in === 'query');
    expect([zoneFilter('/api/v1/analytics/orders'), zoneFilter('/api/v1/analytics/orders/export')]).toEqual([true, true]);
    expect(zoneFilter('/api/v1/analytics/stock-outs')).toBe(false);
  });
});
