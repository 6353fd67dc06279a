import type { Queryable } from '@qc/shared/db';

/** One reported position of a partner, as the trail keeps it. */
export interface TrailPoint {
  partnerId: string;
  deliveryId: string | null;
  lat: number;
  lng: number;
  accuracyM: number | null;
  heading: number | null;
  recordedAt: Date;
}

/** Appends many points in one statement. */
export async function insertTrail(db: Queryable, points: TrailPoint[]): Promise<void> {
  if (points.length === 0) return;
  await db.query(
    `INSERT INTO partner_trail (partner_id, delivery_id, lat, lng, accuracy_m, heading, recorded_at) VALUES ${points
      .map(() => '(?, ?, ?, ?, ?, ?, ?)')
      .join(', ')}`,
    points.flatMap((p) => [p.partnerId, p.deliveryId, p.lat, p.lng, p.accuracyM, p.heading, p.recordedAt]),
  );
}

export async function trailOfDelivery(db: Queryable, deliveryId: string): Promise<TrailPoint[]> {
  const rows: Record<string, unknown>[] = await db.query(
    'SELECT partner_id, delivery_id, lat, lng, accuracy_m, heading, recorded_at FROM partner_trail WHERE delivery_id = ? ORDER BY id',
    [deliveryId],
  );
  return rows.map((r) => ({
    partnerId: String(r.partner_id),
    deliveryId: String(r.delivery_id),
    lat: Number(r.lat),
    lng: Number(r.lng),
    accuracyM: r.accuracy_m === null ? null : Number(r.accuracy_m),
    heading: r.heading === null ? null : Number(r.heading),
    recordedAt: r.recorded_at as Date,
  }));
}
