import { newId } from '@qc/shared/db';
import { newEvent, type Emit } from '@qc/shared/events';
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

type ZoneEventType = 'location.zone.created' | 'location.zone.updated' | 'location.zone.deleted';

/** Announces a zone as it stands after a change, keyed by the zone, in the change's transaction. */
function announce(emit: Emit, type: ZoneEventType, zone: ZoneRow): void {
  const data = { zoneId: zone.id, storeId: zone.storeId, name: zone.name, active: zone.active };
  emit(newEvent('location-service', type, data, { subject: zone.id }));
}

/**
 * A zone maps an area to the store that serves it. The store may not be known yet (inventory's
 * event can arrive later); serviceability ignores the zone until the store is known and active.
 */
export async function createZone(ctx: LocationContext, input: ZoneInput, id: string = newId()): Promise<ZoneRow> {
  requireValidPolygon(input.polygon);
  const zone = await ctx.outbox.transaction(async (tx, emit) => {
    await insertZone(tx, { ...input, active: input.active ?? true, id });
    const created = (await findZone(tx, id))!;
    announce(emit, 'location.zone.created', created);
    return created;
  });
  ctx.serviceArea.invalidate();
  return zone;
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
  const zone = await ctx.outbox.transaction(async (tx, emit) => {
    await updateZone(tx, id, changes);
    const changed = await findZone(tx, id);
    if (!changed) throw zoneNotFound(id);
    announce(emit, 'location.zone.updated', changed);
    return changed;
  });
  ctx.serviceArea.invalidate();
  return zone;
}

/** Deleted zones are hidden, not erased: what an address resolved to stays explainable. */
export async function deleteZone(ctx: LocationContext, id: string): Promise<void> {
  await ctx.outbox.transaction(async (tx, emit) => {
    const zone = await findZone(tx, id);
    if (!zone || !(await softDeleteZone(tx, id))) throw zoneNotFound(id);
    announce(emit, 'location.zone.deleted', zone);
  });
  ctx.serviceArea.invalidate();
}
