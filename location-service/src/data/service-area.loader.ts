import { type Queryable } from '@qc/shared/db';
import type { LocationSettings } from '../config';
import { ServiceArea } from '../domain/service-area';
import { listActiveStores } from './stores.repository';
import { listServedZones } from './zones.repository';

/** Reads the active zones and stores into a serviceability snapshot. */
export async function loadServiceArea(db: Queryable, settings: LocationSettings): Promise<ServiceArea> {
  const [zones, stores] = await Promise.all([listServedZones(db), listActiveStores(db)]);
  return new ServiceArea(zones, stores, {
    timeZone: settings.CITY_TIMEZONE,
    eta: {
      roadFactor: settings.ETA_ROAD_FACTOR,
      riderSpeedKmh: settings.ETA_RIDER_SPEED_KMH,
      partnerWaitMinutes: settings.ETA_PARTNER_WAIT_MINUTES,
    },
  });
}
