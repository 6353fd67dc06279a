import { randomUUID } from 'node:crypto';
import { createDataSource, migrate } from '@qc/shared/db';
import { Outbox } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import type { RunningService } from '@qc/shared/service';
import { rootQuery, type TestSchema, type TestTokenIssuer } from '@qc/shared/testing';
import { DEFAULT_DEMO_CITY_FILE, readDemoCity, seedDemo, type SeedSummary } from '../../src/cli/seed-demo';
import { locationSettings } from '../../src/config';
import { migrations } from '../../src/data/migrations';
import { recordStore } from '../../src/domain/stores';
import { kolkataTime, polygonAround, startLocationService, type LocationServiceUnderTest } from '../fixtures';

/**
 * Serviceability, geocoding and address validation through the HTTP API, on the demo city seeded
 * the way `make run` seeds it.
 */
describe('locations API', () => {
  const city = readDemoCity(DEFAULT_DEMO_CITY_FILE);
  const storeNamed = (name: string) => city.stores.find((s) => s.name === name)!;
  const kora = storeNamed('QC Koramangala');
  const hsr = storeNamed('QC HSR Layout');
  const yelahanka = { lat: 13.1007, lng: 77.5963 };

  let underTest: LocationServiceUnderTest;
  let schema: TestSchema;
  let service: RunningService;
  let issuer: TestTokenIssuer;
  let seeded: SeedSummary[];
  const api = () => underTest.api();
  const serviceability = (query: Record<string, unknown>) => api().get('/api/v1/locations/serviceability').query(query);

  beforeAll(async () => {
    underTest = await startLocationService('location_api', {
      // Seed twice, as a second `make run` would, before the service starts.
      beforeStart: async (empty) => {
        const dataSource = createDataSource({ url: empty.url, poolSize: 2, migrations });
        await dataSource.initialize();
        try {
          await migrate(dataSource);
          const settings = locationSettings.parse({});
          const command = { dataSource, outbox: new Outbox(dataSource, eventsTopic('location-service')) };
          seeded = [await seedDemo(command, city, settings), await seedDemo(command, city, settings)];
        } finally {
          await dataSource.destroy();
        }
      },
    });
    ({ schema, service, issuer } = underTest);
  }, 60_000);

  afterAll(() => underTest?.stop(), 30_000);

  describe('demo seeding', () => {
    it('when seeded twice, then the second run adds nothing and nothing is duplicated', async () => {
      expect(seeded[0]).toEqual({
        stores: city.stores.length,
        storesAdded: city.stores.length,
        zones: city.zones.length,
        zonesAdded: city.zones.length,
      });
      expect(seeded[1]).toEqual({ stores: city.stores.length, storesAdded: 0, zones: city.zones.length, zonesAdded: 0 });
      const [counts] = (await rootQuery(
        `SELECT (SELECT COUNT(*) FROM \`${schema.name}\`.stores) AS stores, (SELECT COUNT(*) FROM \`${schema.name}\`.zones) AS zones`,
      )) as { stores: number; zones: number }[];
      expect({ stores: Number(counts!.stores), zones: Number(counts!.zones) }).toEqual({
        stores: city.stores.length,
        zones: city.zones.length,
      });
    });
  });

  describe('GET /api/v1/locations/serviceability', () => {
    it('when the point is at a store, then that store serves it with preparation + partner wait as the ETA', async () => {
      const res = await serviceability({ lat: kora.lat, lng: kora.lng });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        data: { serviceable: true, zoneId: expect.any(String), storeId: kora.id, distanceKm: 0, etaMinutes: 6, open: expect.any(Boolean) },
      });
      expect(city.zones.find((z) => z.id === res.body.data.zoneId)?.storeId).toBe(kora.id);
    });

    it('when the point is in overlapping zones, then the nearest store wins', async () => {
      const res = await serviceability({ lat: 12.918, lng: 77.634 });
      expect(res.body.data).toMatchObject({ serviceable: true, storeId: hsr.id });
      // The zone named is the winning store's, not another zone the point also falls in.
      expect(city.zones.find((z) => z.id === res.body.data.zoneId)?.storeId).toBe(hsr.id);
      expect(res.body.data.distanceKm).toBeGreaterThan(0.5);
      expect(res.body.data.distanceKm).toBeLessThan(1);
      // 3 prep + 2 wait + ~0.8 km × 1.4 / 20 km/h ≈ 3.4 min → 9
      expect(res.body.data.etaMinutes).toBe(9);
    });

    it('when the point is outside every zone, then it is not serviceable, with nulls', async () => {
      const res = await serviceability(yelahanka);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ serviceable: false, zoneId: null, storeId: null, distanceKm: null, etaMinutes: null, open: null });
    });

    it.each([
      ['no longitude', { lat: 12.93 }],
      ['a word for latitude', { lat: 'north', lng: 77.62 }],
      ['an empty latitude', { lat: '', lng: 77.62 }],
      ['latitude 91', { lat: 91, lng: 77.62 }],
      ['longitude -181', { lat: 12.93, lng: -181 }],
      ['an unknown parameter', { lat: 12.93, lng: 77.62, radius: 3 }],
    ])('when the query has %s, then it is 400', async (_case, query) => {
      const res = await serviceability(query);
      expect(res.status).toBe(400);
      expect(res.body.errorCode).toBe('VALIDATION_FAILED');
    });

    it('when a store is closed now, then its area is still serviceable but says it is closed; a 24-hour store is open', async () => {
      const admin = issuer.bearer({ role: 'admin' });
      // Two made-up stores in Mysuru, far from the demo zones, so they answer alone.
      const closed = { id: randomUUID(), lat: 12.3, lng: 76.64, opensAt: kolkataTime(60), closesAt: kolkataTime(120) };
      const always = { id: randomUUID(), lat: 12.35, lng: 76.64, opensAt: '00:00', closesAt: '00:00' };
      for (const store of [closed, always]) {
        await service.deps.dataSource.transaction((tx) =>
          recordStore(tx, { ...store, name: 'QC Mysuru', preparationMinutes: 5, active: true }, new Date()),
        );
        const zone = await api()
          .post('/api/v1/zones')
          .set('authorization', admin)
          .send({ name: 'Mysuru', storeId: store.id, polygon: polygonAround(store.lat, store.lng, 2) });
        expect(zone.status).toBe(201);
      }
      expect((await serviceability({ lat: closed.lat, lng: closed.lng })).body.data).toMatchObject({
        serviceable: true,
        storeId: closed.id,
        open: false,
      });
      expect((await serviceability({ lat: always.lat, lng: always.lng })).body.data).toMatchObject({
        serviceable: true,
        storeId: always.id,
        open: true,
      });
    });

    it('when an admin deactivates or deletes a zone, then serviceability follows at once', async () => {
      const admin = issuer.bearer({ role: 'admin' });
      const spot = { lat: 12.5, lng: 76.9 };
      const storeId = randomUUID();
      await service.deps.dataSource.transaction((tx) =>
        recordStore(
          tx,
          { id: storeId, name: 'QC Mandya', ...spot, preparationMinutes: 4, opensAt: '06:00', closesAt: '23:00', active: true },
          new Date(),
        ),
      );
      const zone = (
        await api()
          .post('/api/v1/zones')
          .set('authorization', admin)
          .send({ name: 'Mandya', storeId, polygon: polygonAround(spot.lat, spot.lng, 3) })
      ).body.data;
      expect((await serviceability(spot)).body.data).toMatchObject({ serviceable: true, zoneId: zone.id });
      await api().patch(`/api/v1/zones/${zone.id}`).set('authorization', admin).send({ active: false }).expect(200);
      expect((await serviceability(spot)).body.data.serviceable).toBe(false);
      await api().patch(`/api/v1/zones/${zone.id}`).set('authorization', admin).send({ active: true }).expect(200);
      expect((await serviceability(spot)).body.data.serviceable).toBe(true);
      await api().delete(`/api/v1/zones/${zone.id}`).set('authorization', admin).expect(204);
      expect((await serviceability(spot)).body.data.serviceable).toBe(false);
    });
  });

  describe('GET /api/v1/locations/geocode', () => {
    it('when asked for a locality prefix in any case or accents, then the locality comes first with its pincode', async () => {
      for (const q of ['kora', 'KŌRAMANGALA', 'Koramangala 4th']) {
        const res = await api().get('/api/v1/locations/geocode').query({ q });
        expect(res.status).toBe(200);
        expect(res.body.data[0]).toMatchObject({
          name: 'Koramangala',
          pincode: '560034',
          city: 'Bengaluru',
          lat: expect.any(Number),
          lng: expect.any(Number),
        });
      }
    });

    it('when asked for a pincode, then its localities come back', async () => {
      const res = await api().get('/api/v1/locations/geocode').query({ q: '560102' });
      expect(res.body.data.map((p: { name: string }) => p.name)).toEqual(['HSR Layout']);
    });

    it('when asked for a common word, then the limit caps the answer and the best matches lead', async () => {
      const res = await api().get('/api/v1/locations/geocode').query({ q: 'nagar', limit: 3 });
      expect(res.body.data).toHaveLength(3);
      expect(res.body.data[0].name.toLowerCase()).toMatch(/^nagar/);
    });

    it('when nothing matches, then the list is empty', async () => {
      const res = await api().get('/api/v1/locations/geocode').query({ q: 'Connaught Place' });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([]);
    });

    it('when the query is missing, blank, too long or the limit is out of range, then it is 400', async () => {
      for (const query of [
        {},
        { q: '  ' },
        { q: 'x'.repeat(101) },
        { q: 'kora', limit: 0 },
        { q: 'kora', limit: 51 },
        { q: 'kora', city: 'x' },
      ]) {
        expect((await api().get('/api/v1/locations/geocode').query(query)).status).toBe(400);
      }
    });
  });

  describe('GET /api/v1/locations/reverse', () => {
    it('when the point is in the city, then the nearest locality and its distance come back', async () => {
      const res = await api().get('/api/v1/locations/reverse').query({ lat: 12.9166, lng: 77.6101 });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ name: 'BTM Layout', pincode: '560076', city: 'Bengaluru', distanceKm: 0 });
      const near = await api().get('/api/v1/locations/reverse').query({ lat: 12.932, lng: 77.62 });
      expect(near.body.data.name).toBe('Koramangala');
      expect(near.body.data.distanceKm).toBeGreaterThan(0.3);
      expect(near.body.data.distanceKm).toBeLessThan(1);
    });

    it('when the point is far from the city, then it is 404 LOCATION_UNKNOWN', async () => {
      const res = await api().get('/api/v1/locations/reverse').query({ lat: 28.6139, lng: 77.209 });
      expect(res.status).toBe(404);
      expect(res.body.errorCode).toBe('LOCATION_UNKNOWN');
    });

    it('when the coordinates are bad, then it is 400', async () => {
      expect((await api().get('/api/v1/locations/reverse').query({ lat: 100, lng: 77 })).status).toBe(400);
      expect((await api().get('/api/v1/locations/reverse').query({ lng: 77 })).status).toBe(400);
    });
  });

  describe('POST /api/v1/locations/validate', () => {
    const validate = (body: object, bearer = issuer.bearer({ role: 'customer' })) =>
      api().post('/api/v1/locations/validate').set('authorization', bearer).send(body);
    const outboxEvent = async (userId: string) => {
      const rows = (await rootQuery(
        `SELECT topic, event_type, payload FROM \`${schema.name}\`.outbox WHERE message_key = ? AND event_type = 'location.validated'`,
        [userId],
      )) as { topic: string; event_type: string; payload: string }[];
      return rows.map((r) => ({ topic: r.topic, ...JSON.parse(r.payload) }));
    };

    it('when a customer validates a serviceable address, then it is valid and location.validated is in the outbox', async () => {
      const userId = randomUUID();
      const res = await validate({ pincode: '560034', lat: kora.lat, lng: kora.lng }, issuer.bearer({ role: 'customer', userId }));
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ valid: true, serviceable: true, zoneId: expect.any(String), storeId: kora.id, problems: [] });
      const events = await outboxEvent(userId);
      expect(events).toEqual([
        expect.objectContaining({
          topic: 'location.events',
          type: 'location.validated',
          source: '/location-service',
          subject: userId,
          data: { lat: kora.lat, lng: kora.lng, serviceable: true, zoneId: res.body.data.zoneId, storeId: kora.id },
        }),
      ]);
    });

    it('when the pincode is malformed and the coordinates impossible, then both problems are reported', async () => {
      const userId = randomUUID();
      const res = await validate({ pincode: '012345', lat: 95, lng: -200 }, issuer.bearer({ role: 'customer', userId }));
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        valid: false,
        serviceable: false,
        zoneId: null,
        storeId: null,
        problems: [
          { code: 'PINCODE_FORMAT', path: 'pincode', message: expect.any(String) },
          { code: 'COORDINATES_OUT_OF_RANGE', path: 'lat', message: expect.any(String) },
          { code: 'COORDINATES_OUT_OF_RANGE', path: 'lng', message: expect.any(String) },
        ],
      });
      expect((await outboxEvent(userId))[0]?.data).toEqual({ lat: 95, lng: -200, serviceable: false });
    });

    it('when the pincode belongs to another part of the city, then it is flagged though the point is served', async () => {
      const res = await validate({ pincode: '560066', lat: kora.lat, lng: kora.lng });
      expect(res.body.data).toMatchObject({
        valid: false,
        serviceable: true,
        storeId: kora.id,
        problems: [{ code: 'PINCODE_MISMATCH', path: 'pincode' }],
      });
    });

    it('when the address is well-formed but outside every zone, then it is not serviceable', async () => {
      const res = await validate({ pincode: '560064', ...yelahanka });
      expect(res.body.data).toEqual({
        valid: false,
        serviceable: false,
        zoneId: null,
        storeId: null,
        problems: [expect.objectContaining({ code: 'NOT_SERVICEABLE' })],
      });
    });

    it('when an admin validates, then it is allowed too', async () => {
      expect((await validate({ pincode: '560034', lat: kora.lat, lng: kora.lng }, issuer.bearer({ role: 'admin' }))).status).toBe(200);
    });

    it('when the body is malformed, then it is 400', async () => {
      for (const body of [
        { pincode: '560034', lat: '12.9', lng: 77.6 },
        { pincode: 560034, lat: 12.9, lng: 77.6 },
        { lat: 12.9, lng: 77.6 },
        { pincode: '560034', lat: 12.9, lng: 77.6, city: 'x' },
      ]) {
        const res = await validate(body);
        expect(res.status).toBe(400);
        expect(res.body.errorCode).toBe('VALIDATION_FAILED');
      }
    });

    it('when called without a token, then it is 401; by a delivery partner, 403', async () => {
      const body = { pincode: '560034', lat: kora.lat, lng: kora.lng };
      expect((await api().post('/api/v1/locations/validate').send(body)).status).toBe(401);
      const res = await validate(body, issuer.bearer({ role: 'delivery_partner' }));
      expect(res.status).toBe(403);
    });
  });

  it('when the API document is read, then every location route is in it', async () => {
    const res = await api().get('/openapi.json');
    expect(Object.keys(res.body.paths).sort()).toEqual([
      '/api/v1/locations/geocode',
      '/api/v1/locations/reverse',
      '/api/v1/locations/serviceability',
      '/api/v1/locations/validate',
      '/api/v1/zones',
      '/api/v1/zones/{id}',
    ]);
    expect(Object.keys(res.body.paths['/api/v1/zones/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    // Serviceability names the zone as well as the store.
    expect(res.body.components.schemas.Serviceability.required).toEqual(expect.arrayContaining(['zoneId', 'storeId']));
    expect(res.body.components.schemas.Serviceability.properties.zoneId).toMatchObject({ format: 'uuid' });
  });

  it('when the API document is read, then exactly the routes that need a token carry bearer security', async () => {
    const { paths } = (await api().get('/openapi.json')).body as { paths: Record<string, Record<string, { security?: unknown }>> };
    const secured = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.security !== undefined)
        .map(([method, operation]) => {
          expect(operation.security).toEqual([{ bearerAuth: [] }]);
          return `${method} ${path}`;
        }),
    );
    expect(secured.sort()).toEqual([
      'delete /api/v1/zones/{id}',
      'get /api/v1/zones',
      'get /api/v1/zones/{id}',
      'patch /api/v1/zones/{id}',
      'post /api/v1/locations/validate',
      'post /api/v1/zones',
    ]);
  });
});
