import { newId } from '@qc/shared/db';
import { AppError } from '@qc/shared/http';
import {
  findZone,
  insertZone,
  listZones,
  softDeleteZone,
  updateZone,
  type ZoneFields,
  type ZoneQuery,
  type ZoneRow,
} from '../data/zones.repository';
import type { LocationContext } from './context';
import { polygonProblems, type Polygon } from './geometry';

export type ZoneInput = Omit<ZoneFields, 'active'> & { active?: boolean };

/** Rejects a polygon that is not one simple closed ring, with every problem found. */
function requireValidPolygon(polygon: Polygon): void {
  const problems = polygonProblems(polygon);
  if (problems.length > 0) {
    throw new AppError('invalid_input', 'INVALID_POLYGON', 'The zone polygon is not a valid simple polygon', {
      details: problems.map((p) => ({ path: `polygon.${p.path}`, message: p.message })),
    });
  }
}

const zoneNotFound = (id: string) => new AppError('not_found', 'ZONE_NOT_FOUND', `No zone ${id}`);

/**
 * A zone maps an area to the store that serves it. The store may not be known yet (inventory's
 * event can arrive later); serviceability ignores the zone until the store is known and active.
 */
export async function createZone(ctx: LocationContext, input: ZoneInput, id: string = newId()): Promise<ZoneRow> {
  requireValidPolygon(input.polygon);
  await insertZone(ctx.db, { ...input, active: input.active ?? true, id });
  ctx.serviceArea.invalidate();
  return (await findZone(ctx.db, id))!;
}

export async function getZone(ctx: LocationContext, id: string): Promise<ZoneRow> {
  const zone = await findZone(ctx.db, id);
  if (!zone) throw zoneNotFound(id);
  return zone;
}

/** Zones (deleted ones left out), oldest first, of one store when asked; `limit` rows at most. */
export async function browseZones(ctx: LocationContext, query: ZoneQuery): Promise<ZoneRow[]> {
  return listZones(ctx.db, query);
}

export async function changeZone(ctx: LocationContext, id: string, changes: Partial<ZoneFields>): Promise<ZoneRow> {
  if (changes.polygon) requireValidPolygon(changes.polygon);
  await updateZone(ctx.db, id, changes);
  ctx.serviceArea.invalidate();
  return getZone(ctx, id);
}

/** Deleted zones are hidden, not erased: what an address resolved to stays explainable. */
export async function deleteZone(ctx: LocationContext, id: string): Promise<void> {
  if (!(await softDeleteZone(ctx.db, id))) throw zoneNotFound(id);
  ctx.serviceArea.invalidate();
}
