import type { Express, Request, RequestHandler, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolUsage } from '../db';
import { circuitBreakerState } from './breakers';

export * from './breakers';

const MATCHED_ROUTE = Symbol('matchedRoute');
const ROUTE_TEMPLATE = Symbol('routeTemplate');
type TrackedRequest = Request & { [MATCHED_ROUTE]?: unknown; [ROUTE_TEMPLATE]?: string };
/**
 * Makes `app` keep, for each request, the template of the route that answers it
 * (`${req.baseUrl}${route.path}`), taken when the router assigns `req.route`: by the time the
 * response finishes, an error leaving a router mounted on a path has already restored
 * `req.baseUrl`. Called once, when the app is built: the accessor goes on the app's request
 * prototype. Defined on each request instead, it cost the gateway 130 µs of CPU per request
 * (bench/gateway), a third of what the proxying itself costs.
 */
export function trackRouteTemplates(app: Express): void {
  Object.defineProperty(app.request, 'route', {
    configurable: true,
    get(this: TrackedRequest) {
      return this[MATCHED_ROUTE];
    },
    set(this: TrackedRequest, route: { path?: unknown } | undefined) {
      this[MATCHED_ROUTE] = route;
      this[ROUTE_TEMPLATE] = typeof route?.path === 'string' ? `${this.baseUrl}${route.path}` : undefined;
    },
  });
}

/**
 * One Prometheus registry per process with the metrics DESIGN §8 names. Services and the gateway
 * add their own metrics to `registry`; the shared ones are created here so names never drift,
 * and the process's breakers (`circuit_breaker_state`, see watchBreaker) are exported with them.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly unhandledErrors = new Counter({
    name: 'unhandled_errors_total',
    help: 'Errors that reached the error handler without being an AppError (bugs)',
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'events_published_total',
    help: 'Events the outbox relay published, by result',
    labelNames: ['topic', 'result'] as const,
    registers: [this.registry],
  });

  readonly eventsConsumed = new Counter({
    name: 'events_consumed_total',
    help: 'Events consumed, by type and result (processed, duplicate, dead_lettered, retried)',
    labelNames: ['consumer', 'type', 'result'] as const,
    registers: [this.registry],
  });

  readonly outboxBacklog = new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox rows not yet published',
    registers: [this.registry],
  });

  readonly consumerLag = new Gauge({
    name: 'consumer_lag',
    help: 'Messages behind the partition high watermark, per topic and partition',
    labelNames: ['consumer', 'topic', 'partition'] as const,
    registers: [this.registry],
  });

  /** Set by watchPool; read at each scrape. */
  private readPool?: () => PoolUsage | undefined;

  readonly poolConnections = new Gauge({
    name: 'db_pool_connections',
    help: 'MySQL pool: connections in_use and idle, requests waiting for one, and its size (max)',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      const usage = this.readPool?.();
      if (!usage) return;
      this.poolConnections.set({ state: 'in_use' }, usage.inUse);
      this.poolConnections.set({ state: 'idle' }, usage.idle);
      this.poolConnections.set({ state: 'waiting' }, usage.waiting);
      this.poolConnections.set({ state: 'max' }, usage.max);
    },
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.registry.registerMetric(circuitBreakerState);
  }

  /** Exports the database pool's use (db_pool_connections), read from `read` at each scrape. */
  watchPool(read: () => PoolUsage | undefined): void {
    this.readPool = read;
  }

  /**
   * Records one answered request under its route template, never its raw path (bounded
   * cardinality): the template of the route that answered (see trackRouteTemplates), else the label
   * a proxy set in `res.locals.routeLabel`, else `unmatched`.
   */
  recordRequest(req: Request, res: Response, seconds: number): void {
    const route = (req as TrackedRequest)[ROUTE_TEMPLATE] ?? (res.locals.routeLabel as string | undefined) ?? 'unmatched';
    this.httpDuration.observe({ method: req.method, route, status_code: res.statusCode }, seconds);
  }

  handler(): RequestHandler {
    return async (_req, res) => {
      res.setHeader('Content-Type', this.registry.contentType);
      res.send(await this.registry.metrics());
    };
  }
}
