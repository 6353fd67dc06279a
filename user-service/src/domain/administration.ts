import type { Principal, Role } from '@qc/shared/auth';
import { newId } from '@qc/shared/db';
import { AppError } from '@qc/shared/http';
import { endSessionsOfUser } from '../data/sessions.repository';
import {
  findUserByEmail,
  findUserById,
  insertUser,
  searchUsers,
  setPasswordHash,
  setRole,
  setStatus,
  type UserSearch,
  type UserStatus,
} from '../data/users.repository';
import { DEFAULT_PREFERENCES, toUserView, userEvent, type Identity, type UserView } from './identity';
import { hashPassword, passwordProblem } from './passwords';

export async function findUsers(identity: Identity, search: UserSearch): Promise<UserView[]> {
  return (await searchUsers(identity.dataSource, search)).map(toUserView);
}

export async function userById(identity: Identity, id: string): Promise<UserView> {
  const user = await findUserById(identity.dataSource, id);
  if (!user) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
  return toUserView(user);
}

function notOnYourself(admin: Principal, userId: string, what: string): void {
  // An admin locking themselves out (or demoting the last admin by accident) is never what was meant.
  if (admin.userId === userId) throw new AppError('rule_violation', 'NOT_ON_YOURSELF', `You cannot ${what} your own account`);
}

/**
 * Gives a user another role. Tokens carry the role, so every session of the user ends: their
 * tokens stop working and the next login issues tokens with the new role.
 */
export async function changeRole(identity: Identity, admin: Principal, userId: string, role: Role): Promise<UserView> {
  notOnYourself(admin, userId, 'change the role of');
  const { user, ended } = await identity.outbox.transaction(async (tx, emit) => {
    const current = await findUserById(tx, userId, { lock: true });
    if (!current) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
    if (current.role === role) return { user: current, ended: [] };
    await setRole(tx, userId, role);
    emit(userEvent('user.updated', userId, { userId, changed: ['role'], role }));
    return { user: (await findUserById(tx, userId))!, ended: await endSessionsOfUser(tx, userId, 'role_changed') };
  });
  await identity.revocations.revokeSessions(ended);
  return toUserView(user);
}

/**
 * Disables or re-enables an account. Disabling ends every session in the same transaction (so
 * refresh tokens are dead) and then revokes their access tokens everywhere; the user's row lock
 * keeps a login running at the same moment from opening a session that escapes.
 */
export async function setAccountStatus(identity: Identity, admin: Principal, userId: string, status: UserStatus): Promise<UserView> {
  notOnYourself(admin, userId, status === 'disabled' ? 'disable' : 'enable');
  const { user, ended } = await identity.outbox.transaction(async (tx, emit) => {
    const current = await findUserById(tx, userId, { lock: true });
    if (!current) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
    const ended = status === 'disabled' ? await endSessionsOfUser(tx, userId, 'account_disabled') : [];
    if (current.status !== status) {
      await setStatus(tx, userId, status);
      emit(userEvent('user.updated', userId, { userId, changed: ['status'], status }));
    }
    return { user: (await findUserById(tx, userId))!, ended };
  });
  await identity.revocations.revokeSessions(ended);
  return toUserView(user);
}

export type EnsureAdminOutcome = { outcome: 'created' } | { outcome: 'unchanged' } | { outcome: 'promoted'; sessionsEnded: number };

/**
 * The first admin (`npm run user:create-admin -- <email> <password>`): creates the account as an
 * admin. No default credentials exist anywhere; this is the only way in.
 *
 * An account that already has the email is refused unless `promoteExisting` is given: anyone can sign
 * up with the address an operator is about to make an admin, and would otherwise be handed the role
 * with the password they chose. Promoting it takes the account over: its password becomes the one
 * given here, and every session ends (refresh tokens dead, access tokens revoked everywhere), so
 * whoever held the account before holds nothing. An existing admin is left as it is.
 */
export async function ensureAdmin(
  { outbox, revocations }: Pick<Identity, 'outbox' | 'revocations'>,
  email: string,
  password: string,
  options: { promoteExisting?: boolean } = {},
): Promise<EnsureAdminOutcome> {
  const problem = passwordProblem(password, email);
  if (problem) throw new AppError('invalid_input', 'WEAK_PASSWORD', `Password ${problem}`);
  const passwordHash = await hashPassword(password);
  const result = await outbox.transaction(async (tx, emit): Promise<{ outcome: EnsureAdminOutcome; ended: string[] }> => {
    const existing = await findUserByEmail(tx, email);
    if (existing?.role === 'admin') return { outcome: { outcome: 'unchanged' }, ended: [] };
    if (existing) {
      if (!options.promoteExisting) {
        throw new AppError(
          'conflict',
          'ACCOUNT_EXISTS',
          `${email} already has an account (role ${existing.role}); to make it the admin, taking it over with the password given here and ending its sessions, add --promote-existing`,
        );
      }
      await findUserById(tx, existing.id, { lock: true });
      await setRole(tx, existing.id, 'admin');
      await setPasswordHash(tx, existing.id, passwordHash);
      emit(userEvent('user.updated', existing.id, { userId: existing.id, changed: ['role', 'password'], role: 'admin' }));
      const ended = await endSessionsOfUser(tx, existing.id, 'role_changed');
      return { outcome: { outcome: 'promoted', sessionsEnded: ended.length }, ended };
    }
    const id = newId();
    await insertUser(tx, { id, email, phone: null, name: 'Administrator', passwordHash, role: 'admin', preferences: DEFAULT_PREFERENCES });
    emit(userEvent('user.registered', id, { userId: id, email, name: 'Administrator', role: 'admin' }));
    return { outcome: { outcome: 'created' }, ended: [] };
  });
  await revocations.revokeSessions(result.ended);
  return result.outcome;
}
