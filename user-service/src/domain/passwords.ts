import { randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { z } from 'zod';

/**
 * argon2id at OWASP's minimum (19 MiB, t=2, p=1): about 21 ms per hash here (DESIGN §10), a cost an
 * attacker pays per guess and our login endpoint pays once per attempt.
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

/**
 * NIST 800-63B style: length over composition rules. 10 characters at least; at most 128, which
 * bounds the work one request can cause; and not built around the account's own email.
 */
export const Password = z.string().min(10, 'must be at least 10 characters').max(128, 'must be at most 128 characters');

export function passwordProblem(password: string, email: string | null): string | undefined {
  const localPart = email?.split('@')[0]?.toLowerCase();
  if (localPart && localPart.length >= 4 && password.toLowerCase().includes(localPart)) return 'must not contain your email address';
  if (new Set(password).size < 4) return 'must use more than three different characters';
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

/**
 * A hash of nothing anyone knows, verified when the email is unknown, so a login for an unknown
 * email takes as long as one for a known email with a wrong password (no account enumeration by timing).
 */
const decoyHash = hashPassword(randomUUID());

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (hash === null) {
    await argon2.verify(await decoyHash, password);
    return false;
  }
  return argon2.verify(hash, password);
}

/** True when a stored hash was made with weaker settings than today's, so login can upgrade it. */
export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, ARGON2_OPTIONS);
}
