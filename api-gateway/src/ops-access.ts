import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { AppError } from '@qc/shared/http';

/** Whether a request may see the fleet's inner workings (hasOpsToken). */
export type OpsCheck = (req: Request) => boolean;

/**
 * Whether a request carries the operations token (OPS_TOKEN) as `Authorization: Bearer <token>`.
 * It unlocks `/metrics` and the fleet detail of `/health`, which name every instance, its state and
 * its traffic: an attacker's map, nobody else's business. Compared in constant time (as digests, so
 * the length leaks nothing either); without OPS_TOKEN nothing unlocks them.
 */
export function hasOpsToken(opsToken: string | undefined): OpsCheck {
  if (!opsToken) return () => false;
  const expected = digest(`Bearer ${opsToken}`);
  return (req) => {
    const sent = req.headers.authorization;
    return sent !== undefined && timingSafeEqual(digest(sent), expected);
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** 401 unless the request carries the operations token. */
export function requireOpsToken(check: OpsCheck): RequestHandler {
  return (req, _res, next) =>
    check(req)
      ? next()
      : next(new AppError('unauthenticated', 'OPS_TOKEN_REQUIRED', 'This endpoint needs the operations token (OPS_TOKEN)'));
}
