import type { Outbox } from '@qc/shared/events';
import type { LocationSettings } from '../config';
import type { Db } from '../data/db';
import type { Gazetteer } from './gazetteer';
import type { ServiceAreaCache } from './service-area-cache';

/** What location-service's use cases work with; built once per running service. */
export interface LocationContext {
  db: Db;
  outbox: Outbox;
  settings: Readonly<LocationSettings>;
  serviceArea: ServiceAreaCache;
  gazetteer: Gazetteer;
  now: () => Date;
}
