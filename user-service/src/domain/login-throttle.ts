import { createHash } from 'node:crypto';
import { AppError } from '@qc/shared/http';
import { requireRedis } from '@qc/shared/redis';
import type { Identity } from './identity';

/**
 * Failed logins counted per account in Redis (shared by every replica): after LOGIN_MAX_FAILURES
 * within LOGIN_LOCKOUT_SECONDS, logins for that email are refused until the window passes, however
 * many IP addresses the guesses come from (the gateway limits each address separately). The key is
 * a hash, so Redis holds no email addresses.
 */
function failuresKey(email: string): string {
  return `auth:login-failures:${createHash('sha256').update(email).digest('base64url')}`;
}

export async function refuseIfLockedOut(identity: Identity, email: string): Promise<void> {
  const key = failuresKey(email);
  const [failures, ttl] = await requireRedis(Promise.all([identity.redis.get(key), identity.redis.ttl(key)]), 'Sign-in');
  if (Number(failures ?? 0) >= identity.settings.LOGIN_MAX_FAILURES) {
    throw new AppError('rate_limited', 'TOO_MANY_FAILED_LOGINS', 'Too many failed logins for this account; try again later', {
      retryAfterSeconds: Math.max(ttl, 1),
    });
  }
}

export async function recordFailedLogin(identity: Identity, email: string): Promise<void> {
  const key = failuresKey(email);
  // The window starts at the first failure (NX) and is not extended by later ones.
  await requireRedis(identity.redis.multi().incr(key).expire(key, identity.settings.LOGIN_LOCKOUT_SECONDS, 'NX').exec(), 'Sign-in');
}

export async function clearFailedLogins(identity: Identity, email: string): Promise<void> {
  await requireRedis(identity.redis.del(failuresKey(email)), 'Sign-in');
}
