import type { Request, RequestHandler } from 'express';
import { AppError } from '../http/errors';
import { currentContext } from '../logging';
import type { Principal, Role } from './principal';
import type { TokenVerifier } from './verifier';

const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/;

/**
 * The bearer token of a request: undefined when there is no `Authorization` header, an
 * `unauthenticated` AppError when there is one that is not a well-formed bearer JWT.
 */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = BEARER.exec(header);
  if (!match) throw new AppError('unauthenticated', 'INVALID_TOKEN', 'Authorization must be "Bearer <access token>"');
  return match[1];
}

/**
 * Verifies the access token of every request that carries one (zero trust: services check it
 * again behind the gateway) and sets `req.principal` and the log context's `userId`. A token that
 * fails is remembered, not answered here: a route anyone may call works whatever stale token a
 * client still sends (a refresh with an expired access token in the header is the usual case),
 * and a route with an `allow` rule answers with the precise reason.
 */
export function authenticate(verifier: TokenVerifier): RequestHandler {
  const accept = (req: Request, principal: Principal) => {
    req.principal = principal;
    const context = currentContext();
    if (context) context.userId = principal.userId;
  };
  return (req, _res, next) => {
    let token: string | undefined;
    let remembered: Principal | undefined;
    try {
      token = bearerToken(req);
      remembered = token === undefined ? undefined : verifier.verifyRemembered(token);
    } catch (err) {
      req.authFailure = err as Error;
      return next();
    }
    if (token === undefined) return next();
    if (remembered) {
      accept(req, remembered);
      return next();
    }
    verifier.verify(token).then(
      (principal) => {
        accept(req, principal);
        next();
      },
      (err: unknown) => {
        req.authFailure = err as Error;
        next();
      },
    );
  };
}

/**
 * The route's access rule; every route states one (deny by default). Without a token the answer is
 * 401, with a refused token 401 with its reason (503 if keys could not be fetched), with a role the
 * route does not admit 403.
 */
export function allow(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.principal) return next(req.authFailure ?? new AppError('unauthenticated', 'AUTHENTICATION_REQUIRED', 'Sign in to do this'));
    if (!roles.includes(req.principal.role)) return next(new AppError('forbidden', 'FORBIDDEN', 'You may not do this'));
    next();
  };
}

/** The access rule of a route anyone may call, stated as explicitly as `allow(...)`. */
export const anyone: RequestHandler = (_req, _res, next) => next();

/** The signed-in caller of a route guarded by `allow`. */
export function principalOf(req: Request): NonNullable<Request['principal']> {
  if (!req.principal) throw new AppError('unauthenticated', 'AUTHENTICATION_REQUIRED', 'Sign in to do this');
  return req.principal;
}
