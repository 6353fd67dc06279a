import type { LocationContext } from './context';
import type { LatLng } from './geometry';
import type { Serviceability } from './service-area';

/** Which dark store serves a point, how far and how soon (with the store's live partner wait), and whether it is open now. */
export async function checkServiceability(ctx: LocationContext, point: LatLng): Promise<Serviceability> {
  const area = await ctx.serviceArea.current();
  return area.resolve(point, ctx.now(), (storeId) => ctx.partnerWaits.minutesAt(storeId));
}
