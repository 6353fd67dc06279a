import { join } from 'node:path';
import { readDemoCity } from '../../src/cli/seed-demo';
import { readGazetteer } from '../../src/data/gazetteer.file';
import { DEFAULT_ETA_MODEL } from '../../src/domain/eta';
import { polygonProblems } from '../../src/domain/geometry';
import { ServiceArea } from '../../src/domain/service-area';

/** The shipped data files: the demo city other services seed from, and the gazetteer. */
const city = readDemoCity(join(__dirname, '../../../demo/city.json'));
const gazetteer = readGazetteer(join(__dirname, '../../data/gazetteer.json'));
const area = new ServiceArea(
  city.zones,
  city.stores.map((s) => ({ ...s })),
  { eta: DEFAULT_ETA_MODEL, timeZone: city.timezone },
);
const noon = new Date('2026-03-01T06:30:00Z');

describe('demo/city.json', () => {
  it('when read, then it is one city with 5–6 stores and 1–2 valid zones per store, ids all UUIDv7', () => {
    expect(city.city).toBe('Bengaluru');
    expect(city.stores.length).toBeGreaterThanOrEqual(5);
    expect(city.stores.length).toBeLessThanOrEqual(6);
    const uuidv7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const { id } of [...city.stores, ...city.zones]) expect(id).toMatch(uuidv7);
    for (const store of city.stores) {
      const zones = city.zones.filter((z) => z.storeId === store.id);
      expect(zones.length).toBeGreaterThanOrEqual(1);
      expect(zones.length).toBeLessThanOrEqual(2);
    }
    for (const zone of city.zones) expect(polygonProblems(zone.polygon)).toEqual([]);
  });

  it('when asked at each store, then the store serves its own doorstep', () => {
    for (const store of city.stores)
      expect(area.resolve(store, noon)).toMatchObject({ serviceable: true, storeId: store.id, distanceKm: 0 });
  });

  it('when neighbouring zones overlap, then the nearest store wins there', () => {
    const kora = city.stores.find((s) => s.name === 'QC Koramangala')!;
    const hsr = city.stores.find((s) => s.name === 'QC HSR Layout')!;
    // A point between the two, nearer HSR, inside both stores' zones.
    const between = { lat: 12.918, lng: 77.634 };
    const zonesContaining = city.zones.filter(
      (z) => new ServiceArea([z], city.stores, { eta: DEFAULT_ETA_MODEL, timeZone: city.timezone }).resolve(between, noon).serviceable,
    );
    expect(new Set(zonesContaining.map((z) => z.storeId))).toEqual(new Set([kora.id, hsr.id]));
    expect(area.resolve(between, noon).storeId).toBe(hsr.id);
  });
});

describe('data/gazetteer.json', () => {
  it('when read, then it lists at least 40 Bengaluru localities with pincodes, inside the city', () => {
    expect(gazetteer.city).toBe('Bengaluru');
    expect(gazetteer.size).toBeGreaterThanOrEqual(40);
    expect(gazetteer.search('560', 100).length).toBe(gazetteer.size);
    // Every demo store is in a known locality.
    for (const store of city.stores) expect(gazetteer.nearest(store)!.distanceKm).toBeLessThan(1);
  });
});
