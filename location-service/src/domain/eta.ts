/** How the service turns a distance into minutes (DESIGN §6); every factor is configurable. */
export interface EtaModel {
  /** Roads are longer than the straight line: travelled km = haversine km × this. */
  roadFactor: number;
  riderSpeedKmh: number;
  /** Expected wait for a free delivery partner at the store. */
  partnerWaitMinutes: number;
}

export const DEFAULT_ETA_MODEL: EtaModel = { roadFactor: 1.4, riderSpeedKmh: 20, partnerWaitMinutes: 2 };

/**
 * ETA in whole minutes = store preparation + wait for a partner + travel, rounded up: a promise of
 * "10 minutes" that takes 10.2 is a broken promise.
 */
export function estimateEtaMinutes(distanceKm: number, preparationMinutes: number, model: EtaModel): number {
  const travelMinutes = ((distanceKm * model.roadFactor) / model.riderSpeedKmh) * 60;
  const total = preparationMinutes + model.partnerWaitMinutes + travelMinutes;
  // Without the tolerance, float noise (4 + 2 + 3.0000000000000004) would add a whole minute.
  return Math.ceil(total - 1e-9);
}
