import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@qc/shared/testing';
import { aStore, startInventoryService, type InventoryUnderTest } from '../../../inventory-service/test/fixtures';
import { SourcesClient } from '../../src/clients/sources.client';
import { analyticsSettings } from '../../src/config';
import { describeReconciliation, reconcile, type Reconciliation } from '../../src/domain/reconcile';
import { startAnalyticsService, type AnalyticsUnderTest } from '../fixtures';
import { EventPublisher, id, orderStory, type OrderStory } from '../story';

/**
 * Reconciliation (issue 16): analytics' rollups against the sources' own records. inventory-service
 * is the real one, reserving, committing and returning stock from the same order events analytics
 * reads; order-service's delivered orders come from a stand-in that answers its documented list
 * (`GET /api/v1/orders?status=DELIVERED`, OrderView), as order-service is not on main yet.
 */
describe('reconciliation with the source services', () => {
  let analytics: AnalyticsUnderTest;
  let inventory: InventoryUnderTest;
  let publisher: EventPublisher;
  let orderService: Server;
  let sources: SourcesClient;
  let storeId: string;
  let stories: OrderStory[];
  /** What the stand-in order-service holds as DELIVERED. */
  let delivered: { id: string; storeId: string; total: number }[] = [];

  beforeAll(async () => {
    [analytics, inventory, publisher] = await Promise.all([
      startAnalyticsService({ label: 'analytics-reconcile' }),
      startInventoryService(),
      EventPublisher.connect(),
    ]);
    orderService = createServer((req, res) => {
      const url = new URL(req.url!, 'http://order-service');
      const orders = delivered.filter(
        (o) => url.searchParams.get('status') === 'DELIVERED' && o.storeId === url.searchParams.get('storeId'),
      );
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          success: true,
          data: orders.map((o) => ({
            id: o.id,
            storeId: o.storeId,
            status: 'DELIVERED',
            pricing: { total: { amount: o.total, currency: 'INR' } },
          })),
          meta: { limit: 100, nextCursor: null },
        }),
      );
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => orderService.once('listening', resolve));
    sources = new SourcesClient(
      analyticsSettings.parse({
        ORDER_SERVICE_URL: `http://127.0.0.1:${(orderService.address() as AddressInfo).port}`,
        INVENTORY_SERVICE_URL: `http://127.0.0.1:${inventory.service.port}`,
      }),
      inventory.admin.replace(/^Bearer /, ''),
    );

    const store = await inventory.api().post('/api/v1/stores').set('authorization', inventory.admin).send(aStore());
    storeId = store.body.data.id;
    const [milk, bread] = [id(), id()];
    for (const productId of [milk, bread]) {
      const item = `/api/v1/inventory/stores/${storeId}/stock/${productId}`;
      await inventory.api().put(item).set('authorization', inventory.admin).send({ lowStockThreshold: 1 }).expect(200);
      await inventory.api().post(`${item}/restock`).set('authorization', inventory.admin).send({ quantity: 20 }).expect(200);
    }
    const at = new Date(Date.now() - 30 * 60_000);
    stories = [
      orderStory({
        at,
        storeId,
        lines: [
          { productId: milk, quantity: 2, unitPrice: 5_000 },
          { productId: bread, quantity: 1, unitPrice: 3_000 },
        ],
        outcome: { delivered: 8 },
      }),
      orderStory({ at, storeId, lines: [{ productId: milk, quantity: 1, unitPrice: 5_000 }], outcome: { delivered: 12 } }),
      orderStory({
        at,
        storeId,
        lines: [{ productId: bread, quantity: 4, unitPrice: 3_000 }],
        outcome: { cancelled: 'CUSTOMER_CANCELLED', afterConfirm: true },
      }),
      orderStory({ at, storeId, lines: [{ productId: milk, quantity: 1, unitPrice: 5_000 }], outcome: { cancelled: 'OUT_OF_STOCK' } }),
      orderStory({
        at,
        storeId,
        method: 'CARD',
        lines: [{ productId: bread, quantity: 1, unitPrice: 3_000 }],
        outcome: { paymentFailed: 'DECLINED' },
      }),
    ];
    for (const story of stories) await publisher.publish(...story.events);
    delivered = stories.slice(0, 2).map((s) => ({ id: s.orderId, storeId, total: s.total }));
  }, 90_000);

  afterAll(async () => {
    sources?.shutdown();
    orderService?.close();
    await publisher?.close();
    await Promise.all([analytics?.stop(), inventory?.stop()]);
  }, 30_000);

  it('when every event has arrived, then GMV and units in the rollups equal the sources’ to the paisa and unit', async () => {
    const result = await eventually(async () => {
      const r = await reconcile(analytics.service.deps.dataSource, sources, storeId);
      return r.differences.length === 0 && r.unitsReturned.source > 0 && r;
    }, 30_000);
    expect(result).toEqual<Reconciliation>({
      storeId,
      gmv: { analytics: 13_000 + 5_000, source: 13_000 + 5_000, difference: 0 },
      // Confirmed orders' lines left the shelf (3 + 1 + 4); the cancelled one's 4 came back.
      unitsSold: { analytics: 8, source: 8, difference: 0 },
      unitsReturned: { analytics: 4, source: 4, difference: 0 },
      importedOrders: 0,
      differences: [],
    });
    expect(describeReconciliation(result)).toContain('no difference');
  });

  it('when a source holds an order the rollups do not, then the difference and the order are printed', async () => {
    const missing = id();
    delivered = [...delivered, { id: missing, storeId, total: 7_700 }];
    const result = await reconcile(analytics.service.deps.dataSource, sources, storeId);
    expect(result.gmv).toEqual({ analytics: 18_000, source: 25_700, difference: -7_700 });
    expect(result.differences).toEqual([{ orderId: missing, figure: 'gmv', analytics: 0, source: 7_700 }]);
    expect(describeReconciliation(result)).toContain(`${missing}  gmv: analytics 0, source 7700`);
  });
});
