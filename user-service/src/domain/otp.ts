import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { newId } from '@qc/shared/db';
import type { CatalogEvent } from '@qc/shared/events';
import { AppError } from '@qc/shared/http';
import { requireRedis } from '@qc/shared/redis';
import { findUserByPhone, insertUser } from '../data/users.repository';
import { duplicateContact } from './accounts';
import { DEFAULT_PREFERENCES, userEvent, type Identity } from './identity';
import { attemptVerdict, countAttempt, refundAttempt } from './login-throttle';
import { startSession, type SignedIn } from './sessions';

/** Codes live in Redis only: without it, sending and checking them answers 503 rather than fail open. */
const WHAT = 'Verification by code';
const viaRedis = <T>(work: Promise<T>) => requireRedis(work, WHAT);

/**
 * What a code is for: signing in with the phone, or attaching a phone or an email address to the
 * account that asked. Each has its own code, so one never stands in for the other, and an attach
 * code works only for its account.
 */
export type CodePurpose = { kind: 'login' } | { kind: 'attach'; userId: string };

/**
 * Where a code goes and how: a phone by SMS (`phoneTarget`), an email address by email
 * (email-change.ts). Every limit below is kept per target, whatever the codes are for and whoever asks.
 */
export interface CodeTarget {
  /** The phone number or email address; the code's HMAC binds it. */
  address: string;
  /** How Redis keys name the address (an email address by its hash, so the keys hold none). */
  key: string;
  /** How the answers call it. */
  noun: 'phone' | 'email address';
  /** The event that carries the code to notification-service: the only place a code ever goes. */
  announce(code: string, expiresAt: string): CatalogEvent;
}

const scopeOf = (purpose: CodePurpose) => (purpose.kind === 'login' ? 'login' : `attach:${purpose.userId}`);
const codeKey = (target: CodeTarget, purpose: CodePurpose) => `otp:code:${scopeOf(purpose)}:${target.key}`;
const cooldownKey = (target: CodeTarget) => `otp:cooldown:${target.key}`;
const sentKey = (target: CodeTarget, period: 'hour' | 'day') => `otp:sent:${period}:${target.key}`;
const failuresKey = (target: CodeTarget) => `otp:failures:${target.key}`;

/** Six digits from a CSPRNG, leading zeros kept. */
export function newCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** Whether codes may be sent to this E.164 number: its country calling code is one of OTP_COUNTRY_CODES. */
export function isServedPhone(phone: string, countryCodes: readonly string[]): boolean {
  return countryCodes.some((code) => phone.startsWith(`+${code}`));
}

/** Codes are kept as an HMAC under a key Redis never sees: a leaked Redis does not reveal them. */
function digest(identity: Identity, target: CodeTarget, code: string): Buffer {
  return createHmac('sha256', identity.otpKey).update(`${target.address}:${code}`).digest();
}

/**
 * A phone as a code's target: codes go only to the countries in OTP_COUNTRY_CODES (400
 * PHONE_COUNTRY_NOT_SERVED otherwise), by SMS, in `user.otp_requested`.
 */
export function phoneTarget(identity: Identity, phone: string): CodeTarget {
  const served = identity.settings.OTP_COUNTRY_CODES;
  if (!isServedPhone(phone, served)) {
    const message = `must be a phone number in ${served.map((code) => `+${code}`).join(', ')}`;
    throw new AppError('invalid_input', 'PHONE_COUNTRY_NOT_SERVED', `Phone ${message}`, { details: [{ path: 'body.phone', message }] });
  }
  return {
    address: phone,
    key: phone,
    noun: 'phone',
    announce: (code, expiresAt) => userEvent('user.otp_requested', phone, { phone, code, expiresAt }),
  };
}

const targetLocked = (target: CodeTarget, retryAfterSeconds: number) =>
  new AppError('rate_limited', 'OTP_LOCKED', `Too many wrong codes for this ${target.noun}; try again later`, { retryAfterSeconds });

async function refuseIfLocked(identity: Identity, target: CodeTarget): Promise<void> {
  const key = failuresKey(target);
  const [failures, ttl] = await viaRedis(Promise.all([identity.redis.get(key), identity.redis.ttl(key)]));
  if (Number(failures ?? 0) >= identity.settings.OTP_MAX_FAILURES) throw targetLocked(target, Math.max(ttl, 1));
}

export interface CodeSent {
  expiresAt: string;
  resendAfterSeconds: number;
}

/**
 * Sends a six-digit code to a target: stored hashed in Redis for OTP_TTL_SECONDS. Per target: one
 * code per OTP_RESEND_SECONDS, OTP_MAX_CODES_PER_HOUR and OTP_MAX_CODES_PER_DAY at most, and none
 * while the target is locked by wrong codes. The code leaves the service only inside the target's
 * event, for notification-service to deliver; never in a response or a log line.
 */
