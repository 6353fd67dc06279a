import { type Queryable } from '@qc/shared/db';

export type LoginMethod = 'password' | 'otp';
export type SessionEndReason = 'logout' | 'refresh_token_reused' | 'password_changed' | 'role_changed' | 'account_disabled';

export async function insertSession(
  db: Queryable,
  session: { id: string; userId: string; method: LoginMethod; expiresAt: Date },
): Promise<void> {
  await db.query('INSERT INTO sessions (id, user_id, method, expires_at) VALUES (?, ?, ?, ?)', [
    session.id,
    session.userId,
    session.method,
    session.expiresAt,
  ]);
}

/** A refresh token lives as long as its session; it is spent (never deleted) when rotated. */
export async function insertRefreshToken(db: Queryable, token: { hash: Buffer; sessionId: string; expiresAt: Date }): Promise<void> {
  await db.query('INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (?, ?, ?)', [
    token.hash,
    token.sessionId,
    token.expiresAt,
  ]);
}

export interface RefreshTokenState {
  sessionId: string;
  userId: string;
  spent: boolean;
  /** The token or its session has expired, or the session has ended. */
  dead: boolean;
}

/** Locks the token's row, so two refreshes with the same token are decided one after the other. */
export async function lockRefreshToken(db: Queryable, hash: Buffer): Promise<RefreshTokenState | undefined> {
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT t.session_id, s.user_id, t.spent_at IS NOT NULL AS spent,
            (t.expires_at <= ? OR s.expires_at <= ? OR s.ended_at IS NOT NULL) AS dead
       FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
      WHERE t.token_hash = ? FOR UPDATE`,
    [new Date(), new Date(), hash],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { sessionId: String(row.session_id), userId: String(row.user_id), spent: Number(row.spent) === 1, dead: Number(row.dead) === 1 };
}

export async function spendRefreshToken(db: Queryable, hash: Buffer): Promise<void> {
  await db.query('UPDATE refresh_tokens SET spent_at = ? WHERE token_hash = ?', [new Date(), hash]);
}

export async function sessionExpiry(db: Queryable, sessionId: string): Promise<Date> {
  const [row]: { expires_at: Date }[] = await db.query('SELECT expires_at FROM sessions WHERE id = ?', [sessionId]);
  return row!.expires_at;
}

export async function endSession(db: Queryable, sessionId: string, reason: SessionEndReason): Promise<void> {
  await db.query('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL', [new Date(), reason, sessionId]);
}

/** Ends every open session of a user but one (none when `except` is undefined); returns the ended ids. */
export async function endSessionsOfUser(db: Queryable, userId: string, reason: SessionEndReason, except?: string): Promise<string[]> {
  const open: { id: string }[] = await db.query('SELECT id FROM sessions WHERE user_id = ? AND ended_at IS NULL AND id <> ? FOR UPDATE', [
    userId,
    except ?? '',
  ]);
  if (open.length === 0) return [];
  const ids = open.map((row) => row.id);
  await db.query(`UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [
    new Date(),
    reason,
    ...ids,
  ]);
  return ids;
}

/** Whether the session's login (not a refresh) happened within the last `seconds`. */
export async function sessionStartedWithin(db: Queryable, sessionId: string, seconds: number): Promise<boolean> {
  const rows: { recent: number | string }[] = await db.query(
    'SELECT created_at >= NOW(3) - INTERVAL ? SECOND AS recent FROM sessions WHERE id = ? AND ended_at IS NULL',
    [seconds, sessionId],
  );
  return Number(rows[0]?.recent ?? 0) === 1;
}
