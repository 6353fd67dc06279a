import { z } from 'zod';

/** Who may call what (DESIGN §2): every route names the roles it admits. `analyst`: read-only analytics. */
export const ROLES = ['customer', 'admin', 'delivery_partner', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

/** Access tokens are signed with ES256 only; the verifier accepts no other algorithm. */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';
/** DESIGN §3: an access token lives at most 15 minutes. Revocations are kept that long too. */
export const MAX_ACCESS_TOKEN_SECONDS = 15 * 60;

/** The caller of a request, as its verified access token says. */
export interface Principal {
  userId: string;
  role: Role;
  /** The login session (refresh-token family) the token was issued for. */
  sessionId: string;
  /** `iat` and `exp`, seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
}

/** The claims an access token must carry beyond what jsonwebtoken checks (`iss`, `aud`, `exp`). */
export const AccessClaims = z.object({
  sub: z.uuid(),
  role: z.enum(ROLES),
  sid: z.uuid(),
  iat: z.number().int(),
  exp: z.number().int(),
});

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by `authenticate` when the request carried a valid access token. */
    principal?: Principal;
    /** Why the token the request carried was refused; `allow` answers with it. */
    authFailure?: Error;
  }
}
