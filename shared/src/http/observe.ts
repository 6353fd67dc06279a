import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { currentContext, runWithContext } from '../logging';
import { trackRouteTemplate, type Metrics } from '../metrics';

/** Probes and scrapes are not logged: they would drown the requests people look for. */
const QUIET_PATHS = /^\/(health|metrics)(\/|$)/;

/**
 * What every request leaves behind once it is over, from one `close` listener: its duration in the
 * request histogram (answered requests only, by route template), and one access line with method,
 * path, status and duration. Runs after requestContext: the line is written inside the request's
 * logging context (request id, user id), which the code that closes the response may not be in.
 *
 * Written here rather than with pino-http, which builds two child loggers and serialises every
 * header; and with one listener and no per-request bound function or property definition, each of
 * which measured tens of microseconds per request on the gateway (bench/gateway).
 */
export function observeRequests(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    trackRouteTemplate(req);
    const started = performance.now();
    const context = currentContext();
    res.once('close', () => {
      const durationMs = performance.now() - started;
      if (res.writableFinished) metrics.recordRequest(req, res, durationMs / 1000);
      if (QUIET_PATHS.test(req.path)) return;
      const line = { method: req.method, url: req.originalUrl, statusCode: res.statusCode, durationMs: Math.round(durationMs * 100) / 100 };
      const write = () => {
        if (!res.writableFinished) logger.warn({ ...line, aborted: true }, 'request aborted by the client');
        else if (res.statusCode >= 500) logger.error(line, 'request failed');
        else logger.info(line, 'request completed');
      };
      if (context) runWithContext(context, write);
      else write();
    });
    next();
  };
}
