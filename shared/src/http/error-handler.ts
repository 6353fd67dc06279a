import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { currentContext } from '../logging';
import { AppError, STATUS_BY_KIND } from './errors';
import { failure } from './envelope';

/** Errors raised by express's body parser, mapped onto our kinds instead of leaking its messages. */
function fromBodyParser(err: { type?: string; status?: number }): AppError | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new AppError('invalid_input', 'MALFORMED_JSON', 'Request body is not valid JSON');
    case 'entity.too.large':
      return new AppError('payload_too_large', 'PAYLOAD_TOO_LARGE', 'Request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', 'UNSUPPORTED_ENCODING', 'Request body encoding is not supported');
    case 'request.aborted':
    case 'request.size.invalid':
      return new AppError('invalid_input', 'BODY_INCOMPLETE', 'Request body was not received whole');
    default:
      return undefined;
  }
}

/**
 * The single place where an error becomes an HTTP answer. An AppError keeps its message; anything
 * else is a bug: logged with its stack and answered with a generic 500 that carries no internals.
 */
export function errorHandler(logger: Logger, onBug?: () => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = err instanceof AppError ? err : fromBodyParser(err);
    const appError = known ?? new AppError('internal', 'INTERNAL', 'Internal server error');
    if (!known) {
      onBug?.();
      logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    }
    // A response already streaming (e.g. Server-Sent Events) can only be ended.
    if (res.headersSent) return void res.end();
    const status = STATUS_BY_KIND[appError.kind];
    if (appError.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.ceil(appError.retryAfterSeconds)));
    // RFC 6750: a 401 for an access token names the scheme the client should use, and why a token it sent failed.
    const challenge = BEARER_CHALLENGES.get(appError.code);
    if (challenge) res.setHeader('WWW-Authenticate', challenge);
    res.status(status).json(failure(status, appError.code, appError.message, appError.details, currentContext()?.requestId));
  };
}

const BEARER_CHALLENGES = new Map([
  ['AUTHENTICATION_REQUIRED', 'Bearer'],
  ['INVALID_TOKEN', 'Bearer error="invalid_token"'],
  ['TOKEN_EXPIRED', 'Bearer error="invalid_token"'],
  ['TOKEN_REVOKED', 'Bearer error="invalid_token"'],
]);

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', 'ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}`));
};
