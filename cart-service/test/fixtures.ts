import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { startServiceUnderTest, type ServiceUnderTest, type ServiceUnderTestOptions } from '@qc/shared/testing';
import { definition as inventoryDefinition } from '../../inventory-service/src/service';
import { definition as productDefinition } from '../../product-service/src/service';
import type { CartSettings } from '../src/config';
import { definition } from '../src/service';

type Api = () => ReturnType<typeof request>;

/** One cart-service on its own schema, with a token issuer standing in for user-service's signing keys. */
export interface CartServiceUnderTest extends ServiceUnderTest<CartSettings> {
  api: Api;
  /** `Authorization` for a customer (a new one unless `userId` is given). */
  customer: (userId?: string) => string;
}

/** Starts cart-service for a component test file; `label` names its throwaway schema. */
export async function startCartService(label: string, options: Omit<ServiceUnderTestOptions, 'label'> = {}): Promise<CartServiceUnderTest> {
  const underTest = await startServiceUnderTest(definition, { ...options, label });
  return {
    ...underTest,
    api: () => request(underTest.service.server),
    customer: (userId = randomUUID()) => underTest.issuer.bearer({ role: 'customer', userId, expiresInSeconds: 900 }),
  };
}

/** A real product- or inventory-service on its own schema, called by cart-service over HTTP. */
export interface UpstreamUnderTest {
  underTest: ServiceUnderTest<unknown>;
  api: Api;
  admin: string;
  url: string;
  /** Stops it (its port then refuses connections) and drops its schema; once, however often called. */
  stop(): Promise<void>;
}

async function startUpstream(start: () => Promise<ServiceUnderTest<unknown>>): Promise<UpstreamUnderTest> {
  const underTest = await start();
  let stopped: Promise<void> | undefined;
  return {
    underTest,
    api: () => request(underTest.service.server),
    admin: underTest.issuer.bearer({ role: 'admin', expiresInSeconds: 900 }),
    url: `http://127.0.0.1:${underTest.service.port}`,
    stop: () => (stopped ??= underTest.stop()),
  };
}

export const startProductService = (label: string) => startUpstream(() => startServiceUnderTest(productDefinition, { label }));
export const startInventoryService = (label: string) => startUpstream(() => startServiceUnderTest(inventoryDefinition, { label }));

/** Asserts an admin call of an upstream service went through, and returns its data. */
async function expectOk<T>(res: Promise<request.Response>, what: string): Promise<T> {
  const done = await res;
  if (done.status >= 300) throw new Error(`${what}: ${done.status} ${done.text}`);
  return done.body.data as T;
}

export interface Product {
  id: string;
  name: string;
  version: number;
}

/** A category, then an active product in it at `price` paise (MRP 20 % above). */
export async function createProduct(product: UpstreamUnderTest, price: number, overrides: Record<string, unknown> = {}): Promise<Product> {
  const u = randomUUID().slice(0, 8);
  const category = await expectOk<{ id: string }>(
    product
      .api()
      .post('/api/v1/categories')
      .set('authorization', product.admin)
      .send({ name: `Cart test ${u}` }),
    'category',
  );
  return expectOk<Product>(
    product
      .api()
      .post('/api/v1/products')
      .set('authorization', product.admin)
      .send({
        sku: `CART-${u}`.toUpperCase(),
        name: `Cart test product ${u}`,
        brand: 'Testbrand',
        packSize: 1,
        unit: 'kg',
        mrp: { amount: Math.round(price * 1.2), currency: 'INR' },
        price: { amount: price, currency: 'INR' },
        categoryIds: [category.id],
        ...overrides,
      }),
    'product',
  );
}

/** Changes a product as an admin would (versioned PATCH). */
export async function changeProduct(product: UpstreamUnderTest, productId: string, changes: Record<string, unknown>): Promise<void> {
  const current = await expectOk<Product>(product.api().get(`/api/v1/products/${productId}`).set('authorization', product.admin), 'read');
  await expectOk(
    product
      .api()
      .patch(`/api/v1/products/${productId}`)
      .set('authorization', product.admin)
      .send({ ...changes, version: current.version }),
    'change',
  );
}

export async function createStore(inventory: UpstreamUnderTest): Promise<string> {
  const store = await expectOk<{ id: string }>(
    inventory
      .api()
      .post('/api/v1/stores')
      .set('authorization', inventory.admin)
      .send({
        name: `Cart test store ${randomUUID().slice(0, 6)}`,
        address: '1 Test Road, Koramangala, Bengaluru',
        pincode: '560034',
        lat: 12.9352,
        lng: 77.6245,
        opensAt: '00:00',
        closesAt: '23:59',
        preparationMinutes: 4,
      }),
    'store',
  );
  return store.id;
}

/** Moves a product's stock at a store by `delta` units (restock up, damage write-off down). */
export async function moveStock(inventory: UpstreamUnderTest, storeId: string, productId: string, delta: number): Promise<void> {
  const item = `/api/v1/inventory/stores/${storeId}/stock/${productId}`;
  await expectOk(
    delta > 0
      ? inventory.api().post(`${item}/restock`).set('authorization', inventory.admin).send({ quantity: delta })
      : inventory.api().post(`${item}/adjustments`).set('authorization', inventory.admin).send({ delta, reason: 'damaged' }),
    'stock',
  );
}

/**
 * A small real HTTP server standing in for another service (location- or user-service): it answers
 * with `respond` and records what it was asked, with which Authorization header.
 */
export class StandIn {
  readonly calls: { url: URL; authorization: string | undefined }[] = [];
  private readonly server: Server;

  private constructor(respond: (url: URL, req: IncomingMessage) => { status: number; body: unknown }) {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      this.calls.push({ url, authorization: req.headers.authorization });
      const { status, body } = respond(url, req);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  }

  static async start(respond: (url: URL, req: IncomingMessage) => { status: number; body: unknown }): Promise<StandIn> {
    const standIn = new StandIn(respond);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Where a point is served: `lat,lng` → store id (absent: not serviceable). */
export function locationStandIn(storeByPoint: Map<string, string>): Promise<StandIn> {
  return StandIn.start((url) => {
    if (url.pathname !== '/api/v1/locations/serviceability') return { status: 404, body: { errorCode: 'ROUTE_NOT_FOUND' } };
    const storeId = storeByPoint.get(`${url.searchParams.get('lat')},${url.searchParams.get('lng')}`) ?? null;
    return {
      status: 200,
      body: { success: true, data: { serviceable: storeId !== null, zoneId: null, storeId, etaMinutes: 9, open: true } },
    };
  });
}

export interface Address {
  id: string;
  userId: string;
  lat: number;
  lng: number;
}

/**
 * user-service's `GET /api/v1/users/me/addresses/{id}`: the address when the relayed token's
 * subject owns it, 404 otherwise (as user-service answers for someone else's address).
 */
export function userStandIn(addresses: Map<string, Address>): Promise<StandIn> {
  return StandIn.start((url, req) => {
    const match = /^\/api\/v1\/users\/me\/addresses\/([^/]+)$/.exec(url.pathname);
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    const caller = token ? jwt.decode(token, { json: true })?.sub : undefined;
    if (!caller) return { status: 401, body: { errorCode: 'UNAUTHENTICATED' } };
    const address = match ? addresses.get(match[1]!) : undefined;
    if (!address || address.userId !== caller) return { status: 404, body: { errorCode: 'ADDRESS_NOT_FOUND' } };
    return { status: 200, body: { success: true, data: { id: address.id, label: 'Home', lat: address.lat, lng: address.lng } } };
  });
}
