import { eventually } from '@qc/shared/testing';
import type { EventData } from '@qc/shared/events';
import type { LedgerMovement } from '../../src/clients/sources.client';
import { rebuildProjections } from '../../src/domain/rebuild';
import { reconcile, describeReconciliation, type Sources } from '../../src/domain/reconcile';
import { startAnalyticsService, type AnalyticsUnderTest } from '../fixtures';
import { EventPublisher, eventAt, id, orderStory, type OrderStory } from '../story';

/**
 * History imported by an admin (`POST /api/v1/analytics/events/import`): stored as imported and
 * projected like consumed events, in their own past buckets; once per event id whichever way it
 * came; a bad batch refused whole; left out of reconciliation, and counted.
 */
describe('importing past events', () => {
  let analytics: AnalyticsUnderTest;
  let publisher: EventPublisher;
  const storeId = id();
  const [milk, bread] = [id(), id()];
  const day = '2025-04-02';
  const at = (time: string) => new Date(`${day}T${time}:00.000Z`);
  let history: Record<'a' | 'b' | 'c', OrderStory>;

  const importBatch = (events: unknown[], token = analytics.admin) =>
    analytics.api().post('/api/v1/analytics/events/import').set('authorization', token).send({ events });
  const orders = () =>
    analytics
      .api()
      .get('/api/v1/analytics/orders')
      .set('authorization', analytics.admin)
      .query({ from: `${day}T09:00:00Z`, to: `${day}T12:00:00Z`, granularity: 'hour', storeId });
  const rawEvents = async (type?: string) =>
    (
      await analytics
        .api()
        .get('/api/v1/analytics/events')
        .set('authorization', analytics.admin)
        .query({ ...(type ? { type } : {}), limit: 100 })
    ).body.data as { eventId: string; origin: string }[];
  /**
   * The stored order.created events of this test's history. The service also consumes the shared
   * topics, where other suites' orders may arrive meanwhile, so those are left out.
   */
  const historyOrdersStored = async () => {
    const ids = new Set([history.a, history.b, history.c].map((s) => s.events[1]!.id));
    return (await rawEvents('order.created')).filter((e) => ids.has(e.eventId));
  };

  const expectedOrders = {
    totals: { placed: 3, delivered: 1, gmv: 13_000, cancelled: 2, averageOrderValue: 13_000 },
    rows: [
      { bucket: `${day}T09:00:00.000Z`, placed: 1, delivered: 1, gmv: 13_000, cancelled: 0, averageOrderValue: 13_000 },
      { bucket: `${day}T10:00:00.000Z`, placed: 1, delivered: 0, gmv: 0, cancelled: 1, averageOrderValue: null },
      { bucket: `${day}T11:00:00.000Z`, placed: 1, delivered: 0, gmv: 0, cancelled: 1, averageOrderValue: null },
    ],
  };

  beforeAll(async () => {
    analytics = await startAnalyticsService({
      label: 'analytics-import',
      // A body limit above the default 100 kB, so a batch can be long enough to pass the 500-event cap.
      env: { PRODUCT_SERVICE_URL: 'http://127.0.0.1:2', INVENTORY_SERVICE_URL: 'http://127.0.0.1:2', BODY_LIMIT: '1mb' },
    });
    publisher = await EventPublisher.connect();
    history = {
      a: orderStory({
        at: at('09:10'),
        storeId,
        lines: [
          { productId: milk, quantity: 2, unitPrice: 5_000 },
          { productId: bread, quantity: 1, unitPrice: 3_000 },
        ],
        outcome: { delivered: 12 },
      }),
      b: orderStory({
        at: at('10:20'),
        storeId,
        lines: [{ productId: bread, quantity: 3, unitPrice: 3_000 }],
        outcome: { cancelled: 'CUSTOMER_CANCELLED', afterConfirm: true },
      }),
      c: orderStory({
        at: at('11:40'),
        storeId,
        method: 'CARD',
        lines: [{ productId: milk, quantity: 1, unitPrice: 5_000 }],
        outcome: { paymentFailed: 'CARD_DECLINED' },
      }),
    };
  }, 60_000);

  afterAll(async () => {
    await publisher?.close();
    await analytics?.stop();
  }, 30_000);

  const historyEvents = () => [...history.a.events, ...history.b.events, ...history.c.events];

  it('when a non-admin imports, then 401 without a token and 403 for an analyst or a customer, and nothing is stored', async () => {
    const analyst = analytics.issuer.bearer({ role: 'analyst', expiresInSeconds: 900 });
    expect((await analytics.api().post('/api/v1/analytics/events/import').send({ events: historyEvents() })).status).toBe(401);
    expect((await importBatch(historyEvents(), analyst)).status).toBe(403);
    expect((await importBatch(historyEvents(), analytics.customer)).status).toBe(403);
    expect((await orders()).body.data.totals.placed).toBe(0);
  });

  it('when a batch has bad events, then 400 lists each of them and none of the batch is stored', async () => {
    const good = history.a.events[1]!;
    const future = eventAt(new Date(Date.now() + 3_600_000), 'order.created', good.data as EventData<'order.created'>);
    const badData = { ...good, id: id(), data: { ...(good.data as object), items: [] } };
    const unknownType = { ...good, id: id(), type: 'order.teleported' };
    const wrongSource = { ...good, id: id(), source: '/payment-service' };
    const res = await importBatch([good, badData, future, unknownType, wrongSource]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      errorCode: 'IMPORT_EVENTS_INVALID',
      error: '4 of 5 events cannot be imported; none was',
    });
    expect(res.body.details).toEqual([
      { path: 'body.events.1.data.items', message: expect.stringContaining('order.created data breaks its contract'), eventId: badData.id },
      { path: 'body.events.2.time', message: expect.stringContaining('in the future'), eventId: future.id },
      { path: 'body.events.3', message: 'unknown event type order.teleported', eventId: unknownType.id },
      { path: 'body.events.4', message: expect.stringContaining('must come from /order-service'), eventId: wrongSource.id },
    ]);
    // The envelope and the batch's size are checked at the edge.
    const noTime = { ...good, id: id(), time: 'yesterday' };
    expect((await importBatch([noTime])).body.details).toEqual([expect.objectContaining({ path: 'body.events.0.time' })]);
    expect((await importBatch([])).status).toBe(400);
    const tooMany = await importBatch(Array.from({ length: 501 }, () => good));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.details).toEqual([expect.objectContaining({ path: 'body.events' })]);
    expect(
      (
        await analytics
          .api()
          .post('/api/v1/analytics/events/import')
          .set('authorization', analytics.admin)
          .send({ events: [good], x: 1 })
      ).status,
    ).toBe(400);

    expect((await orders()).body.data.totals.placed).toBe(0);
    expect(await historyOrdersStored()).toEqual([]);
  });

  it('when an admin imports past orders, then the rollups show them in the buckets of their own time, and the raw store marks them imported', async () => {
    const events = historyEvents();
    const res = await importBatch(events);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ received: events.length, imported: events.length, alreadyKnown: 0 });

    const figures = await orders();
    expect(figures.body.data).toMatchObject(expectedOrders);
    const created = await historyOrdersStored();
    expect(created.map((e) => e.eventId).sort()).toEqual([history.a, history.b, history.c].map((s) => s.events[1]!.id).sort());
    expect(created.map((e) => e.origin)).toEqual(['import', 'import', 'import']);
  });

  it('when the same history is imported again, alone or with new events, then only the new ones count and nothing doubles', async () => {
    const again = await importBatch(historyEvents());
    expect(again.body.data).toEqual({ received: historyEvents().length, imported: 0, alreadyKnown: historyEvents().length });
    const late = eventAt(at('11:50'), 'notification.sent', { notificationId: id(), channel: 'push', template: 'order-cancelled.v1' });
    const mixed = await importBatch([history.a.events[1], late, late]);
    expect(mixed.body.data).toEqual({ received: 3, imported: 1, alreadyKnown: 2 });
    expect((await orders()).body.data).toMatchObject(expectedOrders);
  });

  it('when the projections are rebuilt from the raw store, then the imported history gives the same figures and stays marked imported', async () => {
    await rebuildProjections(analytics.service.deps.dataSource);
    expect((await orders()).body.data).toMatchObject(expectedOrders);
    expect((await historyOrdersStored()).map((e) => e.origin)).toEqual(['import', 'import', 'import']);
  });

  it('when reconciling, then orders known only from imported history are left out and counted, and a live order imported again is still compared', async () => {
    const live = orderStory({
      at: new Date(Date.now() - 20 * 60_000),
      storeId,
      lines: [{ productId: milk, quantity: 3, unitPrice: 5_000 }],
      outcome: { delivered: 9 },
    });
    await publisher.publish(...live.events);
    await eventually(
      async () => {
        const stored = new Set((await rawEvents()).map((e) => e.eventId));
        return live.events.every((e) => stored.has(e.id));
      },
      30_000,
      200,
    );
    // The live order's own events, imported as well: known already, so still the stream's.
    expect((await importBatch(live.events)).body.data).toEqual({
      received: live.events.length,
      imported: 0,
      alreadyKnown: live.events.length,
    });

    // What the sources hold: the live order only (they never saw the history).
    const sources: Sources = {
      deliveredOrderTotals: async () => new Map([[live.orderId, live.total]]),
      orderMovements: async (): Promise<LedgerMovement[]> => [
        { storeId, productId: milk, delta: -3, reason: 'sale', orderId: live.orderId },
      ],
    };
    const dataSource = analytics.service.deps.dataSource;
    const result = await reconcile(dataSource, sources, storeId);
    expect(result).toEqual({
      storeId,
      gmv: { analytics: 15_000, source: 15_000, difference: 0 },
      unitsSold: { analytics: 3, source: 3, difference: 0 },
      unitsReturned: { analytics: 0, source: 0, difference: 0 },
      importedOrders: 3,
      differences: [],
    });
    expect(describeReconciliation(result)).toContain('imported history: 3 orders, not compared');
    expect((await reconcile(dataSource, sources, id())).importedOrders).toBe(0);
    expect((await reconcile(dataSource, sources)).importedOrders).toBe(3);
  }, 45_000);

  it('when the API document is read, then the import is in it, for admins', async () => {
    const doc = (await analytics.api().get('/openapi.json')).body;
    const operation = doc.paths['/api/v1/analytics/events/import'].post;
    expect(operation.description).toContain('Who may call this: admin.');
    expect(operation.requestBody.content['application/json'].schema).toBeDefined();
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
  });
});
