import { createHash } from 'node:crypto';
import { AppError } from '@qc/shared/http';
import { requireRedis } from '@qc/shared/redis';
import type { Identity } from './identity';

/**
 * Password checks counted per account in Redis (shared by every replica): after LOGIN_MAX_FAILURES
 * within LOGIN_LOCKOUT_SECONDS, checks for that account are refused until the window passes,
 * however many IP addresses the guesses come from (the gateway limits each address separately).
 * Logins and the current password asked by a password or phone change count alike.
 *
 * A check is counted before argon2 runs and given back when the password was right: N logins sent
 * at once get at most LOGIN_MAX_FAILURES guesses, not N (reading the count, verifying, then
 * counting let every parallel request through). The key is a hash, so Redis holds no email addresses.
 */
function failuresKey(account: string): string {
  return `auth:login-failures:${createHash('sha256').update(account).digest('base64url')}`;
}

/** A fixed window's count after this attempt, and the seconds left in it. */
export interface WindowCount {
  count: number;
  secondsLeft: number;
}

/** Whether the attempt that made `count` may go on, or how long the caller must wait. */
export function attemptVerdict(window: WindowCount, max: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
  return window.count <= max ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(window.secondsLeft, 1) };
}

/**
 * Adds one to a fixed window's count and answers it: the window starts with its first attempt
 * (EXPIRE NX) and is not extended by later ones. One MULTI, so concurrent attempts each see their own count.
 */
export async function countAttempt(identity: Identity, key: string, windowSeconds: number, what: string): Promise<WindowCount> {
  const replies = await requireRedis(identity.redis.multi().incr(key).expire(key, windowSeconds, 'NX').ttl(key).exec(), what);
  return { count: Number(replies?.[0]?.[1]), secondsLeft: Number(replies?.[2]?.[1]) };
}

/** Takes one back from a window's count, unless the window has ended meanwhile (a DECR would start a key with no expiry). */
const REFUND = `if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end return 0`;

export async function refundAttempt(identity: Identity, key: string, what: string): Promise<void> {
  await requireRedis(identity.redis.eval(REFUND, 1, key), what);
}

/** A counted password check: `passed()` gives it back once the password was right. */
export interface PasswordCheck {
  passed(): Promise<void>;
}

/**
 * Counts a password check for an account (its email, or its id when it has none) before it runs;
 * throws 429 TOO_MANY_FAILED_LOGINS when the account is over its limit.
 */
export async function reservePasswordCheck(identity: Identity, account: string): Promise<PasswordCheck> {
  const { LOGIN_MAX_FAILURES, LOGIN_LOCKOUT_SECONDS } = identity.settings;
  const key = failuresKey(account);
  const verdict = attemptVerdict(await countAttempt(identity, key, LOGIN_LOCKOUT_SECONDS, 'Sign-in'), LOGIN_MAX_FAILURES);
  if (!verdict.allowed) {
    throw new AppError('rate_limited', 'TOO_MANY_FAILED_LOGINS', 'Too many wrong passwords for this account; try again later', {
      retryAfterSeconds: verdict.retryAfterSeconds,
    });
  }
  return { passed: () => refundAttempt(identity, key, 'Sign-in') };
}
