import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { newId } from '@qc/shared/db';
import { AppError } from '@qc/shared/http';
import { requireRedis } from '@qc/shared/redis';
import { findUserByPhone, insertUser } from '../data/users.repository';
import { duplicateContact } from './accounts';
import { DEFAULT_PREFERENCES, userEvent, type Identity } from './identity';
import { attemptVerdict, countAttempt, refundAttempt } from './login-throttle';
import { startSession, type SignedIn } from './sessions';

/** Codes live in Redis only: without it, phone sign-in answers 503 rather than fail open. */
const WHAT = 'Phone sign-in';
const viaRedis = <T>(work: Promise<T>) => requireRedis(work, WHAT);

/**
 * What a code is for: signing in with the phone, or attaching it to the account that asked. Each
 * has its own code, so one never stands in for the other, and an attach code works only for its account.
 */
export type CodePurpose = { kind: 'login' } | { kind: 'attach'; userId: string };

const scopeOf = (purpose: CodePurpose) => (purpose.kind === 'login' ? 'login' : `attach:${purpose.userId}`);
const codeKey = (phone: string, purpose: CodePurpose) => `otp:code:${scopeOf(purpose)}:${phone}`;
// The limits below are per phone, whatever the codes are for and whoever asks.
const cooldownKey = (phone: string) => `otp:cooldown:${phone}`;
const sentKey = (phone: string, period: 'hour' | 'day') => `otp:sent:${period}:${phone}`;
const failuresKey = (phone: string) => `otp:failures:${phone}`;

/** Six digits from a CSPRNG, leading zeros kept. */
export function newCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** Whether codes may be sent to this E.164 number: its country calling code is one of OTP_COUNTRY_CODES. */
export function isServedPhone(phone: string, countryCodes: readonly string[]): boolean {
  return countryCodes.some((code) => phone.startsWith(`+${code}`));
}

/** Codes are kept as an HMAC under a key Redis never sees: a leaked Redis does not reveal them. */
function digest(identity: Identity, phone: string, code: string): Buffer {
  return createHmac('sha256', identity.otpKey).update(`${phone}:${code}`).digest();
}

function refuseUnservedPhone(identity: Identity, phone: string): void {
  const served = identity.settings.OTP_COUNTRY_CODES;
  if (!isServedPhone(phone, served)) {
    const message = `must be a phone number in ${served.map((code) => `+${code}`).join(', ')}`;
    throw new AppError('invalid_input', 'PHONE_COUNTRY_NOT_SERVED', `Phone ${message}`, { details: [{ path: 'body.phone', message }] });
  }
}

const phoneLocked = (retryAfterSeconds: number) =>
  new AppError('rate_limited', 'OTP_LOCKED', 'Too many wrong codes for this phone; try again later', { retryAfterSeconds });

async function refuseIfPhoneLocked(identity: Identity, phone: string): Promise<void> {
  const [failures, ttl] = await viaRedis(Promise.all([identity.redis.get(failuresKey(phone)), identity.redis.ttl(failuresKey(phone))]));
  if (Number(failures ?? 0) >= identity.settings.OTP_MAX_FAILURES) throw phoneLocked(Math.max(ttl, 1));
}

export interface CodeSent {
  expiresAt: string;
  resendAfterSeconds: number;
}

/**
 * Sends a six-digit code to a phone: stored hashed in Redis for OTP_TTL_SECONDS. Per phone: one
 * code per OTP_RESEND_SECONDS, OTP_MAX_CODES_PER_HOUR and OTP_MAX_CODES_PER_DAY at most, none while
 * the phone is locked by wrong codes, and only to the countries in OTP_COUNTRY_CODES. The code leaves
 * the service only inside `user.otp_requested`, for notification-service to deliver; never in a
 * response or a log line.
 */
