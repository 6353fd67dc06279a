import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { newId } from '@qc/shared/db';
import { AppError } from '@qc/shared/http';
import { requireRedis } from '@qc/shared/redis';
import { findUserByPhone, insertUser } from '../data/users.repository';
import { duplicateContact } from './accounts';
import { DEFAULT_PREFERENCES, userEvent, type Identity } from './identity';
import { startSession, type SignedIn } from './sessions';

/** Codes live in Redis only: without it, phone sign-in answers 503 rather than fail open. */
const viaRedis = <T>(work: Promise<T>) => requireRedis(work, 'Phone sign-in');

const codeKey = (phone: string) => `otp:code:${phone}`;
const cooldownKey = (phone: string) => `otp:cooldown:${phone}`;

/** Codes are kept as an HMAC under a key Redis never sees: a leaked Redis does not reveal them. */
function digest(identity: Identity, phone: string, code: string): Buffer {
  return createHmac('sha256', identity.otpKey).update(`${phone}:${code}`).digest();
}

/**
 * Sends a six-digit login code to a phone: stored hashed in Redis for OTP_TTL_SECONDS, at most one
 * per OTP_RESEND_SECONDS per phone. The code leaves the service only inside `user.otp_requested`,
 * for notification-service to deliver; never in a response or a log line.
 */
export async function requestOtp(identity: Identity, phone: string): Promise<{ expiresAt: string; resendAfterSeconds: number }> {
  const { OTP_TTL_SECONDS, OTP_RESEND_SECONDS } = identity.settings;
  const claimed = await viaRedis(identity.redis.set(cooldownKey(phone), '1', 'EX', OTP_RESEND_SECONDS, 'NX'));
  if (claimed === null) {
    const wait = await viaRedis(identity.redis.ttl(cooldownKey(phone)));
    throw new AppError('rate_limited', 'OTP_COOLDOWN', 'A code was sent to this phone moments ago; wait before asking again', {
      retryAfterSeconds: Math.max(wait, 1),
    });
  }
  const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
  const expiresAt = new Date(Date.now() + OTP_TTL_SECONDS * 1000).toISOString();
  await viaRedis(
    identity.redis
      .multi()
      .hset(codeKey(phone), { digest: digest(identity, phone, code).toString('base64'), attempts: 0 })
      .expire(codeKey(phone), OTP_TTL_SECONDS)
      .exec(),
  );
  await identity.outbox.transaction(async (_tx, emit) => emit(userEvent('user.otp_requested', phone, { phone, code, expiresAt })));
  return { expiresAt, resendAfterSeconds: OTP_RESEND_SECONDS };
}

const invalidCode = () => new AppError('unauthenticated', 'OTP_INVALID', 'The code is wrong or has expired');

/**
 * Logs in with a code sent by `requestOtp`, creating the account on a phone's first login. Each code
 * takes OTP_MAX_ATTEMPTS guesses, then is thrown away; a right code works once.
 */
export async function verifyOtp(identity: Identity, phone: string, code: string): Promise<SignedIn & { created: boolean }> {
  const key = codeKey(phone);
  const attempts = await viaRedis(identity.redis.hincrby(key, 'attempts', 1));
  const stored = await viaRedis(identity.redis.hget(key, 'digest'));
  if (stored === null) {
    // HINCRBY created a stray hash for a phone with no code; it must not linger.
    await viaRedis(identity.redis.del(key));
    throw invalidCode();
  }
  if (attempts > identity.settings.OTP_MAX_ATTEMPTS) {
    await viaRedis(identity.redis.del(key));
    throw new AppError('rate_limited', 'OTP_TOO_MANY_ATTEMPTS', 'Too many wrong codes; ask for a new one', { retryAfterSeconds: 1 });
  }
  const right = timingSafeEqual(Buffer.from(stored, 'base64'), digest(identity, phone, code));
  // DEL answers 1 to exactly one of two concurrent right guesses: a code logs in once.
  if (!right || (await viaRedis(identity.redis.del(key))) !== 1) throw invalidCode();

  try {
    return await identity.outbox.transaction(async (tx, emit) => {
      let user = await findUserByPhone(tx, phone);
      const created = !user;
      if (!user) {
        const id = newId();
        await insertUser(tx, {
          id,
          email: null,
          phone,
          name: null,
          passwordHash: null,
          role: 'customer',
          preferences: DEFAULT_PREFERENCES,
        });
        user = (await findUserByPhone(tx, phone))!;
        emit(userEvent('user.registered', id, { userId: id, phone, role: 'customer' }));
      }
      if (user.status !== 'active') throw new AppError('forbidden', 'ACCOUNT_DISABLED', 'This account has been disabled');
      emit(userEvent('user.login', user.id, { userId: user.id, method: 'otp' }));
      return { ...(await startSession(identity, tx, user, 'otp')), created };
    });
  } catch (err) {
    throw duplicateContact(err) ?? err;
  }
}
