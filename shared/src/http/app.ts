import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import proxyaddr from 'proxy-addr';
import { trackRouteTemplates, type Metrics } from '../metrics';
import { errorHandler, notFoundHandler } from './error-handler';
import { requestContext, requireJsonBody } from './middleware';
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
  /** Routers mounted before the body parser (health, metrics, docs): they never read a body. */
  operational?: Router[];
  /** Verifies the access token a request carries (sets `req.principal`); runs before the routes. */
  authenticate?: RequestHandler;
  /** The service's own routes. */
  routes: Router[];
}

const isPrivateNetworkAddress = proxyaddr.compile(['loopback', 'uniquelocal']);
/** The answers for the addresses seen last; bounded, because forwarded addresses come from clients. */
const trustAnswers = new LRUCache<string, boolean>({ max: 10_000 });

/**
 * Whether an address is a proxy whose `X-Forwarded-*` headers count: loopback and private-network
 * ones, where the gateway and the services find their proxies. Express asks on every `req.ip` and
 * `req.protocol`, three times for each request the gateway forwards, and proxy-addr parses the
 * address each time; the answer for an address never changes, so it is remembered.
 */
function isTrustedProxy(address: string): boolean {
  let trusted = trustAnswers.get(address);
  if (trusted === undefined) {
    // A list of subnets ignores the hop index proxy-addr also passes.
    trusted = isPrivateNetworkAddress(address, 0);
    trustAnswers.set(address, trusted);
  }
  return trusted;
}

/**
 * The standard chain every service shares, in order: request id and context, access log and
 * metrics, CORS, (forwarding), security headers, content-type check, body limit, authentication,
 * routes, 404, error handler. It never listens: main.ts does.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', isTrustedProxy);
  trackRouteTemplates(app);

  const securityHeaders = helmet();
  app.use(requestContext);
  app.use(observeRequests(options.logger, options.metrics, { logRelayedAnswers: options.logRelayedAnswers ?? false }));
  app.use(cors({ origin: options.corsOrigins ?? false }));
  if (options.forward) app.use(options.forward);
  app.use(securityHeaders);
  for (const router of options.operational ?? []) app.use(router);
  app.use(requireJsonBody);
  app.use(express.json({ limit: options.bodyLimit, type: ['application/json', 'application/*+json'] }));
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
