/** Travel model: roads are longer than the straight line, riders ride at a steady speed (DESIGN §6). */
export interface TravelModel {
  roadFactor: number;
  riderSpeedKmh: number;
}

export interface LatLng {
  lat: number;
  lng: number;
}

const EARTH_RADIUS_KM = 6371.0088;

export function haversineKm(a: LatLng, b: LatLng): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function travelMinutes(from: LatLng, to: LatLng, model: TravelModel): number {
  return ((haversineKm(from, to) * model.roadFactor) / model.riderSpeedKmh) * 60;
}

export interface EtaInput {
  /** Where the rider is; unknown → at the store. */
  rider: LatLng | null;
  store: LatLng | null;
  dropoff: LatLng | null;
  /** Whether the rider has the order already (then only the last leg is left). */
  pickedUp: boolean;
  /** Minutes the store still needs to pack the order; the rider waits for it if early. */
  preparationMinutes: number;
}

/**
 * Minutes until the hand-over, rounded up: to the store (or the packing, whichever is longer),
 * then to the drop-off; after pickup, from the rider to the drop-off. A leg whose ends are unknown
 * counts as nothing.
 */
export function etaMinutes(input: EtaInput, model: TravelModel): number {
  const leg = (from: LatLng | null, to: LatLng | null) => (from && to ? travelMinutes(from, to, model) : 0);
  const total = input.pickedUp
    ? leg(input.rider ?? input.store, input.dropoff)
    : Math.max(leg(input.rider, input.store), input.preparationMinutes) + leg(input.store, input.dropoff);
  return Math.max(0, Math.ceil(total - 1e-9));
}
