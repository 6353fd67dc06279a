import { z } from 'zod';
import { isTimeZone } from '@qc/shared/time';

/** inventory-service's own settings, beside the shared ones every service reads (its definition's `settings`). */
export const InventoryConfig = z.object({
  /** How long an order's stock is held while it waits for payment (DESIGN §5). */
  RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).default(600),
  /**
   * How often the sweeper looks for unpaid reservations past their expiry. At most a day: past
   * 2^31 − 1 ms Node would run the timer every millisecond instead.
   */
  RESERVATION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).max(86_400_000).default(5_000),
  /** Reservations expired per sweeper transaction; the sweeper loops until none are due. */
  RESERVATION_SWEEP_BATCH: z.coerce.number().int().min(1).max(1_000).default(100),
  /** The zone of the stores' `HH:MM` opening hours (the demo city's). */
  STORE_TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Kolkata').default('Asia/Kolkata'),
});
export type InventoryConfig = z.output<typeof InventoryConfig>;
