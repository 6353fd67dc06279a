import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import type { RunningService } from '@qc/shared/service';
import { rootQuery, type TestSchema, type TestTokenIssuer } from '@qc/shared/testing';
import { recordStore } from '../../src/domain/stores';
import { polygonAround, startLocationService, type LocationServiceUnderTest } from '../fixtures';

/** Zones admin CRUD through the HTTP API: validation, authorisation, paging, soft delete. */
describe('zones API', () => {
  let underTest: LocationServiceUnderTest;
  let service: RunningService;
  let schema: TestSchema;
  let issuer: TestTokenIssuer;
  let admin: string;
  const api = () => underTest.api();

  const aZone = (overrides: Record<string, unknown> = {}) => ({
    name: 'Koramangala',
    storeId: randomUUID(),
    polygon: polygonAround(12.9352, 77.6245, 3),
    ...overrides,
  });
  const create = (body: Record<string, unknown> = aZone()) => api().post('/api/v1/zones').set('authorization', admin).send(body);

  beforeAll(async () => {
    underTest = await startLocationService('location_zones');
    ({ service, schema, issuer } = underTest);
    admin = issuer.bearer({ role: 'admin' });
  }, 60_000);

  afterAll(() => underTest?.stop(), 30_000);

  it('when an admin creates a zone, then it is stored and read back as created', async () => {
    const body = aZone();
    const res = await create(body);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      data: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Koramangala',
        storeId: body.storeId,
        polygon: body.polygon,
        active: true,
        storeStatus: 'unknown',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
    const read = await api().get(`/api/v1/zones/${res.body.data.id}`).set('authorization', admin);
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(res.body.data);
  });

  it('when the zone names a store that inventory has announced, then its store status says so', async () => {
    const storeId = randomUUID();
    await service.deps.dataSource.transaction((tx) =>
      recordStore(
        tx,
        { id: storeId, name: 'QC Test', lat: 12.93, lng: 77.62, preparationMinutes: 4, opensAt: '06:00', closesAt: '02:00', active: false },
        new Date(),
      ),
    );
    const res = await create(aZone({ storeId }));
    expect(res.body.data.storeStatus).toBe('inactive');
  });

  it('when the polygon is a self-intersecting bow-tie, then it is rejected with 400 and where', async () => {
    const bowTie = {
      type: 'Polygon',
      coordinates: [
        [
          [77.6, 12.9],
          [77.7, 13.0],
          [77.7, 12.9],
          [77.6, 13.0],
          [77.6, 12.9],
        ],
      ],
    };
    const res = await create(aZone({ polygon: bowTie }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      code: 400,
      errorCode: 'INVALID_POLYGON',
      details: [{ path: 'polygon.coordinates.0.0', message: expect.stringMatching(/intersects itself/) }],
    });
  });

  it.each([
    ['an open ring', { type: 'Polygon', coordinates: [polygonAround(12.9, 77.6, 2).coordinates[0]!.slice(0, -1)] }, 'INVALID_POLYGON'],
    [
      'a hole',
      { type: 'Polygon', coordinates: [polygonAround(12.9, 77.6, 2).coordinates[0]!, polygonAround(12.9, 77.6, 1).coordinates[0]!] },
      'INVALID_POLYGON',
    ],
    ['a latitude out of range', polygonAround(89.99, 77.6, 5), 'INVALID_POLYGON'],
    [
      'too few positions',
      {
        type: 'Polygon',
        coordinates: [
          [
            [77.6, 12.9],
            [77.7, 12.9],
            [77.6, 12.9],
          ],
        ],
      },
      'INVALID_POLYGON',
    ],
    ['a MultiPolygon', { type: 'MultiPolygon', coordinates: [polygonAround(12.9, 77.6, 2).coordinates] }, 'VALIDATION_FAILED'],
    [
      'positions with a third number',
      {
        type: 'Polygon',
        coordinates: [
          [
            [77.6, 12.9, 0],
            [77.7, 12.9, 0],
            [77.7, 13, 0],
            [77.6, 12.9, 0],
          ],
        ],
      },
      'VALIDATION_FAILED',
    ],
  ])('when the polygon has %s, then it is rejected with 400', async (_case, polygon, errorCode) => {
    const res = await create(aZone({ polygon }));
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe(errorCode);
    expect(res.body.details.length).toBeGreaterThan(0);
  });

  it('when the body has an unknown field, a bad store id or no name, then it is rejected with 400', async () => {
    for (const body of [aZone({ radius: 3 }), aZone({ storeId: 'store-1' }), aZone({ name: ' ' })]) {
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.body.errorCode).toBe('VALIDATION_FAILED');
    }
  });

  it('when an admin changes a zone, then only the given fields change', async () => {
    const created = (await create()).body.data;
    const polygon = polygonAround(12.94, 77.63, 2.5);
    const res = await api()
      .patch(`/api/v1/zones/${created.id}`)
      .set('authorization', admin)
      .send({ name: 'Koramangala North', polygon, active: false });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: created.id, name: 'Koramangala North', polygon, active: false, storeId: created.storeId });
    const read = await api().get(`/api/v1/zones/${created.id}`).set('authorization', admin);
    expect(read.body.data).toMatchObject({ name: 'Koramangala North', active: false });
  });

  it('when a change is empty, invalid or for a zone that does not exist, then it is refused', async () => {
    const created = (await create()).body.data;
    const patch = (id: string, body: object) => api().patch(`/api/v1/zones/${id}`).set('authorization', admin).send(body);
    expect((await patch(created.id, {})).status).toBe(400);
    expect((await patch(created.id, { storeId: 'nope' })).status).toBe(400);
    const bad = await patch(created.id, {
      polygon: {
        type: 'Polygon',
        coordinates: [
          [
            [77.6, 12.9],
            [77.7, 13],
            [77.7, 12.9],
            [77.6, 13],
            [77.6, 12.9],
          ],
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errorCode).toBe('INVALID_POLYGON');
    const missing = await patch(randomUUID(), { name: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body.errorCode).toBe('ZONE_NOT_FOUND');
  });

  it('when an admin deletes a zone, then it is gone from reads, lists and changes, and a second delete is 404', async () => {
    const storeId = randomUUID();
    const created = (await create(aZone({ storeId }))).body.data;
    const del = await api().delete(`/api/v1/zones/${created.id}`).set('authorization', admin);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await api().get(`/api/v1/zones/${created.id}`).set('authorization', admin)).status).toBe(404);
    expect((await api().patch(`/api/v1/zones/${created.id}`).set('authorization', admin).send({ name: 'back' })).status).toBe(404);
    const list = await api().get('/api/v1/zones').query({ storeId }).set('authorization', admin);
    expect(list.body.data).toEqual([]);
    expect((await api().delete(`/api/v1/zones/${created.id}`).set('authorization', admin)).status).toBe(404);
  });

  it('when a zone is created, changed and deleted, then each change is announced in its outbox, and refused ones are not', async () => {
    const storeId = randomUUID();
    const created = (await create(aZone({ storeId }))).body.data;
    const patch = (body: object) => api().patch(`/api/v1/zones/${created.id}`).set('authorization', admin).send(body);
    expect((await patch({ name: 'Koramangala 5th Block', active: false })).status).toBe(200);
    expect((await patch({ storeId: 'nope' })).status).toBe(400);
    expect((await api().delete(`/api/v1/zones/${created.id}`).set('authorization', admin)).status).toBe(204);
    expect((await patch({ name: 'after deletion' })).status).toBe(404);
    expect((await api().delete(`/api/v1/zones/${created.id}`).set('authorization', admin)).status).toBe(404);

    const rows = (await rootQuery(`SELECT topic, payload FROM \`${schema.name}\`.outbox WHERE message_key = ? ORDER BY id`, [
      created.id,
    ])) as { topic: string; payload: string }[];
    const events = rows.map((r) => ({ topic: r.topic, ...JSON.parse(r.payload) }));
    const zone = (name: string, active: boolean) => ({ zoneId: created.id, storeId, name, active });
    expect(events).toEqual([
      expect.objectContaining({
        topic: 'location.events',
        type: 'location.zone.created',
        subject: created.id,
        data: zone('Koramangala', true),
      }),
      expect.objectContaining({ type: 'location.zone.updated', data: zone('Koramangala 5th Block', false) }),
      expect.objectContaining({ type: 'location.zone.deleted', data: zone('Koramangala 5th Block', false) }),
    ]);
  });

  it('when zones are listed, then they come in creation order, a page at a time, filtered by store', async () => {
    const storeId = randomUUID();
    const ids: string[] = [];
    for (const name of ['A', 'B', 'C', 'D', 'E']) ids.push((await create(aZone({ name, storeId }))).body.data.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 5; pages++) {
      const res = await api()
        .get('/api/v1/zones')
        .query({ storeId, limit: 2, ...(cursor ? { cursor } : {}) })
        .set('authorization', admin);
      expect(res.status).toBe(200);
      expect(res.body.meta.limit).toBe(2);
      seen.push(...res.body.data.map((z: { id: string }) => z.id));
      cursor = res.body.meta.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toEqual(ids);
    const all = await api().get('/api/v1/zones').set('authorization', admin);
    expect(all.body.data.length).toBeGreaterThanOrEqual(5);
  });

  it('when the list query is bad, then it is rejected with 400', async () => {
    for (const query of [{ limit: 0 }, { limit: 101 }, { cursor: 'not-ours' }, { storeId: 'x' }, { sort: 'name' }]) {
      const res = await api().get('/api/v1/zones').query(query).set('authorization', admin);
      expect(res.status).toBe(400);
    }
  });

  it('when the zone id is not a UUID, then it is 400; when unknown, 404', async () => {
    expect((await api().get('/api/v1/zones/42').set('authorization', admin)).status).toBe(400);
    const res = await api().get(`/api/v1/zones/${randomUUID()}`).set('authorization', admin);
    expect(res.status).toBe(404);
    expect(res.body.errorCode).toBe('ZONE_NOT_FOUND');
  });

  describe('authorisation', () => {
    const id = randomUUID();
    const routes: [string, (r: request.Agent | ReturnType<typeof request>) => request.Test][] = [
      ['POST /api/v1/zones', (r) => r.post('/api/v1/zones').send(aZone())],
      ['GET /api/v1/zones', (r) => r.get('/api/v1/zones')],
      ['GET /api/v1/zones/:id', (r) => r.get(`/api/v1/zones/${id}`)],
      ['PATCH /api/v1/zones/:id', (r) => r.patch(`/api/v1/zones/${id}`).send({ name: 'x' })],
      ['DELETE /api/v1/zones/:id', (r) => r.delete(`/api/v1/zones/${id}`)],
    ];

    it.each(routes)('when %s is called without a token, then it is 401', async (_route, call) => {
      const res = await call(api());
      expect(res.status).toBe(401);
      expect(res.body.errorCode).toBe('AUTHENTICATION_REQUIRED');
    });

    it.each(routes)('when %s is called by a customer or a delivery partner, then it is 403', async (_route, call) => {
      for (const role of ['customer', 'delivery_partner'] as const) {
        const res = await call(api()).set('authorization', issuer.bearer({ role }));
        expect(res.status).toBe(403);
        expect(res.body.errorCode).toBe('FORBIDDEN');
      }
    });

    it('when the token is forged, then it is 401', async () => {
      const res = await api().get('/api/v1/zones').set('authorization', `${admin}x`);
      expect(res.status).toBe(401);
    });
  });
});
