import type { Position } from '../../src/domain/geometry';
import { DEFAULT_ETA_MODEL } from '../../src/domain/eta';
import { NOT_SERVICEABLE, ServiceArea, type ServedZone, type ServingStore } from '../../src/domain/service-area';

/** A square zone of `half` degrees around a centre, closed, [lng, lat]. */
function squareAround(lng: number, lat: number, half: number): Position[] {
  return [
    [lng - half, lat - half],
    [lng + half, lat - half],
    [lng + half, lat + half],
    [lng - half, lat + half],
    [lng - half, lat - half],
  ];
}
const zone = (id: string, storeId: string, ring: Position[]): ServedZone => ({
  id,
  storeId,
  polygon: { type: 'Polygon', coordinates: [ring] },
});
const store = (id: string, lng: number, lat: number, extra: Partial<ServingStore> = {}): ServingStore => ({
  id,
  lng,
  lat,
  preparationMinutes: 4,
  opensAt: '06:00',
  closesAt: '02:00',
  ...extra,
});
const rules = { eta: DEFAULT_ETA_MODEL, timeZone: 'Asia/Kolkata' };
/** 12:00 in Kolkata. */
const noon = new Date('2026-03-01T06:30:00Z');

describe('ServiceArea', () => {
  // Koramangala and HSR Layout, ~2.7 km apart, with zones that overlap between them.
  const koramangala = store('s-kora', 77.6245, 12.9352);
  const hsr = store('s-hsr', 77.6389, 12.9116, { preparationMinutes: 3 });
  const zones = [
    zone('z-kora', 's-kora', squareAround(77.6245, 12.9352, 0.027)),
    zone('z-hsr', 's-hsr', squareAround(77.6389, 12.9116, 0.027)),
  ];
  const area = new ServiceArea(zones, [koramangala, hsr], rules);

  it('when a point is in one zone, then that zone and its store serve it, with distance and ETA', () => {
    const answer = area.resolve({ lat: 12.945, lng: 77.61 }, noon);
    expect(answer).toEqual({
      serviceable: true,
      zoneId: 'z-kora',
      storeId: 's-kora',
      distanceKm: expect.any(Number),
      etaMinutes: expect.any(Number),
      open: true,
    });
    expect(answer.distanceKm).toBeCloseTo(1.92, 1);
    // 4 prep + 2 wait + 1.92 × 1.4 / 20 × 60 ≈ 8.07 travel → 15
    expect(answer.etaMinutes).toBe(15);
  });

  it('when delivery-service reports a live partner wait for the store, then it replaces the constant in the ETA', () => {
    const point = { lat: 12.945, lng: 77.61 };
    // 4 prep + 9 wait + ≈ 8.07 travel → 22; another store's wait changes nothing.
    expect(area.resolve(point, noon, (storeId) => (storeId === 's-kora' ? 9 : undefined)).etaMinutes).toBe(22);
    expect(area.resolve(point, noon, (storeId) => (storeId === 's-hsr' ? 9 : undefined)).etaMinutes).toBe(15);
    expect(area.resolve(point, noon, () => 0).etaMinutes).toBe(13);
  });

  it('when zones overlap, then the nearest store wins, whichever zone is listed first', () => {
    const nearHsr = { lat: 12.918, lng: 77.634 };
    const nearKora = { lat: 12.929, lng: 77.627 };
    expect(area.resolve(nearHsr, noon)).toMatchObject({ zoneId: 'z-hsr', storeId: 's-hsr' });
    expect(area.resolve(nearKora, noon)).toMatchObject({ zoneId: 'z-kora', storeId: 's-kora' });
    const reversed = new ServiceArea([...zones].reverse(), [hsr, koramangala], rules);
    expect(reversed.resolve(nearHsr, noon)).toMatchObject({ storeId: 's-hsr' });
    expect(reversed.resolve(nearKora, noon)).toMatchObject({ storeId: 's-kora' });
  });

  it('when two zones of one store overlap, then the lower zone id answers, deterministically', () => {
    const twice = new ServiceArea(
      [zone('z-b', 's-kora', squareAround(77.6245, 12.9352, 0.02)), zone('z-a', 's-kora', squareAround(77.6245, 12.9352, 0.03))],
      [koramangala],
      rules,
    );
    expect(twice.resolve({ lat: 12.935, lng: 77.625 }, noon)).toMatchObject({ zoneId: 'z-a' });
  });

  it('when a point is outside every zone, then it is not serviceable and every other field is null', () => {
    expect(area.resolve({ lat: 13.1, lng: 77.59 }, noon)).toEqual(NOT_SERVICEABLE);
  });

  it('when a zone names a store that is not known (or not active), then the zone is not served', () => {
    const orphan = new ServiceArea([zone('z-orphan', 's-unknown', squareAround(77.6, 13, 0.05))], [koramangala], rules);
    expect(orphan.zoneCount).toBe(0);
    expect(orphan.resolve({ lat: 13, lng: 77.6 }, noon).serviceable).toBe(false);
  });

  it('when the store is closed now, then the area is still serviceable but says closed', () => {
    // 03:00 in Kolkata: after the 02:00 closing.
    const night = new Date('2026-03-01T21:30:00Z');
    expect(area.resolve({ lat: 12.9352, lng: 77.6245 }, night)).toMatchObject({
      serviceable: true,
      open: false,
      distanceKm: 0,
      etaMinutes: 6,
    });
    // 01:00 in Kolkata: still open, it closes after midnight.
    expect(area.resolve({ lat: 12.9352, lng: 77.6245 }, new Date('2026-03-01T19:30:00Z'))).toMatchObject({ open: true });
  });
});
