import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import proxyaddr from 'proxy-addr';
import type { TrustedProxies } from '../config';
import { trackRouteTemplates, type Metrics } from '../metrics';
import { errorHandler, notFoundHandler } from './error-handler';
import { keepRawBody, requestContext, requireJsonBody } from './middleware';
import { observeRequests } from './observe';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  bodyLimit: string;
  /** Allowed browser origins; none configured means no cross-origin access. */
  corsOrigins?: string[] | undefined;
  /**
   * Requests passed on to another service as they are (the gateway's proxy). Runs before the
   * security headers, which the answering service sets on its own answer, and before the body
   * parser (bodies are streamed, never read); calls next() for a request it does not pass on. An
   * error it raises is answered, with the security headers, like any other.
   */
  forward?: RequestHandler;
  /**
   * Whether answers relayed from a service (markRelayed) get an access line here as well as in the
   * service; failed and aborted ones always do. Only a proxy relays.
   */
  logRelayedAnswers?: boolean;
  /** Whose `X-Forwarded-*` headers count (TRUSTED_PROXIES); none when absent. */
  trustedProxies?: TrustedProxies | undefined;
  /** Routers mounted before the body parser (health, metrics, docs): they never read a body. */
  operational?: Router[];
  /** Verifies the access token a request carries (sets `req.principal`); runs before the routes. */
  authenticate?: RequestHandler;
  /** The service's own routes. */
  routes: Router[];
}

/**
 * Express's `trust proxy` for TRUSTED_PROXIES: nothing by default, so `req.ip` is the connection's
 * own address and a client cannot pick its rate-limit bucket with `X-Forwarded-For`. A hop count is
 * Express's own. A list is compiled once, and its answer per address remembered: Express asks on
 * every `req.ip` and `req.protocol`, three times for each request the gateway forwards, and
 * proxy-addr parses the address each time. Bounded, because forwarded addresses come from clients.
 */
function trustSetting(trusted: TrustedProxies): boolean | number | ((address: string) => boolean) {
  if (typeof trusted === 'number') return trusted;
  if (trusted.length === 0) return false;
  const isListed = proxyaddr.compile([...trusted]);
  const answers = new LRUCache<string, boolean>({ max: 10_000 });
  return (address) => {
    let answer = answers.get(address);
    if (answer === undefined) {
      // A list of subnets ignores the hop index proxy-addr also passes.
      answer = isListed(address, 0);
      answers.set(address, answer);
    }
    return answer;
  };
}

/**
 * The standard chain every service shares, in order: request id and context, access log and
 * metrics, CORS, (forwarding), security headers, content-type check, body limit, authentication,
 * routes, 404, error handler. It never listens: main.ts does.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustSetting(options.trustedProxies ?? []));
  // `/orders/` and `/Orders` are not `/orders`: one spelling per route, so no other spelling of a
  // path can step around a rule that looks the path up (the routers of createRoutes are strict too).
  app.set('strict routing', true);
  app.set('case sensitive routing', true);
  trackRouteTemplates(app);

  const securityHeaders = helmet();
  app.use(requestContext);
  app.use(observeRequests(options.logger, options.metrics, { logRelayedAnswers: options.logRelayedAnswers ?? false }));
  app.use(cors({ origin: options.corsOrigins ?? false }));
  if (options.forward) app.use(options.forward);
  app.use(securityHeaders);
  for (const router of options.operational ?? []) app.use(router);
  app.use(requireJsonBody);
  app.use(express.json({ limit: options.bodyLimit, type: ['application/json', 'application/*+json'], verify: keepRawBody }));
  if (options.authenticate) app.use(options.authenticate);
  for (const router of options.routes) app.use(router);
  app.use(notFoundHandler);
  if (options.forward) app.use(withSecurityHeaders(securityHeaders));
  app.use(errorHandler(options.logger, () => options.metrics.unhandledErrors.inc()));
  return app;
}

/** Security headers on the error answer of a request that skipped them (a forwarded one), unless it is already streaming. */
function withSecurityHeaders(securityHeaders: RequestHandler): ErrorRequestHandler {
  return (err, req, res, next) => (res.headersSent ? next(err) : securityHeaders(req, res, () => next(err)));
}
