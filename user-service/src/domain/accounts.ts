import { duplicateKeyOf, newId } from '@qc/shared/db';
import { AppError } from '@qc/shared/http';
import { endSessionsOfUser, sessionStartedWithin } from '../data/sessions.repository';
import { findUserByEmail, findUserById, insertUser, setPasswordHash, type UserRow } from '../data/users.repository';
import { DEFAULT_PREFERENCES, userEvent, type Identity } from './identity';
import { reservePasswordCheck } from './login-throttle';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords';
import { startSession, type SignedIn } from './sessions';

function weakPassword(problem: string, path: string): AppError {
  return new AppError('invalid_input', 'WEAK_PASSWORD', `Password ${problem}`, { details: [{ path, message: problem }] });
}

/** The unique email and phone indexes refuse a second account; two sign-ups racing end up here. */
export function duplicateContact(err: unknown): AppError | undefined {
  const key = duplicateKeyOf(err);
  if (key === 'users_email') return new AppError('conflict', 'EMAIL_TAKEN', 'An account with this email already exists');
  if (key === 'users_phone') return new AppError('conflict', 'PHONE_TAKEN', 'An account with this phone number already exists');
  return undefined;
}

/**
 * Sign-up takes no phone: a phone becomes a login identity only once a code sent to it has been
 * entered (`requestPhoneChange`, `confirmPhoneChange`), or an account could be opened in someone
 * else's phone number and be waiting for them when they first sign in by phone.
 */
export interface Registration {
  email: string;
  password: string;
  name: string;
}

export async function register(identity: Identity, registration: Registration): Promise<SignedIn> {
  const problem = passwordProblem(registration.password, registration.email);
  if (problem) throw weakPassword(problem, 'body.password');
  const passwordHash = await hashPassword(registration.password);
  const user = {
    id: newId(),
    email: registration.email,
    phone: null,
    name: registration.name,
    passwordHash,
    role: 'customer' as const,
    preferences: DEFAULT_PREFERENCES,
  };
  try {
    return await identity.outbox.transaction(async (tx, emit) => {
      await insertUser(tx, user);
      const created = (await findUserById(tx, user.id))!;
      emit(
        userEvent('user.registered', user.id, {
          userId: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
        }),
      );
      return startSession(identity, tx, created, 'password');
    });
  } catch (err) {
    throw duplicateContact(err) ?? err;
  }
}

const invalidCredentials = () => new AppError('unauthenticated', 'INVALID_CREDENTIALS', 'Email or password is incorrect');

/**
 * Password login. Unknown emails cost the same argon2 work as wrong passwords and get the same
 * answer; a disabled account is only revealed to someone who knows its password. The check is
 * counted against the email before it runs (login-throttle).
 */
export async function login(identity: Identity, email: string, password: string): Promise<SignedIn> {
  const check = await reservePasswordCheck(identity, email);
  const user = await findUserByEmail(identity.dataSource, email);
  if (!(await verifyPassword(user?.passwordHash ?? null, password)) || !user) throw invalidCredentials();
  await check.passed();
  if (user.status !== 'active') throw new AppError('forbidden', 'ACCOUNT_DISABLED', 'This account has been disabled');
  const upgradedHash = needsRehash(user.passwordHash!) ? await hashPassword(password) : undefined;
  return identity.outbox.transaction(async (tx, emit) => {
    if (upgradedHash) await setPasswordHash(tx, user.id, upgradedHash);
    emit(userEvent('user.login', user.id, { userId: user.id, method: 'password' }));
    return startSession(identity, tx, user, 'password');
  });
}

/**
 * Changes the password of the signed-in user, who must know the current one. Every other session
 * ends (a password is changed because it may be known to someone else); this one goes on.
 */
export async function changePassword(
  identity: Identity,
  caller: { userId: string; sessionId: string },
  currentPassword: string,
  newPassword: string,
): Promise<{ sessionsEnded: number }> {
  const user = await findUserById(identity.dataSource, caller.userId);
  if (!user) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
  if (user.passwordHash === null)
    throw new AppError('rule_violation', 'PASSWORD_NOT_SET', 'This account signs in by phone and has no password');
  await confirmCurrentPassword(identity, user, currentPassword);
  const problem = passwordProblem(newPassword, user.email);
  if (problem) throw weakPassword(problem, 'body.newPassword');
  const passwordHash = await hashPassword(newPassword);
  const ended = await identity.outbox.transaction(async (tx, emit) => {
    await setPasswordHash(tx, user.id, passwordHash);
    emit(userEvent('user.updated', user.id, { userId: user.id, changed: ['password'] }));
    return endSessionsOfUser(tx, user.id, 'password_changed', caller.sessionId);
  });
  await identity.revocations.revokeSessions(ended);
  return { sessionsEnded: ended.length };
}

/**
 * Checks the password a signed-in user gives to change something that matters (the password, the
 * phone, the email): counted like a login against the account, so a stolen access token cannot guess it.
 */
export async function confirmCurrentPassword(identity: Identity, user: UserRow, password: string | undefined): Promise<void> {
  const wrong = (message: string) =>
    new AppError('invalid_input', 'WRONG_PASSWORD', `Current password ${message}`, {
      details: [{ path: 'body.currentPassword', message }],
    });
  if (password === undefined) throw wrong('is required');
  const check = await reservePasswordCheck(identity, user.email ?? user.id);
  if (!(await verifyPassword(user.passwordHash, password))) throw wrong('is incorrect');
  await check.passed();
}

/**
 * How recent a phone-code sign-in must be for an account without a password to change its phone or
 * email: the fresh code stands in for the password it does not have.
 */
export const RECENT_SIGN_IN_SECONDS = 600;

/**
 * Proves the caller is the account holder before a sign-in identity (phone, email) changes: its
 * current password, or, for an account without one, a sign-in by code within RECENT_SIGN_IN_SECONDS
 * on this session (403 RECENT_SIGN_IN_REQUIRED).
 */
export async function confirmAccountHolder(
  identity: Identity,
  user: UserRow,
  sessionId: string,
  currentPassword: string | undefined,
): Promise<void> {
  if (user.passwordHash !== null) return confirmCurrentPassword(identity, user, currentPassword);
  if (!(await sessionStartedWithin(identity.dataSource, sessionId, RECENT_SIGN_IN_SECONDS))) {
    throw new AppError('forbidden', 'RECENT_SIGN_IN_REQUIRED', 'Sign in with a code again, then make the change within 10 minutes');
  }
}
