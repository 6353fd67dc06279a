import { z } from 'zod';

const minutes = z.coerce.number().min(0).max(240);

/** A 32-byte key, as 64 hex digits or base64; empty means none. */
const key32 = z
  .string()
  .trim()
  .transform((text, ctx) => {
    if (text === '') return undefined;
    const bytes = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
    if (bytes.length === 32) return bytes;
    ctx.addIssue({ code: 'custom', message: 'must be 32 bytes: 64 hex digits or 44 base64 characters (openssl rand -hex 32)' });
    return z.NEVER;
  });

/** delivery-service's own settings, beside the shared ones every service reads (its definition's `settings`). */
export const DeliverySettings = z.object({
  /**
   * Seals the customers' delivery codes at rest and keys their hashes. When unset, the service
   * generates one once and keeps it in its own schema: it works, but a database dump then holds
   * the key beside the codes, so production should set it (a warning says so at start).
   */
  DELIVERY_OTP_KEY: key32.optional(),
  /** Wrong delivery codes accepted before the code is locked. */
  DELIVERY_OTP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(5),
  /** Travelled distance ÷ straight-line distance, and the riders' speed: the ETA model location-service also uses. */
  ROAD_FACTOR: z.coerce.number().min(1).max(3).default(1.4),
  RIDER_SPEED_KMH: z.coerce.number().min(5).max(80).default(20),
  /** How far from the store free partners are looked for (km). */
  PARTNER_SEARCH_RADIUS_KM: z.coerce.number().positive().max(100).default(15),
  /** How long a partner has to accept an offered delivery before it goes to the next partner. */
  OFFER_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3_600).default(60),
  /** How often queued deliveries are retried, unanswered offers withdrawn and the stores' partner waits published. */
  DISPATCH_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(2_000),
  /** A partner's position reports closer together than this are refused (429). */
  LOCATION_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  /** The position trail is written to MySQL in batches, this often. */
  TRAIL_FLUSH_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  /** A delivery's minutes from assignment to hand-over when the store has no recent history. */
  AVERAGE_DELIVERY_MINUTES: minutes.default(20),
  /** The wait published for a store that has no partner online at all. */
  NO_PARTNER_WAIT_MINUTES: minutes.default(30),
  /** A comment line on every open stream this often, so proxies keep idle streams open. */
  TRACKING_HEARTBEAT_MS: z.coerce.number().int().min(1_000).max(120_000).default(15_000),
  /** Tracking events kept per delivery for reconnecting clients (Last-Event-ID). */
  TRACKING_HISTORY: z.coerce.number().int().min(10).max(10_000).default(500),
});
export type DeliverySettings = z.output<typeof DeliverySettings>;
