import cors from 'cors';
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import { accessLog } from './access-log';
import { errorHandler, notFoundHandler } from './error-handler';
import { requestContext, requireJsonBody } from './middleware';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  bodyLimit: string;
  /** Allowed browser origins; none configured means no cross-origin access. */
  corsOrigins?: string[] | undefined;
  /** Routers mounted before the body parser (health, metrics, docs): they never read a body. */
  operational?: Router[];
  /** Verifies the access token a request carries (sets `req.principal`); runs before the routes. */
  authenticate?: RequestHandler;
  /** The service's own routes. */
  routes: Router[];
}

/**
 * The standard chain every service shares, in order: request id and context, access log, metrics,
 * security headers, CORS, content-type check, body limit, authentication, routes, 404, error handler.
 * It never listens: main.ts does.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback, uniquelocal');

  app.use(requestContext);
  app.use(accessLog(options.logger));
  app.use(options.metrics.httpMiddleware());
  app.use(helmet());
  app.use(cors({ origin: options.corsOrigins ?? false }));
  for (const router of options.operational ?? []) app.use(router);
  app.use(requireJsonBody);
  app.use(express.json({ limit: options.bodyLimit, type: ['application/json', 'application/*+json'] }));
  if (options.authenticate) app.use(options.authenticate);
  for (const router of options.routes) app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler(options.logger, () => options.metrics.unhandledErrors.inc()));
  return app;
}
