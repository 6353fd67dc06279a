import { createServer, type Server } from 'node:http';
import { newId } from '@qc/shared/db';
import { closedPort, eventually } from '@qc/shared/testing';
import { aProduct, startProductService, unique, type ProductServiceUnderTest } from '../fixtures';

/**
 * product-service's own breakers (the ServiceClients it builds from its settings for inventory and
 * location) in its /metrics, as Prometheus scrapes them: inventory-service is first a closed port,
 * then a real server on that same port.
 */
describe('product-service’s breakers in /metrics', () => {
  const storeId = newId();
  let inventoryPort: number;
  let locationPort: number;
  let inventory: Server | undefined;
  let t: ProductServiceUnderTest;
  let categoryId: string;

  beforeAll(async () => {
    [inventoryPort, locationPort] = await Promise.all([closedPort(), closedPort()]);
    t = await startProductService('product_breakers', {
      INVENTORY_SERVICE_URL: `http://127.0.0.1:${inventoryPort}`,
      LOCATION_SERVICE_URL: `http://127.0.0.1:${locationPort}`,
      AVAILABILITY_TIMEOUT_MS: '300',
    });
    categoryId = (
      await t
        .api()
        .post('/api/v1/categories')
        .set('authorization', t.admin())
        .send({ name: `Guarded ${unique()}` })
    ).body.data.id;
    await t
      .api()
      .post('/api/v1/products')
      .set('authorization', t.admin())
      .send(aProduct([categoryId]));
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    inventory?.closeAllConnections();
    await new Promise((resolve) => (inventory ? inventory.close(resolve) : resolve(undefined)));
  }, 30_000);

  /** The value of circuit_breaker_state for one callee, from the service's own /metrics. */
  const breakerState = async (upstream: string, port: number): Promise<number | undefined> => {
    const res = await t.api().get('/metrics');
    expect(res.status).toBe(200);
    const line = res.text
      .split('\n')
      .find((l) =>
        l.startsWith(`circuit_breaker_state{upstream="${upstream}",instance="http://127.0.0.1:${port}",service="product-service"} `),
      );
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };
  const listingAtStore = () => t.api().get('/api/v1/products').query({ category: categoryId, storeId });

  it('when inventory-service is down, then its breaker opens and /metrics says so; when it is back, the breaker half-opens, then closes on the next call', async () => {
    expect(await breakerState('inventory-service', inventoryPort)).toBe(0);
    expect(await breakerState('location-service', locationPort)).toBe(0);

    // Five refused calls: the breaker's minimum volume, all failures.
    for (let i = 0; i < 5; i++) {
      const res = await listingAtStore();
      expect(res.status).toBe(200);
      expect(res.body.meta).toMatchObject({ availability: 'unavailable', storeId });
    }
    expect(await breakerState('inventory-service', inventoryPort)).toBe(2);
    expect(await breakerState('location-service', locationPort)).toBe(0);

    inventory = createServer((req, res) => {
      const ids = (new URL(req.url ?? '/', 'http://inventory').searchParams.get('productIds') ?? '').split(',');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, data: ids.map((productId) => ({ productId, available: 4 })) }));
    });
    await new Promise<void>((resolve) => inventory!.listen(inventoryPort, '127.0.0.1', resolve));
    // Still open (calls refused without trying) until ServiceClient's reset timeout (10 s) has passed.
    expect((await listingAtStore()).body.meta).toMatchObject({ availability: 'unavailable' });
    expect(await breakerState('inventory-service', inventoryPort)).toBe(2);

    await eventually(async () => (await breakerState('inventory-service', inventoryPort)) === 1, 15_000, 250);
    const trial = await listingAtStore();
    expect(trial.body.meta).toMatchObject({ availability: 'live', storeId });
    expect(trial.body.data[0]).toMatchObject({ available: 4, inStock: true });
    expect(await breakerState('inventory-service', inventoryPort)).toBe(0);
  }, 40_000);
});
