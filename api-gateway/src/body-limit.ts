import type { RequestHandler } from 'express';
import { AppError } from '@qc/shared/http';

/**
 * BODY_LIMIT, before anything is read or forwarded: a declared Content-Length above it is a 413 at
 * once. A body streamed without Content-Length is counted while it is proxied (routing/proxy.ts).
 * The gateway never parses bodies: a malformed JSON body reaches the service, which answers 400 in
 * the same envelope (the gateway could not tell without buffering every body).
 */
export function limitBodySize(limitBytes: number): RequestHandler {
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limitBytes) {
      // The body is never read: closing after the answer stops the client sending the rest.
      res.setHeader('Connection', 'close');
      return next(new AppError('payload_too_large', 'PAYLOAD_TOO_LARGE', `request body is larger than ${limitBytes} bytes`));
    }
    next();
  };
}
