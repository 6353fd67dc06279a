import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { runWithContext } from '../logging';
import { AppError } from './errors';

export const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Accepts a well-formed `x-request-id` or creates one, echoes it back, and runs the rest of the
 * request inside its logging context so every log line and outgoing call carries it.
 */
export const requestContext: RequestHandler = (req, res, next) => {
  const incoming = req.headers[REQUEST_ID_HEADER] as string | undefined;
  const requestId = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  req.headers[REQUEST_ID_HEADER] = requestId;
  res.setHeader(REQUEST_ID_HEADER, requestId);
  runWithContext({ requestId }, next);
};

declare module 'express-serve-static-core' {
  interface Request {
    /** The body's bytes as they arrived, for signatures computed over them (a payment provider's webhooks). */
    rawBody?: Buffer;
  }
}

/** The JSON parser's `verify` hook: keeps the bytes it parsed on the request (a reference, not a copy). */
export function keepRawBody(req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  (req as Request).rawBody = body;
}

/** A request that carries a body must say it is JSON; anything else is a 415, not a parse guess. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json') && !req.is('application/*+json')) {
    return next(new AppError('unsupported_media_type', 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json'));
  }
  next();
};
