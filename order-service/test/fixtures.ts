import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startServiceUnderTest, type ServiceUnderTest, type ServiceUnderTestOptions } from '@qc/shared/testing';
import { definition as productService } from '../../product-service/src/service';
import type { OrderSettings } from '../src/config';
import { definition } from '../src/service';

/**
 * order-service under test with its neighbours: the real product-service in-process (prices come
 * from it, as in production), and one small HTTP server standing in for user-service's addresses,
 * location-service's serviceability and cart-service's cart (each answers its documented contract
 * and checks whose token it was given, so token relay is tested for real).
 */
export interface OrderServiceUnderTest extends ServiceUnderTest<OrderSettings> {
  api: () => ReturnType<typeof request>;
  catalog: Catalog;
  neighbours: Neighbours;
  admin: string;
  /** A new customer with an address the test store (or `storeId`) delivers to. */
  newCustomer(storeId?: string): Customer;
  stop(): Promise<void>;
}

export interface Customer {
  userId: string;
  addressId: string;
  bearer: string;
}

/** Starts order-service for a component test file; `label` names its throwaway schemas. */
export async function startOrderService(
  label: string,
  options: Omit<ServiceUnderTestOptions, 'label'> = {},
): Promise<OrderServiceUnderTest> {
  const [catalog, neighbours] = await Promise.all([Catalog.start(`${label}_products`), Neighbours.start()]);
  const underTest = await startServiceUnderTest(definition, {
    ...options,
    label,
    env: {
      PRODUCT_SERVICE_URL: catalog.url,
      USER_SERVICE_URL: neighbours.url,
      LOCATION_SERVICE_URL: neighbours.url,
      CART_SERVICE_URL: neighbours.url,
      ...options.env,
    },
  });
  // Its events stay in its outbox, where the tests read them. The topics are shared with every
  // other service under test on this broker (and a `make run` fleet): an inventory-service among
  // them would answer this test's order.created for a store it does not know with
  // reservation_failed, and cancel the order mid-test. The tests publish the saga's answers themselves.
  await underTest.service.relay.stop();
  const storeId = randomUUID();
  return {
    ...underTest,
    api: () => request(underTest.service.server),
    catalog,
    neighbours,
    admin: underTest.issuer.bearer({ role: 'admin', expiresInSeconds: 900 }),
    newCustomer: (servedBy = storeId) => {
      const userId = randomUUID();
      const addressId = neighbours.addAddress(userId, { lat: 12.9352, lng: 77.6245 }, servedBy);
      return { userId, addressId, bearer: underTest.issuer.bearer({ userId, role: 'customer', expiresInSeconds: 900 }) };
    },
    stop: async () => {
      await underTest.stop();
      await Promise.all([catalog.stop(), neighbours.stop()]);
    },
  };
}

/** The real product-service, with one category to put test products in. */
export class Catalog {
  private constructor(
    private readonly underTest: ServiceUnderTest,
    private readonly admin: string,
    private readonly categoryId: string,
  ) {}

  static async start(label: string): Promise<Catalog> {
    const underTest = await startServiceUnderTest(productService, { label });
    const admin = underTest.issuer.bearer({ role: 'admin', expiresInSeconds: 900 });
    const res = await request(underTest.service.server)
      .post('/api/v1/categories')
      .set('authorization', admin)
      .send({ name: `Order tests ${randomUUID().slice(0, 8)}` });
    if (res.status !== 201) throw new Error(`category not created: ${res.status} ${res.text}`);
    return new Catalog(underTest, admin, res.body.data.id);
  }

  get url(): string {
    return `http://127.0.0.1:${this.underTest.service.port}`;
  }

  /** A product for sale at `price` paise (MRP `mrp`); its id. */
  async product(price: number, mrp = price, name = `Test product ${randomUUID().slice(0, 8)}`): Promise<string> {
    const sku = `ORD-${randomUUID().slice(0, 12)}`.toUpperCase();
    const res = await request(this.underTest.service.server)
      .post('/api/v1/products')
      .set('authorization', this.admin)
      .send({
        sku,
        name,
        brand: 'Testbrand',
        packSize: 1,
        unit: 'pcs',
        mrp: { amount: mrp, currency: 'INR' },
        price: { amount: price, currency: 'INR' },
        categoryIds: [this.categoryId],
      });
    if (res.status !== 201) throw new Error(`product not created: ${res.status} ${res.text}`);
    return res.body.data.id;
  }

  /** Changes a product as an admin would (price, active). */
  async change(productId: string, changes: Record<string, unknown>): Promise<void> {
    const api = () => request(this.underTest.service.server);
    const current = await api().get(`/api/v1/products/${productId}`).query({});
    const version = current.body.data?.version ?? 1;
    const res = await api()
      .patch(`/api/v1/products/${productId}`)
      .set('authorization', this.admin)
      .send({ ...changes, version });
    if (res.status !== 200) throw new Error(`product not changed: ${res.status} ${res.text}`);
  }

