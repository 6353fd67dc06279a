import { type Queryable } from '@qc/shared/db';
import type { Outbox } from '@qc/shared/events';
import type { LocationSettings } from '../config';
import type { Gazetteer } from './gazetteer';
import type { PartnerWaits } from './partner-waits';
import type { ServiceAreaCache } from './service-area-cache';

/** What location-service's use cases work with; built once per running service. */
export interface LocationContext {
  db: Queryable;
  outbox: Outbox;
  settings: Readonly<LocationSettings>;
  serviceArea: ServiceAreaCache;
  gazetteer: Gazetteer;
  /** Each store's live wait for a partner, from delivery-service. */
  partnerWaits: PartnerWaits;
  now: () => Date;
}
