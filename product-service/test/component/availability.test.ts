import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId } from '@qc/shared/db';
import { aProduct, startProductService, unique, type ProductServiceUnderTest } from '../fixtures';

/**
 * A tiny HTTP server standing in for another service: it answers with `respond` and records the
 * URLs it was asked for.
 */
class StandIn {
  readonly calls: URL[] = [];
  delayMs = 0;
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly server: Server;

  private constructor(respond: (url: URL) => { status: number; body: unknown }) {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      this.calls.push(url);
      const { status, body } = respond(url);
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }, this.delayMs);
      this.pending.add(timer);
    });
  }

  static async start(respond: (url: URL) => { status: number; body: unknown }): Promise<StandIn> {
    const standIn = new StandIn(respond);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    for (const timer of this.pending) clearTimeout(timer);
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('availability at the caller’s dark store', () => {
  const storeId = newId();
  const stock = new Map<string, number>();
  let inventory: StandIn;
  let location: StandIn;
  let t: ProductServiceUnderTest;
  let categoryId: string;
  let productIds: string[];

  beforeAll(async () => {
    inventory = await StandIn.start((url) => {
      const match = /^\/api\/v1\/stores\/([^/]+)\/availability$/.exec(url.pathname);
      if (!match) return { status: 404, body: { errorCode: 'ROUTE_NOT_FOUND' } };
      if (match[1] !== storeId) return { status: 404, body: { errorCode: 'STORE_NOT_FOUND' } };
      const ids = (url.searchParams.get('productIds') ?? '').split(',');
      return { status: 200, body: { success: true, data: ids.map((productId) => ({ productId, available: stock.get(productId) ?? 0 })) } };
    });
    // Koramangala is served by the store; the middle of the sea is not.
    location = await StandIn.start((url) => {
      const serviceable = Number(url.searchParams.get('lat')) > 10;
      return {
        status: 200,
        body: {
          success: true,
          data: {
            serviceable,
            zoneId: serviceable ? newId() : null,
            storeId: serviceable ? storeId : null,
            distanceKm: 1.2,
            etaMinutes: 9,
            open: serviceable ? true : null,
          },
        },
      };
    });
    t = await startProductService('product_availability', {
      INVENTORY_SERVICE_URL: inventory.url,
      LOCATION_SERVICE_URL: location.url,
      AVAILABILITY_TIMEOUT_MS: '300',
    });
    categoryId = (
      await t
        .api()
        .post('/api/v1/categories')
        .set('authorization', t.admin())
        .send({ name: `Stocked ${unique()}` })
    ).body.data.id;
    productIds = [];
    for (const units of [12, 0, 3]) {
      const product = (
        await t
          .api()
          .post('/api/v1/products')
          .set('authorization', t.admin())
          .send(aProduct([categoryId]))
      ).body.data;
      stock.set(product.id, units);
      productIds.push(product.id);
    }
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await Promise.all([inventory?.stop(), location?.stop()]);
  }, 30_000);

  const listing = (query: Record<string, string | number>) =>
    t
      .api()
      .get('/api/v1/products')
      .query({ category: categoryId, ...query });
  const availableById = (res: { body: { data: { id: string; available?: number; inStock?: boolean }[] } }) =>
    Object.fromEntries(res.body.data.map((p) => [p.id, { available: p.available, inStock: p.inStock }]));

  it('when a listing names a store, then each item says how many are available there, from one bulk call', async () => {
    inventory.calls.length = 0;
    const res = await listing({ storeId });
    expect(res.status).toBe(200);
    expect(res.body.meta).toMatchObject({ availability: 'live', storeId });
    expect(availableById(res)).toEqual({
      [productIds[0]!]: { available: 12, inStock: true },
      [productIds[1]!]: { available: 0, inStock: false },
      [productIds[2]!]: { available: 3, inStock: true },
    });
    expect(inventory.calls).toHaveLength(1);
    expect(inventory.calls[0]!.pathname).toBe(`/api/v1/stores/${storeId}/availability`);
    expect(inventory.calls[0]!.searchParams.get('productIds')!.split(',')).toEqual(res.body.data.map((p: { id: string }) => p.id));
    expect(res.headers['cache-control']).toBe('private, no-cache');
  });

  it('when stock changes, then the next listing shows it although the catalog part is cached', async () => {
    const before = await listing({ storeId, limit: 50 });
    stock.set(productIds[1]!, 7);
    try {
      const after = await listing({ storeId, limit: 50 });
      expect(availableById(after)[productIds[1]!]).toEqual({ available: 7, inStock: true });
      expect(after.headers.etag).not.toBe(before.headers.etag);
      expect((await listing({ storeId, limit: 50 }).set('if-none-match', after.headers.etag as string)).status).toBe(304);
    } finally {
      stock.set(productIds[1]!, 0);
    }
  });

  it('when a listing gives a location, then location-service picks the store and inventory answers for it', async () => {
    location.calls.length = 0;
    const res = await listing({ lat: 12.9352, lng: 77.6245 });
    expect(res.status).toBe(200);
    expect(res.body.meta).toMatchObject({ availability: 'live', storeId });
    expect(availableById(res)[productIds[0]!]).toEqual({ available: 12, inStock: true });
    expect(location.calls.map((u) => [u.pathname, u.searchParams.get('lat'), u.searchParams.get('lng')])).toEqual([
      ['/api/v1/locations/serviceability', '12.9352', '77.6245'],
    ]);
  });

  it('when no store delivers to the location, then the listing says so and items carry no availability', async () => {
    const res = await listing({ lat: 0, lng: 0 });
    expect(res.status).toBe(200);
    expect(res.body.meta).toMatchObject({ availability: 'unserviceable', storeId: null });
    expect(res.body.data).toHaveLength(3);
    for (const item of res.body.data) expect(item).not.toHaveProperty('available');
  });

  it('when one product is read at a store, then it carries its availability too', async () => {
    const res = await t.api().get(`/api/v1/products/${productIds[2]}`).query({ storeId });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: productIds[2], available: 3, inStock: true });
    expect(res.body.meta).toEqual({ availability: 'live', storeId });
    const near = await t.api().get(`/api/v1/products/${productIds[0]}`).query({ lat: 12.97, lng: 77.59 });
    expect(near.body.data).toMatchObject({ available: 12, inStock: true });
  });

  it('when a product’s recommendations name a store, then each product on the shelf carries its availability there', async () => {
    inventory.calls.length = 0;
    const res = await t.api().get(`/api/v1/products/${productIds[1]}/recommendations`).query({ storeId });
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ limit: 10, availability: 'live', storeId });
    expect(availableById(res)).toEqual({
      [productIds[0]!]: { available: 12, inStock: true },
      [productIds[2]!]: { available: 3, inStock: true },
    });
    expect(inventory.calls).toHaveLength(1);
    expect(res.headers['cache-control']).toBe('private, no-cache');
    const plain = await t.api().get(`/api/v1/products/${productIds[1]}/recommendations`);
    expect(plain.body.meta).toEqual({ limit: 10 });
    expect(plain.headers['cache-control']).toMatch(/^public, max-age=/);
  });

  it('when the store does not exist, then it is a 404 naming the store', async () => {
    const res = await listing({ storeId: newId() });
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('STORE_NOT_FOUND');
  });

  it('when inventory is slower than the timeout, then the listing still answers in time, without availability', async () => {
    inventory.delayMs = 2_000;
    try {
      const started = Date.now();
      const res = await listing({ storeId });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(res.status).toBe(200);
      expect(res.body.meta).toMatchObject({ availability: 'unavailable', storeId });
      expect(res.body.data).toHaveLength(3);
      for (const item of res.body.data) {
        expect(item).not.toHaveProperty('available');
        expect(item).not.toHaveProperty('inStock');
      }
    } finally {
      inventory.delayMs = 0;
    }
  });

  it('when inventory and location are down, then listing and detail still answer 200, marked without availability', async () => {
    await inventory.stop();
    const byStore = await listing({ storeId });
    expect(byStore.status).toBe(200);
    expect(byStore.body.meta).toMatchObject({ availability: 'unavailable', storeId });
    expect(byStore.body.data.map((p: { id: string }) => p.id).sort()).toEqual([...productIds].sort());
    for (const item of byStore.body.data) expect(item).not.toHaveProperty('available');
    const detail = await t.api().get(`/api/v1/products/${productIds[0]}`).query({ storeId });
    expect(detail.status).toBe(200);
    expect(detail.body.meta).toMatchObject({ availability: 'unavailable' });

    await location.stop();
    const byPoint = await listing({ lat: 12.9352, lng: 77.6245 });
    expect(byPoint.status).toBe(200);
    expect(byPoint.body.meta).toMatchObject({ availability: 'unavailable', storeId: null });
    // Without a store to ask about, the listing is the plain shared one.
    const plain = await listing({});
    expect(plain.status).toBe(200);
    expect(plain.body.meta).not.toHaveProperty('availability');
  });
});
