import { z } from 'zod';
import { MAX_ACCESS_TOKEN_SECONDS } from '@qc/shared/auth';

const count = z.coerce.number().int().min(1);
/** Comma-separated country calling codes without the `+`: `91` or `91,971`. */
const countryCodes = z
  .string()
  .transform((list) => list.split(',').map((code) => code.trim()))
  .pipe(z.array(z.string().regex(/^[1-9]\d{0,2}$/, 'must be country calling codes such as 91')).min(1));

/** user-service's own settings, beside the shared ones every service reads (its definition's `settings`). */
export const userSettings = z.object({
  /** Access-token lifetime; DESIGN §3 caps it at 15 minutes. */
  ACCESS_TOKEN_TTL_SECONDS: count.max(MAX_ACCESS_TOKEN_SECONDS).default(MAX_ACCESS_TOKEN_SECONDS),
  /** How long a session lives without a new login, however often it is refreshed. */
  SESSION_TTL_DAYS: count.max(365).default(30),
  OTP_TTL_SECONDS: count.max(900).default(300),
  /** Wrong guesses allowed for one code before it is thrown away. */
  OTP_MAX_ATTEMPTS: count.max(10).default(5),
  /** Wait before another code can be sent to the same phone or email address. */
  OTP_RESEND_SECONDS: count.default(30),
  /** Codes sent to one phone or email address per hour and per day, whoever asks. */
  OTP_MAX_CODES_PER_HOUR: count.default(5),
  OTP_MAX_CODES_PER_DAY: count.default(10),
  /** Wrong codes for one phone or email address, across all its codes, within OTP_LOCKOUT_SECONDS, after which it is locked. */
  OTP_MAX_FAILURES: count.default(10),
  OTP_LOCKOUT_SECONDS: count.default(86_400),
  /** The countries whose phones codes are sent to (SMS costs money and is a fraud target abroad). */
  OTP_COUNTRY_CODES: countryCodes.default(['91']),
  /** Failed password checks for one account, within LOGIN_LOCKOUT_SECONDS, after which they are refused until it passes. */
  LOGIN_MAX_FAILURES: count.default(5),
  LOGIN_LOCKOUT_SECONDS: count.default(900),
  /**
   * Requests one IP address may make per window to the routes that check a secret (sign-up, login,
   * refresh, phone codes, password, phone and email changes), counted here too in case the gateway is
   * stepped around; the gateway's AUTH_RATE_LIMIT_MAX is the same figure.
   */
  AUTH_RATE_LIMIT_MAX: count.default(20),
  AUTH_RATE_LIMIT_WINDOW_MS: count.default(60_000),
  /** Redis key prefix of those counts; every replica must use the same. */
  AUTH_RATE_LIMIT_PREFIX: z.string().min(1).default('ratelimit:user-service:'),
});
export type UserSettings = z.output<typeof userSettings>;
