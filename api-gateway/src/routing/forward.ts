import type { NextFunction, RequestHandler, Response } from 'express';
import { AppError } from '@qc/shared/http';
import type { Logger } from '@qc/shared/logging';
import { ClientGone, StreamedBodyTooLarge, UpstreamFailedResponse } from './proxy';
import type { Route, RouteTable } from './route-table';
import { isBreakerError, type UpstreamInstance, type UpstreamPool } from './upstream-pool';

/** `.` and `..` segments, plain or percent-encoded: a later role rule must see the path the service sees. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;
/**
 * An empty segment or a trailing slash: another spelling of a path (`/auth/login/`, `/auth//login`)
 * that a lenient router would serve as the path itself while the gateway's rules, which look the
 * path up, would not recognise it. The services' routers are strict, so no such path is served.
 */
const EMPTY_SEGMENT = /\/\/|.\/$/;

function matchedRoute(res: Response): Route {
  return res.locals.route as Route;
}

/**
 * The gateway's proxied chain, for every path a service serves (DESIGN §2): labels the request's
 * metrics with the route's prefix, then runs `steps` in order, the last of which forwards. Any
 * other path (the gateway's own endpoints, or one no service serves) goes on to the rest of the
 * app, which answers it or 404s. The steps run in a plain loop rather than in an Express Router,
 * whose per-layer bookkeeping every proxied request would otherwise pay (bench/gateway).
 */
export function forwardRoutedRequests(table: RouteTable, steps: readonly RequestHandler[]): RequestHandler {
  return (req, res, done) => {
    const path = req.path;
    const route = table.match(path);
    // Refused as unknown: the 404 the service itself would give, before any rule is looked up.
    if (!route || EMPTY_SEGMENT.test(path)) return done();
    if (DOT_SEGMENT.test(path)) return done(new AppError('invalid_input', 'INVALID_PATH', 'Path must not contain . or .. segments'));
    res.locals.route = route;
    res.locals.routeLabel = route.label;
    let index = 0;
    const next: NextFunction = (error?: unknown) => {
      if (error) return done(error);
      const step = steps[index++];
      if (!step) return done();
      try {
        const result: unknown = step(req, res, next);
        if (result instanceof Promise) result.catch(done);
      } catch (thrown) {
        done(thrown);
      }
    };
    next();
  };
}

/**
 * Breaker → round-robin → proxy. An instance whose breaker is open is skipped; when every instance
 * of the service is open, the answer is an immediate 503 with `Retry-After`, without a connection
 * attempt. A refused or reset connection is a failure of that instance (503); no response headers
 * within UPSTREAM_TIMEOUT_MS is one too (503 `SERVICE_TIMEOUT`: the shared error kinds have no 504,
 * and for a client both mean "try again shortly").
 */
export function forwardToUpstream(pools: ReadonlyMap<string, UpstreamPool>, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const { service } = matchedRoute(res);
    const pool = pools.get(service)!;
    const instance = pool.pick();
    if (!instance) return next(circuitOpen(service, pool.secondsUntilTrial()));
    instance.forward(req, res).catch((error: unknown) => {
      // The upstream's own 5xx is already on its way to the client; a client that left needs no answer.
      if (error instanceof UpstreamFailedResponse || error instanceof ClientGone) return;
      next(asAppError(error, instance, res, logger));
    });
  };
}

function circuitOpen(service: string, retryAfterSeconds: number): AppError {
  return new AppError('unavailable', 'SERVICE_CIRCUIT_OPEN', `${service} is unavailable`, { retryAfterSeconds });
}

function asAppError(error: unknown, instance: UpstreamInstance, res: Response, logger: Logger): AppError {
  const { service } = instance;
  if (error instanceof StreamedBodyTooLarge) {
    // The rest of the body is not read: closing after the answer stops the client sending it.
    res.setHeader('Connection', 'close');
    return new AppError('payload_too_large', 'PAYLOAD_TOO_LARGE', error.message);
  }
  if (isBreakerError(error, 'EOPENBREAKER')) return circuitOpen(service, instance.secondsUntilTrial());
  logger.warn({ upstream: service, instance: instance.url, err: error }, 'upstream request failed');
  if (isBreakerError(error, 'ETIMEDOUT')) {
    return new AppError('unavailable', 'SERVICE_TIMEOUT', `${service} did not answer in time`, { retryAfterSeconds: 1, cause: error });
  }
  const retryAfterSeconds = instance.state === 'open' ? instance.secondsUntilTrial() : 1;
  return new AppError('unavailable', 'SERVICE_UNAVAILABLE', `${service} is unavailable`, { retryAfterSeconds, cause: error });
}