export async function sendCode(identity: Identity, phone: string, purpose: CodePurpose): Promise<CodeSent> {
  const { OTP_TTL_SECONDS, OTP_RESEND_SECONDS, OTP_MAX_CODES_PER_HOUR, OTP_MAX_CODES_PER_DAY } = identity.settings;
  refuseUnservedPhone(identity, phone);
  await refuseIfPhoneLocked(identity, phone);
  const claimed = await viaRedis(identity.redis.set(cooldownKey(phone), '1', 'EX', OTP_RESEND_SECONDS, 'NX'));
  if (claimed === null) {
    const wait = await viaRedis(identity.redis.ttl(cooldownKey(phone)));
    throw new AppError('rate_limited', 'OTP_COOLDOWN', 'A code was sent to this phone moments ago; wait before asking again', {
      retryAfterSeconds: Math.max(wait, 1),
    });
  }
  for (const [period, seconds, max] of [
    ['hour', 3_600, OTP_MAX_CODES_PER_HOUR],
    ['day', 86_400, OTP_MAX_CODES_PER_DAY],
  ] as const) {
    const verdict = attemptVerdict(await countAttempt(identity, sentKey(phone, period), seconds, WHAT), max);
    if (!verdict.allowed) {
      throw new AppError('rate_limited', 'OTP_TOO_MANY_CODES', `Too many codes sent to this phone this ${period}; try again later`, {
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    }
  }
  const code = newCode();
  const expiresAt = new Date(Date.now() + OTP_TTL_SECONDS * 1000).toISOString();
  const key = codeKey(phone, purpose);
  await viaRedis(
    identity.redis
      .multi()
      .hset(key, { digest: digest(identity, phone, code).toString('base64'), attempts: 0 })
      .expire(key, OTP_TTL_SECONDS)
      .exec(),
  );
  await identity.outbox.transaction(async (_tx, emit) => emit(userEvent('user.otp_requested', phone, { phone, code, expiresAt })));
  return { expiresAt, resendAfterSeconds: OTP_RESEND_SECONDS };
}

const invalidCode = () => new AppError('unauthenticated', 'OTP_INVALID', 'The code is wrong or has expired');

/**
 * Spends a code sent by `sendCode`, or throws. A guess is counted against the phone before it is
 * checked and given back when right: OTP_MAX_FAILURES wrong codes within OTP_LOCKOUT_SECONDS lock the
 * phone, across every code sent to it, however many guesses arrive at once. One code takes
 * OTP_MAX_ATTEMPTS guesses, then is thrown away; a right code works once.
 */
export async function spendCode(identity: Identity, phone: string, purpose: CodePurpose, code: string): Promise<void> {
  const { OTP_MAX_FAILURES, OTP_LOCKOUT_SECONDS, OTP_MAX_ATTEMPTS } = identity.settings;
  refuseUnservedPhone(identity, phone);
  const guess = attemptVerdict(await countAttempt(identity, failuresKey(phone), OTP_LOCKOUT_SECONDS, WHAT), OTP_MAX_FAILURES);
  if (!guess.allowed) throw phoneLocked(guess.retryAfterSeconds);

  const key = codeKey(phone, purpose);
  const attempts = await viaRedis(identity.redis.hincrby(key, 'attempts', 1));
  const stored = await viaRedis(identity.redis.hget(key, 'digest'));
  if (stored === null) {
    // HINCRBY created a stray hash for a phone with no code; it must not linger.
    await viaRedis(identity.redis.del(key));
    throw invalidCode();
  }
  if (attempts > OTP_MAX_ATTEMPTS) {
    await viaRedis(identity.redis.del(key));
    throw new AppError('rate_limited', 'OTP_TOO_MANY_ATTEMPTS', 'Too many wrong codes; ask for a new one', { retryAfterSeconds: 1 });
  }
  const right = timingSafeEqual(Buffer.from(stored, 'base64'), digest(identity, phone, code));
  // DEL answers 1 to exactly one of two concurrent right guesses: a code is spent once.
  if (!right || (await viaRedis(identity.redis.del(key))) !== 1) throw invalidCode();
  await refundAttempt(identity, failuresKey(phone), WHAT);
}

/** Sends a login code (`POST /auth/otp/request`); whether the phone has an account is not told. */
export function requestOtp(identity: Identity, phone: string): Promise<CodeSent> {
  return sendCode(identity, phone, { kind: 'login' });
}

/** Logs in with a login code, creating the account on a phone's first login. */
export async function verifyOtp(identity: Identity, phone: string, code: string): Promise<SignedIn & { created: boolean }> {
  await spendCode(identity, phone, { kind: 'login' }, code);
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
