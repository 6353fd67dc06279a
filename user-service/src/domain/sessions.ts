import { createHash, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_ALGORITHM, type Role } from '@qc/shared/auth';
import { newId, type Tx } from '@qc/shared/db';
import { AppError } from '@qc/shared/http';
import {
  endSession,
  insertRefreshToken,
  insertSession,
  lockRefreshToken,
  sessionExpiry,
  spendRefreshToken,
  type LoginMethod,
} from '../data/sessions.repository';
import { findUserById, type UserRow } from '../data/users.repository';
import { toUserView, type Identity, type UserView } from './identity';

/** What a login, a registration or a refresh answers with (inside `data`, beside `user`). */
export interface SignedIn {
  user: UserView;
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** Refresh tokens are 256 random bits, so a plain SHA-256 is enough to store them: there is nothing to guess. */
export function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function signAccessToken(identity: Identity, user: { id: string; role: Role }, sessionId: string): string {
  const key = identity.keys.current();
  return jwt.sign({ role: user.role, sid: sessionId }, key.privateKey, {
    algorithm: ACCESS_TOKEN_ALGORITHM,
    keyid: key.kid,
    subject: user.id,
    issuer: identity.tokens.issuer,
    audience: identity.tokens.audience,
    expiresIn: identity.settings.ACCESS_TOKEN_TTL_SECONDS,
  });
}

async function issueRefreshToken(tx: Tx, sessionId: string, expiresAt: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await insertRefreshToken(tx, { hash: hashRefreshToken(token), sessionId, expiresAt });
  return token;
}

function signedIn(identity: Identity, user: UserRow, sessionId: string, refreshToken: string): SignedIn {
  return {
    user: toUserView(user),
    accessToken: signAccessToken(identity, user, sessionId),
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: identity.settings.ACCESS_TOKEN_TTL_SECONDS,
  };
}

/**
 * Opens a session for a user who just proved who they are, inside the caller's transaction. The
 * user's row is locked and checked again, so a session can never open for an account being
 * disabled at the same moment (disabling locks the row too, then ends every session).
 */
export async function startSession(identity: Identity, tx: Tx, user: UserRow, method: LoginMethod): Promise<SignedIn> {
  const current = await findUserById(tx, user.id, { lock: true });
  if (current?.status !== 'active') throw new AppError('forbidden', 'ACCOUNT_DISABLED', 'This account has been disabled');
  const sessionId = newId();
  const expiresAt = new Date(Date.now() + identity.settings.SESSION_TTL_DAYS * 86_400_000);
  await insertSession(tx, { id: sessionId, userId: user.id, method, expiresAt });
  return signedIn(identity, current, sessionId, await issueRefreshToken(tx, sessionId, expiresAt));
}

const invalidRefreshToken = () => new AppError('unauthenticated', 'INVALID_REFRESH_TOKEN', 'Refresh token is invalid or has expired');

/**
 * Rotates a refresh token: the one presented is spent and a new one issued in its session. A token
 * presented a second time means it leaked (or was stolen and used first): its whole session ends,
 * the new tokens issued from it included, and its access tokens stop working everywhere.
 */
export async function refreshSession(identity: Identity, refreshToken: string): Promise<SignedIn> {
  const hash = hashRefreshToken(refreshToken);
  const outcome = await identity.dataSource.transaction(async (tx) => {
    const token = await lockRefreshToken(tx, hash);
    if (!token || token.dead) return { kind: 'invalid' as const };
    if (token.spent) {
      await endSession(tx, token.sessionId, 'refresh_token_reused');
      return { kind: 'reused' as const, sessionId: token.sessionId };
    }
    const user = await findUserById(tx, token.userId);
    if (!user || user.status !== 'active') return { kind: 'invalid' as const };
    await spendRefreshToken(tx, hash);
    const next = await issueRefreshToken(tx, token.sessionId, await sessionExpiry(tx, token.sessionId));
    return { kind: 'rotated' as const, result: signedIn(identity, user, token.sessionId, next) };
  });
  if (outcome.kind === 'rotated') return outcome.result;
  if (outcome.kind === 'reused') {
    await identity.revocations.revokeSessions([outcome.sessionId]);
    throw new AppError('unauthenticated', 'REFRESH_TOKEN_REUSED', 'Refresh token was already used; the session has been ended');
  }
  throw invalidRefreshToken();
}

/** Ends the session a refresh token belongs to. Unknown or dead tokens are answered the same way (nothing to end). */
export async function logout(identity: Identity, refreshToken: string): Promise<void> {
  const sessionId = await identity.dataSource.transaction(async (tx) => {
    const token = await lockRefreshToken(tx, hashRefreshToken(refreshToken));
    if (!token || token.dead) return undefined;
    await endSession(tx, token.sessionId, 'logout');
    return token.sessionId;
  });
  if (sessionId) await identity.revocations.revokeSessions([sessionId]);
}
