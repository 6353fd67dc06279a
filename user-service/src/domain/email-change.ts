import { createHash } from 'node:crypto';
import { AppError } from '@qc/shared/http';
import { requireRedis } from '@qc/shared/redis';
import { findUserById, updateProfile as writeProfile } from '../data/users.repository';
import { confirmAccountHolder, duplicateContact } from './accounts';
import { toUserView, userEvent, type Identity, type UserView } from './identity';
import { invalidCode, sendCode, spendCode, type CodeSent, type CodeTarget } from './otp';

const WHAT = 'Email change';

/**
 * An email address as a code's target: the code goes to it by email, in
 * `user.email_verification_requested`, which carries the address (no contact book holds it yet).
 * Redis keys name it by a hash, as the login throttle does, so they hold no email addresses.
 */
function emailTarget(userId: string, email: string): CodeTarget {
  return {
    address: email,
    key: `email:${createHash('sha256').update(email).digest('base64url')}`,
    noun: 'email address',
    announce: (code, expiresAt) => userEvent('user.email_verification_requested', userId, { userId, email, code, expiresAt }),
  };
}

/**
 * The address an account's latest email change waits on, for as long as its code lives: step two
 * takes the code alone. A newer request replaces it, so only the latest address can be confirmed.
 */
const pendingKey = (userId: string) => `email-change:pending:${userId}`;

/** Deletes the pending change only while it still names this address (a newer request may have replaced it). */
const FORGET_PENDING = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Step one of changing the sign-in email: the caller proves it is the account holder (its current
 * password, or a recent sign-in by code for an account without one), then a code goes to the new
 * address. Whether another account has that address is not looked at: the answer is the same 202
 * either way, and only someone reading that inbox learns it, at step two.
 */
export async function requestEmailChange(
  identity: Identity,
  caller: { userId: string; sessionId: string },
  email: string,
  currentPassword: string | undefined,
): Promise<CodeSent> {
  const user = await findUserById(identity.dataSource, caller.userId);
  if (!user) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
  if (user.email === email) throw new AppError('rule_violation', 'EMAIL_UNCHANGED', 'This email is already on your account');
  await confirmAccountHolder(identity, user, caller.sessionId, currentPassword);
  const sent = await sendCode(identity, emailTarget(user.id, email), { kind: 'attach', userId: user.id });
  await requireRedis(identity.redis.set(pendingKey(user.id), email, 'EX', identity.settings.OTP_TTL_SECONDS), WHAT);
  return sent;
}

/**
 * Step two: the code sent to the new address makes it the account's sign-in email (409 EMAIL_TAKEN
 * if another account has it by then; the unique key decides between two accounts confirming the same
 * address at once). The old address is told (`user.email_changed`); every session goes on.
 */
export async function confirmEmailChange(identity: Identity, userId: string, code: string): Promise<UserView> {
  const email = await requireRedis(identity.redis.get(pendingKey(userId)), WHAT);
  if (email === null) throw invalidCode();
  await spendCode(identity, emailTarget(userId, email), { kind: 'attach', userId }, code);
  try {
    return await identity.outbox.transaction(async (tx, emit) => {
      const user = await findUserById(tx, userId, { lock: true });
      if (!user) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
      await writeProfile(tx, userId, { email });
      emit(userEvent('user.updated', userId, { userId, changed: ['email'], email }));
      emit(userEvent('user.email_changed', userId, { userId, email, previousEmail: user.email }));
      return toUserView((await findUserById(tx, userId))!);
    });
  } catch (err) {
    throw duplicateContact(err) ?? err;
  } finally {
    // The code is spent whatever the outcome; a pending address that fails to go here expires with it,
    // and a committed change is not answered with an error for it.
    await identity.redis.eval(FORGET_PENDING, 1, pendingKey(userId), email).catch(() => undefined);
  }
}
