import { AsyncResource } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/** Probes and scrapes are not logged: they would drown the requests people look for. */
const QUIET_PATHS = /^\/(health|metrics)(\/|$)/;

/**
 * One line per finished request: method, path, status and duration; the request id and user id
 * come from the logging context. Written here rather than with pino-http, which builds two child
 * loggers and serialises every header of every request: measured on the gateway, that was more
 * CPU per request than the proxying itself (bench/gateway).
 */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (QUIET_PATHS.test(req.path)) return next();
    const started = process.hrtime.bigint();
    // Bound, so the line is written inside this request's logging context (its request id).
    res.once(
      'close',
      AsyncResource.bind(() => {
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        const line = {
          method: req.method,
          url: req.originalUrl,
          statusCode: res.statusCode,
          durationMs: Math.round(durationMs * 100) / 100,
        };
        if (!res.writableFinished) logger.warn({ ...line, aborted: true }, 'request aborted by the client');
        else if (res.statusCode >= 500) logger.error(line, 'request failed');
        else logger.info(line, 'request completed');
      }),
    );
    next();
  };
}
