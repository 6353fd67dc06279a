import { estimateEtaMinutes, type EtaModel } from './eta';
import { boundingBox, boxContains, haversineKm, polygonContains, type BoundingBox, type LatLng, type Polygon } from './geometry';
import { isOpenAt, localMinutes, type OpeningHours } from '@qc/shared/time';

/** A zone as serviceability needs it: where it is and which store serves it. */
export interface ServedZone {
  id: string;
  storeId: string;
  polygon: Polygon;
}

/** A dark store as location-service knows it from inventory's events. */
export interface ServingStore extends OpeningHours, LatLng {
  id: string;
  preparationMinutes: number;
}

export interface Serviceability {
  serviceable: boolean;
  zoneId: string | null;
  storeId: string | null;
  /** Straight-line distance from the store, km, to 10 m. */
  distanceKm: number | null;
  etaMinutes: number | null;
  /** Whether the store is open now (its local hours); a closed store's area is still serviceable. */
  open: boolean | null;
}

export const NOT_SERVICEABLE: Serviceability = {
  serviceable: false,
  zoneId: null,
  storeId: null,
  distanceKm: null,
  etaMinutes: null,
  open: null,
};

export interface ServiceAreaRules {
  eta: EtaModel;
  /** The city's IANA time zone; store hours are local to it. */
  timeZone: string;
}

interface IndexedZone {
  zone: ServedZone;
  box: BoundingBox;
  store: ServingStore;
}

/**
 * An immutable snapshot of where the service delivers: the active zones of known, active stores.
 * Answering a point is in memory: a bounding-box test, then point-in-polygon for the few candidates.
 */
export class ServiceArea {
  private readonly zones: IndexedZone[];

  /** Zones whose store is not among `stores` (unknown yet, or inactive) are left out. */
  constructor(
    zones: ServedZone[],
    stores: ServingStore[],
    private readonly rules: ServiceAreaRules,
  ) {
    const storeById = new Map(stores.map((s) => [s.id, s]));
    this.zones = zones.flatMap((zone) => {
      const store = storeById.get(zone.storeId);
      const boundary = zone.polygon.coordinates[0];
      return store && boundary ? [{ zone, store, box: boundingBox(boundary) }] : [];
    });
  }

  get zoneCount(): number {
    return this.zones.length;
  }

  /**
   * Which store serves a point; where zones overlap, the nearest store wins (ties: the lower zone id).
   * `partnerWaitAt` gives a store's live wait for a partner; without one the rules' constant counts.
   */
  resolve(point: LatLng, now: Date, partnerWaitAt: (storeId: string) => number | undefined = () => undefined): Serviceability {
    let best: { entry: IndexedZone; distanceKm: number } | undefined;
    for (const entry of this.zones) {
      if (!boxContains(entry.box, point) || !polygonContains(entry.zone.polygon, point)) continue;
      const distanceKm = haversineKm(entry.store, point);
      if (!best || distanceKm < best.distanceKm || (distanceKm === best.distanceKm && entry.zone.id < best.entry.zone.id)) {
        best = { entry, distanceKm };
      }
    }
    if (!best) return NOT_SERVICEABLE;
    const { store, zone } = best.entry;
    return {
      serviceable: true,
      zoneId: zone.id,
      storeId: store.id,
      distanceKm: Math.round(best.distanceKm * 100) / 100,
      etaMinutes: estimateEtaMinutes(best.distanceKm, store.preparationMinutes, {
        ...this.rules.eta,
        partnerWaitMinutes: partnerWaitAt(store.id) ?? this.rules.eta.partnerWaitMinutes,
      }),
      open: isOpenAt(store, localMinutes(now, this.rules.timeZone)),
    };
  }
}
