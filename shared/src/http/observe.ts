import { performance } from 'node:perf_hooks';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { currentContext } from '../logging';
import type { Metrics } from '../metrics';

/** Probes and scrapes are not logged: they would drown the requests people look for. */
const QUIET_PATHS = /^\/(health|metrics)(\/|$)/;

/**
 * Marks `res` as a service's answer being relayed (the gateway's proxy): that service writes the
 * request's access line, under the same request id, so this process need not write it again.
 */
export function markRelayed(res: Response): void {
  res.locals.relayed = true;
}

export interface ObserveOptions {
  /**
   * Whether a relayed answer (markRelayed) gets an access line here too. Off, one request leaves
   * one line in the fleet's logs, written by whoever answered it; a relayed 5xx and an answer the
   * client walked away from are logged here either way.
   */
  logRelayedAnswers: boolean;
}

/**
 * What every request leaves behind once it is over, from one `close` listener: its duration in the
 * request histogram (answered requests only, by route template: the app must track them, see
 * trackRouteTemplates), and one access line with method, path, status and duration (for a relayed
 * answer, only as ObserveOptions say). Runs after requestContext. The line names the request's ids
 * (request id, user id) itself: the code that closes the response may run in another request's
 * context.
 *
 * Written here rather than with pino-http, which builds two child loggers and serialises every
 * header; and with one listener, added with `on` (a response closes once; `once` would wrap it in
 * a bound function and remove it again), no property definition, and the ids in the line rather
 * than the line run inside the request's context, each of which measured microseconds per
 * request on the gateway (bench/gateway).
 */
export function observeRequests(logger: Logger, metrics: Metrics, { logRelayedAnswers }: ObserveOptions): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const context = currentContext();
    res.on('close', () => {
      const durationMs = performance.now() - started;
      const finished = res.writableFinished;
      if (finished) metrics.recordRequest(req, res, durationMs / 1000);
      if (finished && res.statusCode < 500 && !logRelayedAnswers && res.locals.relayed === true) return;
      if (QUIET_PATHS.test(req.path)) return;
      // A line that names its requestId (even as undefined) gets no ids from the context the
      // response closes in, which may be another request's (see createLogger's mixin).
      const line = {
        requestId: context?.requestId,
        userId: context?.userId,
        method: req.method,
        url: req.originalUrl,
        statusCode: res.statusCode,
        durationMs: Math.round(durationMs * 100) / 100,
      };
      if (!finished) logger.warn({ ...line, aborted: true }, 'request aborted by the client');
      else if (res.statusCode >= 500) logger.error(line, 'request failed');
      else logger.info(line, 'request completed');
    });
    next();
  };
}
