import { AddressesClient, CatalogClient, InventoryClient, LocationClient } from '@qc/shared/clients';
import { AppError } from '@qc/shared/http';
import { caught, startCallee, type Callee } from '../callee';

/**
 * The typed clients of other services' contracts, each against a real HTTP server answering as
 * that service would (or would not): what the caller gets for each answer.
 */

const STORE = '0193a5a0-0000-7000-8000-000000000001';
const ZONE = '0193a5a0-0000-7000-8000-0000000000e1';
const MILK = '0193a5a0-0000-7000-8000-0000000000a1';
const BREAD = '0193a5a0-0000-7000-8000-0000000000a2';
// Generous for a loaded CI machine; the slow callee below answers well after it.
const TIMEOUT_MS = 1_000;
const inr = (amount: number) => ({ amount, currency: 'INR' });

let callee: Callee;

beforeEach(async () => {
  callee = await startCallee();
});

afterEach(async () => {
  await callee.close();
});

/** Each client with one call it makes, and an answer its contract allows. */
const contracts = [
  {
    service: 'location-service',
    call: (baseUrl: string) => new LocationClient(baseUrl, TIMEOUT_MS).storeFor({ lat: 12.9352, lng: 77.6245 }),
    good: { success: true, data: { serviceable: true, zoneId: ZONE, storeId: STORE, distanceKm: 1.2, etaMinutes: 9, open: true } },
    outside: { success: true, data: { serviceable: true, storeId: STORE } },
  },
  {
    service: 'inventory-service',
    call: (baseUrl: string) => new InventoryClient(baseUrl, TIMEOUT_MS).available(STORE, [MILK]),
    good: { success: true, data: [{ productId: MILK, available: 3 }] },
    outside: { success: true, data: [{ productId: MILK, available: -1 }] },
  },
  {
    service: 'product-service',
    call: (baseUrl: string) => new CatalogClient(baseUrl, TIMEOUT_MS).products([MILK]),
    good: { success: true, data: [{ id: MILK, name: 'Milk 1 L', price: inr(6_400), mrp: inr(6_800), active: true }] },
    outside: {
      success: true,
      data: [{ id: MILK, name: 'Milk 1 L', price: { amount: 64, currency: 'USD' }, mrp: inr(6_800), active: true }],
    },
  },
  {
    service: 'user-service',
    call: (baseUrl: string) => new AddressesClient(baseUrl, TIMEOUT_MS).address('a-1', 'Bearer token-of-the-customer'),
    good: { success: true, data: { id: 'a-1', lat: 12.9352, lng: 77.6245 } },
    outside: { success: true, data: { id: 'a-1', lat: '12.9352', lng: 77.6245 } },
  },
];

describe.each(contracts)('the $service client', ({ service, call, good, outside }) => {
  it('when the callee answers by its contract, then the call resolves', async () => {
    callee.respond = () => ({ status: 200, body: good });
    await expect(call(callee.baseUrl)).resolves.not.toBeNull();
  });

  it('when the callee answers 5xx, then the caller gets 503 DEPENDENCY_UNAVAILABLE', async () => {
    callee.respond = () => ({ status: 500, body: { success: false, error: 'Internal error' } });
    const err = await caught(call(callee.baseUrl));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'DEPENDENCY_UNAVAILABLE', message: `${service} is unavailable` });
  });

  it('when the callee is slower than the timeout, then the caller gets 503 DEPENDENCY_UNAVAILABLE in time', async () => {
    callee.respond = () => ({ status: 200, body: good, delayMs: 4_000 });
    const started = Date.now();
    const err = await caught(call(callee.baseUrl));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'DEPENDENCY_UNAVAILABLE' });
  });

  it('when the callee answers outside its contract, then the caller gets 503 DEPENDENCY_UNAVAILABLE', async () => {
    callee.respond = () => ({ status: 200, body: outside });
    const err = await caught(call(callee.baseUrl));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'DEPENDENCY_UNAVAILABLE', message: `${service} answered outside its contract` });
  });

  it('when the callee refuses the call with a 4xx the caller cannot be blamed on, then the caller gets 503 DEPENDENCY_UNAVAILABLE', async () => {
    callee.respond = () => ({ status: 400, body: { success: false, errorCode: 'VALIDATION_FAILED' } });
    const err = await caught(call(callee.baseUrl));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'DEPENDENCY_UNAVAILABLE', message: `${service} refused the call (400)` });
  });
});

describe('LocationClient', () => {
  const serviceability = (data: Record<string, unknown>) => ({ status: 200, body: { success: true, data } });

  it('when a store serves the point, then it answers the store, the zone and whether it is open, asking by lat and lng', async () => {
    callee.respond = () => serviceability({ serviceable: true, zoneId: ZONE, storeId: STORE, distanceKm: 1.2, etaMinutes: 9, open: false });
    await expect(new LocationClient(callee.baseUrl, TIMEOUT_MS).storeFor({ lat: 12.9352, lng: 77.6245 })).resolves.toEqual({
      storeId: STORE,
      zoneId: ZONE,
      open: false,
    });
    expect(callee.received[0]!.url).toBe('/api/v1/locations/serviceability?lat=12.9352&lng=77.6245');
  });

  it('when nobody delivers to the point, then it answers null', async () => {
    callee.respond = () =>
      serviceability({ serviceable: false, zoneId: null, storeId: null, distanceKm: null, etaMinutes: null, open: null });
    await expect(new LocationClient(callee.baseUrl, TIMEOUT_MS).storeFor({ lat: 1, lng: 2 })).resolves.toBeNull();
  });

  it('when the store’s hours are not known, then it is taken as closed', async () => {
    callee.respond = () => serviceability({ serviceable: true, zoneId: ZONE, storeId: STORE, distanceKm: 1.2, etaMinutes: 9, open: null });
    await expect(new LocationClient(callee.baseUrl, TIMEOUT_MS).storeFor({ lat: 1, lng: 2 })).resolves.toEqual({
      storeId: STORE,
      zoneId: ZONE,
      open: false,
    });
  });

  it('when the answer names no zone, then the store still serves the point, with a null zone', async () => {
    callee.respond = () => serviceability({ serviceable: true, zoneId: null, storeId: STORE, distanceKm: 1.2, etaMinutes: 9, open: true });
    await expect(new LocationClient(callee.baseUrl, TIMEOUT_MS).storeFor({ lat: 1, lng: 2 })).resolves.toEqual({
      storeId: STORE,
      zoneId: null,
      open: true,
    });
  });
});