export async function sendCode(identity: Identity, target: CodeTarget, purpose: CodePurpose): Promise<CodeSent> {
  const { OTP_TTL_SECONDS, OTP_RESEND_SECONDS, OTP_MAX_CODES_PER_HOUR, OTP_MAX_CODES_PER_DAY } = identity.settings;
  await refuseIfLocked(identity, target);
  const claimed = await viaRedis(identity.redis.set(cooldownKey(target), '1', 'EX', OTP_RESEND_SECONDS, 'NX'));
  if (claimed === null) {
    const wait = await viaRedis(identity.redis.ttl(cooldownKey(target)));
    throw new AppError('rate_limited', 'OTP_COOLDOWN', `A code was sent to this ${target.noun} moments ago; wait before asking again`, {
      retryAfterSeconds: Math.max(wait, 1),
    });
  }
  for (const [period, seconds, max] of [
    ['hour', 3_600, OTP_MAX_CODES_PER_HOUR],
    ['day', 86_400, OTP_MAX_CODES_PER_DAY],
  ] as const) {
    const verdict = attemptVerdict(await countAttempt(identity, sentKey(target, period), seconds, WHAT), max);
    if (!verdict.allowed) {
      const message = `Too many codes sent to this ${target.noun} this ${period}; try again later`;
      throw new AppError('rate_limited', 'OTP_TOO_MANY_CODES', message, { retryAfterSeconds: verdict.retryAfterSeconds });
    }
  }
  const code = newCode();
  const expiresAt = new Date(Date.now() + OTP_TTL_SECONDS * 1000).toISOString();
  const key = codeKey(target, purpose);
  await viaRedis(
    identity.redis
      .multi()
      .hset(key, { digest: digest(identity, target, code).toString('base64'), attempts: 0 })
      .expire(key, OTP_TTL_SECONDS)
      .exec(),
  );
  await identity.outbox.transaction(async (_tx, emit) => emit(target.announce(code, expiresAt)));
  return { expiresAt, resendAfterSeconds: OTP_RESEND_SECONDS };
}

export const invalidCode = () => new AppError('unauthenticated', 'OTP_INVALID', 'The code is wrong or has expired');

/**
 * Spends a code sent by `sendCode`, or throws. A guess is counted against the target before it is
 * checked and given back when right: OTP_MAX_FAILURES wrong codes within OTP_LOCKOUT_SECONDS lock the
 * target, across every code sent to it, however many guesses arrive at once. One code takes
 * OTP_MAX_ATTEMPTS guesses, then is thrown away; a right code works once.
 */
export async function spendCode(identity: Identity, target: CodeTarget, purpose: CodePurpose, code: string): Promise<void> {
  const { OTP_MAX_FAILURES, OTP_LOCKOUT_SECONDS, OTP_MAX_ATTEMPTS } = identity.settings;
  const guess = attemptVerdict(await countAttempt(identity, failuresKey(target), OTP_LOCKOUT_SECONDS, WHAT), OTP_MAX_FAILURES);
  if (!guess.allowed) throw targetLocked(target, guess.retryAfterSeconds);

  const key = codeKey(target, purpose);
  const attempts = await viaRedis(identity.redis.hincrby(key, 'attempts', 1));
  const stored = await viaRedis(identity.redis.hget(key, 'digest'));
  if (stored === null) {
    // HINCRBY created a stray hash for a target with no code; it must not linger.
    await viaRedis(identity.redis.del(key));
    throw invalidCode();
  }
  if (attempts > OTP_MAX_ATTEMPTS) {
    await viaRedis(identity.redis.del(key));
    throw new AppError('rate_limited', 'OTP_TOO_MANY_ATTEMPTS', 'Too many wrong codes; ask for a new one', { retryAfterSeconds: 1 });
  }
  const right = timingSafeEqual(Buffer.from(stored, 'base64'), digest(identity, target, code));
  // DEL answers 1 to exactly one of two concurrent right guesses: a code is spent once.
  if (!right || (await viaRedis(identity.redis.del(key))) !== 1) throw invalidCode();
  await refundAttempt(identity, failuresKey(target), WHAT);
}

/** Sends a login code (`POST /auth/otp/request`); whether the phone has an account is not told. */
export function requestOtp(identity: Identity, phone: string): Promise<CodeSent> {
  return sendCode(identity, phoneTarget(identity, phone), { kind: 'login' });
}

/** Logs in with a login code, creating the account on a phone's first login. */
export async function verifyOtp(identity: Identity, phone: string, code: string): Promise<SignedIn & { created: boolean }> {
  await spendCode(identity, phoneTarget(identity, phone), { kind: 'login' }, code);
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
