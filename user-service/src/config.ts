import { z } from 'zod';
import { MAX_ACCESS_TOKEN_SECONDS } from '@qc/shared/auth';
import { loadConfig } from '@qc/shared/config';

const count = z.coerce.number().int().min(1);

/** user-service's own settings, beside the shared ones every service reads. */
export const userSettings = z.object({
  /** Access-token lifetime; DESIGN §3 caps it at 15 minutes. */
  ACCESS_TOKEN_TTL_SECONDS: count.max(MAX_ACCESS_TOKEN_SECONDS).default(MAX_ACCESS_TOKEN_SECONDS),
  /** How long a session lives without a new login, however often it is refreshed. */
  SESSION_TTL_DAYS: count.max(365).default(30),
  OTP_TTL_SECONDS: count.max(900).default(300),
  /** Wrong guesses allowed for one code before it is thrown away. */
  OTP_MAX_ATTEMPTS: count.max(10).default(5),
  /** Wait before another code can be sent to the same phone. */
  OTP_RESEND_SECONDS: count.default(30),
  /** Failed logins for one email, within LOGIN_LOCKOUT_SECONDS, after which logins are refused until it passes. */
  LOGIN_MAX_FAILURES: count.default(5),
  LOGIN_LOCKOUT_SECONDS: count.default(900),
});
export type UserSettings = z.output<typeof userSettings>;

export function loadUserSettings(env: NodeJS.ProcessEnv): Readonly<UserSettings> {
  return loadConfig(userSettings, env);
}
