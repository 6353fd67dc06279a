import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '@qc/shared/config';
import { runCommand, type CommandContext } from '@qc/shared/service';
import { locationSettings, type LocationSettings } from '../config';
import { readGazetteer } from '../data/gazetteer.file';
import { loadServiceArea } from '../data/service-area.loader';
import { zoneIdTaken } from '../data/zones.repository';
import type { LocationContext } from '../domain/context';
import { ServiceAreaCache } from '../domain/service-area-cache';
import { PartnerWaits } from '../domain/partner-waits';
import { recordStore } from '../domain/stores';
import { createZone } from '../domain/zones';
import { definition } from '../service';

/** `demo/city.json`, the demo city that product, inventory and location seed from. */
const DemoCity = z.object({
  city: z.string(),
  timezone: z.string(),
  stores: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      lat: z.number(),
      lng: z.number(),
      preparationMinutes: z.number().int().min(0),
      opensAt: z.string(),
      closesAt: z.string(),
    }),
  ),
  zones: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      storeId: z.uuid(),
      polygon: z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(z.tuple([z.number(), z.number()]))) }),
    }),
  ),
});
export type DemoCity = z.output<typeof DemoCity>;

export const DEFAULT_DEMO_CITY_FILE = resolve(__dirname, '../../../demo/city.json');

export function readDemoCity(path: string): DemoCity {
  return DemoCity.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export interface SeedSummary {
  stores: number;
  storesAdded: number;
  zones: number;
  zonesAdded: number;
}

/**
 * Seeds the stores read model and the zones of the demo city, idempotently: a store an event has
 * already described is left as the event said, and a zone id that exists (even deleted) is skipped.
 * The zones' events go to `outbox`: the command's, on the fleet's own topic.
 */
export async function seedDemo(
  { dataSource, outbox }: Pick<CommandContext, 'dataSource' | 'outbox'>,
  city: DemoCity,
  settings: Readonly<LocationSettings>,
): Promise<SeedSummary> {
  const ctx: LocationContext = {
    db: dataSource,
    outbox,
    settings,
    // Nothing answers serviceability here; the cache only receives the invalidations of createZone.
    serviceArea: new ServiceAreaCache({ load: () => loadServiceArea(dataSource, settings), refreshMs: 1_000, onReloadFailed: () => {} }),
    gazetteer: readGazetteer(settings.GAZETTEER_FILE),
    // Nor is any ETA computed: no partner waits are read.
    partnerWaits: new PartnerWaits({ read: async () => ({}), refreshMs: 600_000, maxAgeMs: 1_000, onReadFailed: () => {} }),
    now: () => new Date(),
  };
  let storesAdded = 0;
  for (const store of city.stores) {
    const outcome = await dataSource.transaction((tx) => recordStore(tx, { ...store, active: true }, null));
    if (outcome === 'added') storesAdded++;
  }
  let zonesAdded = 0;
  for (const { id, name, storeId, polygon } of city.zones) {
    if (await zoneIdTaken(dataSource, id)) continue;
    await createZone(ctx, { name, storeId, polygon }, id);
    zonesAdded++;
  }
  return { stores: city.stores.length, storesAdded, zones: city.zones.length, zonesAdded };
}

/** `node location-service/dist/cli/seed-demo.js` (make run runs it after product's and inventory's). */
if (require.main === module) {
  runCommand(definition, async ({ dataSource, outbox, env }) => {
    const settings = loadConfig(locationSettings, env);
    const path = env.DEMO_CITY_FILE ?? DEFAULT_DEMO_CITY_FILE;
    const city = readDemoCity(path);
    if (city.timezone !== settings.CITY_TIMEZONE) {
      console.warn(`note: ${path} is in ${city.timezone} but CITY_TIMEZONE is ${settings.CITY_TIMEZONE}; store hours follow CITY_TIMEZONE`);
    }
    const s = await seedDemo({ dataSource, outbox }, city, settings);
    return `location-service demo: ${city.city}, ${s.stores} stores (${s.storesAdded} new), ${s.zones} zones (${s.zonesAdded} new)`;
  });
}