describe('InventoryClient', () => {
  it('when asked for products at a store, then one call answers each one’s units', async () => {
    callee.respond = () => ({
      status: 200,
      body: {
        success: true,
        data: [
          { productId: MILK, available: 12 },
          { productId: BREAD, available: 0 },
        ],
      },
    });
    const available = await new InventoryClient(callee.baseUrl, TIMEOUT_MS).available('store/1', [MILK, BREAD]);
    expect(available).toEqual(
      new Map([
        [MILK, 12],
        [BREAD, 0],
      ]),
    );
    expect(callee.received.map((r) => r.url)).toEqual([`/api/v1/stores/store%2F1/availability?productIds=${MILK},${BREAD}`]);
  });

  it('when inventory-service does not know the store, then it answers null for the caller to read', async () => {
    callee.respond = () => ({ status: 404, body: { success: false, errorCode: 'STORE_NOT_FOUND' } });
    await expect(new InventoryClient(callee.baseUrl, TIMEOUT_MS).available(STORE, [MILK])).resolves.toBeNull();
  });

  it('when the route is not there (inventory-service not deployed yet), then it is 503 DEPENDENCY_UNAVAILABLE, not an unknown store', async () => {
    callee.respond = () => ({ status: 404, body: { success: false, errorCode: 'ROUTE_NOT_FOUND' } });
    const err = await caught(new InventoryClient(callee.baseUrl, TIMEOUT_MS).available(STORE, [MILK]));
    expect(err).toMatchObject({ kind: 'unavailable', code: 'DEPENDENCY_UNAVAILABLE', message: 'inventory-service refused the call (404)' });
  });
});

describe('CatalogClient', () => {
  it('when asked for products by id, then one call answers the active ones at today’s price', async () => {
    callee.respond = () => ({
      status: 200,
      body: {
        success: true,
        data: [
          { id: MILK, name: 'Milk 1 L', slug: 'milk-1-l', price: inr(6_400), mrp: inr(6_800), active: true },
          { id: BREAD, name: 'Bread', slug: 'bread', price: inr(4_000), mrp: inr(4_000), active: false },
        ],
      },
    });
    const products = await new CatalogClient(callee.baseUrl, TIMEOUT_MS).products([MILK, BREAD, STORE]);
    expect(products).toEqual(new Map([[MILK, { productId: MILK, name: 'Milk 1 L', price: inr(6_400), mrp: inr(6_800) }]]));
    expect(callee.received.map((r) => r.url)).toEqual([`/api/v1/products?ids=${MILK}&ids=${BREAD}&ids=${STORE}&limit=100`]);
  });

  it('when asked for more products than one page holds, then it refuses before calling', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `p-${i}`);
    await expect(new CatalogClient(callee.baseUrl, TIMEOUT_MS).products(ids)).rejects.toThrow('at most 100 products per call');
    expect(callee.received).toHaveLength(0);
  });
});

describe('AddressesClient', () => {
  it('when the address is the caller’s, then it answers its point, read with the caller’s own token', async () => {
    callee.respond = () => ({ status: 200, body: { success: true, data: { id: 'a/1', label: 'Home', lat: 12.9352, lng: 77.6245 } } });
    await expect(new AddressesClient(callee.baseUrl, TIMEOUT_MS).address('a/1', 'Bearer token-of-the-customer')).resolves.toEqual({
      lat: 12.9352,
      lng: 77.6245,
    });
    expect(callee.received[0]).toMatchObject({ url: '/api/v1/users/me/addresses/a%2F1' });
    expect(callee.received[0]!.headers.authorization).toBe('Bearer token-of-the-customer');
  });

  it('when user-service answers 404 (someone else’s address, or none), then it answers null', async () => {
    callee.respond = () => ({ status: 404, body: { success: false, errorCode: 'ADDRESS_NOT_FOUND' } });
    await expect(new AddressesClient(callee.baseUrl, TIMEOUT_MS).address('a-1', 'Bearer x')).resolves.toBeNull();
  });

  it('when user-service does not accept the relayed token, then it is 503 DEPENDENCY_UNAVAILABLE (the caller already verified it)', async () => {
    callee.respond = () => ({ status: 401, body: { success: false, errorCode: 'INVALID_TOKEN' } });
    const err = await caught(new AddressesClient(callee.baseUrl, TIMEOUT_MS).address('a-1', 'Bearer x'));
    expect(err).toMatchObject({ kind: 'unavailable', code: 'DEPENDENCY_UNAVAILABLE', message: 'user-service refused the call (401)' });
  });
});
