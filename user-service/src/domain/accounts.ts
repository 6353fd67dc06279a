import { duplicateKeyOf, newId } from '@qc/shared/db';
import { AppError } from '@qc/shared/http';
import { endSessionsOfUser } from '../data/sessions.repository';
import { findUserByEmail, findUserById, insertUser, setPasswordHash } from '../data/users.repository';
import { DEFAULT_PREFERENCES, userEvent, type Identity } from './identity';
import { clearFailedLogins, recordFailedLogin, refuseIfLockedOut } from './login-throttle';
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

export interface Registration {
  email: string;
  password: string;
  name: string;
  phone?: string | undefined;
}

export async function register(identity: Identity, registration: Registration): Promise<SignedIn> {
  const problem = passwordProblem(registration.password, registration.email);
  if (problem) throw weakPassword(problem, 'body.password');
  const passwordHash = await hashPassword(registration.password);
  const user = {
    id: newId(),
    email: registration.email,
    phone: registration.phone ?? null,
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
          ...(user.phone ? { phone: user.phone } : {}),
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
 * answer; a disabled account is only revealed to someone who knows its password.
 */
export async function login(identity: Identity, email: string, password: string): Promise<SignedIn> {
  await refuseIfLockedOut(identity, email);
  const user = await findUserByEmail(identity.dataSource, email);
  if (!(await verifyPassword(user?.passwordHash ?? null, password)) || !user) {
    await recordFailedLogin(identity, email);
    throw invalidCredentials();
  }
  await clearFailedLogins(identity, email);
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
  if (!(await verifyPassword(user.passwordHash, currentPassword))) {
    throw new AppError('invalid_input', 'WRONG_PASSWORD', 'Current password is incorrect', {
      details: [{ path: 'body.currentPassword', message: 'is incorrect' }],
    });
  }
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
