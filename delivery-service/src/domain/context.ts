import type { Queryable } from '@qc/shared/db';
import type { Outbox } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import type { DeliverySettings } from '../config';
import type { PartnerPositions } from '../data/partner-positions.redis';
import type { TrackingLog } from '../data/tracking-log.redis';
import type { TrailPoint } from '../data/trail.repository';
import type { OtpVault } from './delivery-otp';

/** Where reported positions go to be written to the trail in batches. */
export interface TrailSink {
  add(point: TrailPoint): void;
}

/** What delivery-service's use cases work with; built once per running service. */
export interface DeliveryContext {
  db: Queryable;
  outbox: Outbox;
  settings: DeliverySettings;
  positions: PartnerPositions;
  tracking: TrackingLog;
  trail: TrailSink;
  /** The delivery-code vault, once its key is loaded. */
  otp: () => Promise<OtpVault>;
  logger: Logger;
  now: () => Date;
}