  stop(): Promise<void> {
    return this.underTest.stop();
  }
}

interface Address {
  userId: string;
  lat: number;
  lng: number;
}

/** The caller a stand-in answers for: the `sub` of the bearer token it was relayed (order-service verified it). */
function callerOf(req: IncomingMessage): string | undefined {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub?: string }).sub;
}

/**
 * user-, location- and cart-service as far as order-service calls them, by their contracts:
 * `GET /api/v1/users/me/addresses/{id}` (404 for someone else's), `GET /api/v1/locations/serviceability`,
 * `GET /api/v1/carts/me` and `POST /api/v1/carts/me/items`.
 */
export class Neighbours {
  private readonly addresses = new Map<string, Address>();
  /** Points (`lat,lng`) served, each in a zone of its own, with its store and whether it is open. */
  private readonly zones = new Map<string, { zoneId: string; storeId: string; open: boolean }>();
  /** Whether serviceability names the zone (location-service always does; false answers as one that did not). */
  namesZones = true;
  readonly carts = new Map<string, { productId: string; quantity: number }[]>();
  /** Products the cart refuses to take (cart-service answers 422 for them). */
  readonly refusedByCart = new Set<string>();
  /** Whether every call answers 500 (a dependency that is down). */
  failing = false;

  private readonly server: Server = createServer((req, res) => void this.answer(req, res));

  static async start(): Promise<Neighbours> {
    const neighbours = new Neighbours();
    await new Promise<void>((resolve) => neighbours.server.listen(0, '127.0.0.1', resolve));
    return neighbours;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** An address of `userId` at a point served by `storeId` (`null` for an unserved point). */
  addAddress(userId: string, point: { lat: number; lng: number }, storeId: string | null, open = true): string {
    const addressId = randomUUID();
    // A point of its own per address, so each zone answer belongs to one test.
    const lat = Number((point.lat + Math.random() / 100).toFixed(6));
    const lng = Number((point.lng + Math.random() / 100).toFixed(6));
    this.addresses.set(addressId, { userId, lat, lng });
    if (storeId) this.zones.set(`${lat},${lng}`, { zoneId: randomUUID(), storeId, open });
    return addressId;
  }

  storeOf(addressId: string): string | undefined {
    return this.zoneServing(addressId)?.storeId;
  }

  zoneOf(addressId: string): string | undefined {
    return this.zoneServing(addressId)?.zoneId;
  }

  private zoneServing(addressId: string) {
    const a = this.addresses.get(addressId);
    return a && this.zones.get(`${a.lat},${a.lng}`);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (this.failing) return send(500, { success: false, error: 'Internal error' });
    const url = new URL(req.url ?? '/', this.url);
    const caller = callerOf(req);
    const address = /^\/api\/v1\/users\/me\/addresses\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && address) {
      const found = this.addresses.get(address[1]!);
      if (!caller) return send(401, { success: false, errorCode: 'UNAUTHENTICATED' });
      if (!found || found.userId !== caller) return send(404, { success: false, errorCode: 'ADDRESS_NOT_FOUND' });
      return send(200, { success: true, data: { id: address[1], lat: found.lat, lng: found.lng } });
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/locations/serviceability') {
      const zone = this.zones.get(`${Number(url.searchParams.get('lat'))},${Number(url.searchParams.get('lng'))}`);
      return send(200, {
        success: true,
        data: zone
          ? {
              serviceable: true,
              zoneId: this.namesZones ? zone.zoneId : null,
              storeId: zone.storeId,
              distanceKm: 1.2,
              etaMinutes: 9,
              open: zone.open,
            }
          : { serviceable: false, zoneId: null, storeId: null, distanceKm: null, etaMinutes: null, open: null },
      });
    }
    if (url.pathname === '/api/v1/carts/me' || url.pathname === '/api/v1/carts/me/items') {
      if (!caller) return send(401, { success: false, errorCode: 'UNAUTHENTICATED' });
      const items = this.carts.get(caller) ?? [];
      if (req.method === 'GET') return send(200, { success: true, data: { id: randomUUID(), userId: caller, items } });
      if (req.method === 'POST') {
        const line = JSON.parse(await bodyOf(req)) as { productId: string; quantity: number };
        if (this.refusedByCart.has(line.productId)) return send(422, { success: false, errorCode: 'PRODUCT_UNAVAILABLE' });
        const existing = items.find((i) => i.productId === line.productId);
        if (existing) existing.quantity += line.quantity;
        else items.push({ ...line });
        this.carts.set(caller, items);
        return send(200, { success: true, data: { id: randomUUID(), userId: caller, items } });
      }
    }
    send(404, { success: false, errorCode: 'ROUTE_NOT_FOUND' });
  }
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}
