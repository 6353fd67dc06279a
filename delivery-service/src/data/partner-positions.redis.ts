import type { Redis } from '@qc/shared/redis';

/** Where a partner was last seen. */
export interface Position {
  lat: number;
  lng: number;
  heading: number | null;
  at: Date;
}

/** Positions older than this are not kept: an online partner reports every few seconds. */
const POSITION_TTL_SECONDS = 6 * 60 * 60;

const freeKey = (storeId: string) => `delivery:free:${storeId}`;
const positionKey = (partnerId: string) => `delivery:position:${partnerId}`;
const gateKey = (partnerId: string) => `delivery:position-gate:${partnerId}`;

/**
 * The partners' live positions, hot in Redis: the last position of each partner (a hash), and per
 * store a GEO set of its free partners that assignment searches nearest-first. MySQL stays the truth
 * about who is free: the set only ranks candidates, so a stale entry is filtered out and a missing
 * one comes back with the partner's next report.
 */
export class PartnerPositions {
  constructor(private readonly redis: Redis) {}

  /** Takes the partner's report slot for `intervalMs`; false when the last report was more recent. */
  async admitReport(partnerId: string, intervalMs: number): Promise<boolean> {
    if (intervalMs === 0) return true;
    return (await this.redis.set(gateKey(partnerId), '1', 'PX', intervalMs, 'NX')) === 'OK';
  }

  async record(partnerId: string, position: Position): Promise<void> {
    const key = positionKey(partnerId);
    await this.redis
      .multi()
      .hset(key, {
        lat: position.lat,
        lng: position.lng,
        heading: position.heading ?? '',
        at: position.at.getTime(),
      })
      .expire(key, POSITION_TTL_SECONDS)
      .exec();
  }

  async positionOf(partnerId: string): Promise<Position | undefined> {
    const hash = await this.redis.hgetall(positionKey(partnerId));
    if (!hash.lat || !hash.lng) return undefined;
    return {
      lat: Number(hash.lat),
      lng: Number(hash.lng),
      heading: hash.heading ? Number(hash.heading) : null,
      at: new Date(Number(hash.at)),
    };
  }

  async markFree(storeId: string, partnerId: string, at: { lat: number; lng: number }): Promise<void> {
    await this.redis.geoadd(freeKey(storeId), at.lng, at.lat, partnerId);
  }

  async markTaken(storeId: string, partnerId: string): Promise<void> {
    await this.redis.zrem(freeKey(storeId), partnerId);
  }

  /** Free partners of the store within `radiusKm` of a point, nearest first. */
  async nearestFree(storeId: string, around: { lat: number; lng: number }, radiusKm: number, count: number): Promise<string[]> {
    const found = (await this.redis.geosearch(
      freeKey(storeId),
      'FROMLONLAT',
      around.lng,
      around.lat,
      'BYRADIUS',
      radiusKm,
      'km',
      'ASC',
      'COUNT',
      count,
    )) as string[];
    return found;
  }
}
