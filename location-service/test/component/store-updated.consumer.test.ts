import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { newEvent, type CatalogEvent, type EventData } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { eventually, rootQuery, testKafka, type TestSchema, type TestTokenIssuer } from '@qc/shared/testing';
import { polygonAround, startLocationService, type LocationServiceUnderTest } from '../fixtures';

/**
 * The stores read model fed by inventory-service's `inventory.store_updated` on the real broker:
 * serviceability follows what inventory says, once per event, and an older event never undoes a newer one.
 */
describe('inventory.store_updated consumer (real Kafka)', () => {
  let underTest: LocationServiceUnderTest;
  let schema: TestSchema;
  let issuer: TestTokenIssuer;
  let producer: Producer;
  const api = () => underTest.api();

  const storeUpdated = (data: EventData<'inventory.store_updated'>): CatalogEvent<'inventory.store_updated'> =>
    newEvent('inventory-service', 'inventory.store_updated', data, { subject: data.storeId });
  const publish = (...events: CatalogEvent[]) =>
    producer.send({
      topic: eventsTopic('inventory-service'),
      messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
    });
  const processed = async (eventId: string) =>
    Number(
      (
        (await rootQuery(`SELECT COUNT(*) AS n FROM \`${schema.name}\`.processed_events WHERE event_id = ?`, [eventId])) as { n: number }[]
      )[0]!.n,
    );
  const serviceability = async (point: { lat: number; lng: number }) =>
    (await api().get('/api/v1/locations/serviceability').query(point)).body.data;

  beforeAll(async () => {
    underTest = await startLocationService('location_consumer', { env: { SERVICE_AREA_REFRESH_MS: '200' } });
    ({ schema, issuer } = underTest);
    producer = testKafka('location-consumer-test').producer();
    await producer.connect();
  }, 60_000);

  afterAll(async () => {
    await producer?.disconnect();
    await underTest?.stop();
  }, 30_000);

  it('when inventory announces the store of a zone, then the zone becomes serviceable, and follows later changes only', async () => {
    const storeId = randomUUID();
    const spot = { lat: 12.97, lng: 77.75 };
    const zone = await api()
      .post('/api/v1/zones')
      .set('authorization', issuer.bearer({ role: 'admin' }))
      .send({ name: 'Whitefield', storeId, polygon: polygonAround(spot.lat, spot.lng, 3) });
    expect(zone.body.data.storeStatus).toBe('unknown');
    expect((await serviceability(spot)).serviceable).toBe(false);

    const store = { storeId, name: 'QC Whitefield', ...spot, preparationMinutes: 5, opensAt: '00:00', closesAt: '00:00', active: true };
    const opened = storeUpdated(store);
    await publish(opened);
    const served = await eventually(async () => {
      const answer = await serviceability(spot);
      return answer.serviceable && answer;
    });
    expect(served).toEqual({ serviceable: true, zoneId: zone.body.data.id, storeId, distanceKm: 0, etaMinutes: 7, open: true });
    const read = await api()
      .get(`/api/v1/zones/${zone.body.data.id}`)
      .set('authorization', issuer.bearer({ role: 'admin' }));
    expect(read.body.data.storeStatus).toBe('active');

    // The same event again (a redelivery) and an older one (a replayed dead letter) change nothing.
    const older = { ...storeUpdated({ ...store, preparationMinutes: 30 }), time: new Date(Date.parse(opened.time) - 60_000).toISOString() };
    await publish(opened, older);
    await eventually(async () => (await processed(older.id)) === 1);
    expect(await processed(opened.id)).toBe(1);
    expect(await serviceability(spot)).toEqual(served);

    // A newer change applies: slower preparation, then the store closes down.
    await publish(storeUpdated({ ...store, preparationMinutes: 9 }));
    await eventually(async () => (await serviceability(spot)).etaMinutes === 11);
    await publish(storeUpdated({ ...store, active: false }));
    await eventually(async () => (await serviceability(spot)).serviceable === false);
  }, 60_000);

  it('when a store moves, then distance and ETA are measured from where it is now', async () => {
    const storeId = randomUUID();
    const spot = { lat: 13.0035, lng: 77.571 };
    await api()
      .post('/api/v1/zones')
      .set('authorization', issuer.bearer({ role: 'admin' }))
      .send({ name: 'Malleshwaram', storeId, polygon: polygonAround(spot.lat, spot.lng, 3) })
      .expect(201);
    const store = { storeId, name: 'QC Malleshwaram', ...spot, preparationMinutes: 4, opensAt: '06:00', closesAt: '23:00', active: true };
    await publish(storeUpdated(store));
    await eventually(async () => (await serviceability(spot)).distanceKm === 0);
    // ~1.1 km north.
    await publish(storeUpdated({ ...store, lat: spot.lat + 0.01 }));
    const moved = await eventually(async () => {
      const answer = await serviceability(spot);
      return answer.distanceKm > 0 && answer;
    });
    expect(moved.distanceKm).toBeCloseTo(1.11, 1);
    // 4 prep + 2 wait + 1.11 × 1.4 / 20 × 60 ≈ 4.7 travel → 11
    expect(moved.etaMinutes).toBe(11);
  }, 60_000);
});
