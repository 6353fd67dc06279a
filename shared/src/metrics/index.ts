import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per process with the metrics DESIGN §8 names. Services and the gateway
 * add their own metrics to `registry`; the shared ones are created here so names never drift.
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

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Times every request; the label is the route template, never the raw path (bounded cardinality). */
  httpMiddleware(): RequestHandler {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      // The template is taken when the router matches the route: by the time the response
      // finishes, an error leaving a router mounted on a path has already restored req.baseUrl.
      let template: string | undefined;
      let matched: unknown;
      Object.defineProperty(req, 'route', {
        configurable: true,
        enumerable: true,
        get: () => matched,
        set: (route: { path?: unknown } | undefined) => {
          matched = route;
          template = typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : undefined;
        },
      });
      res.once('finish', () => {
        const route = template ?? res.locals.routeLabel ?? 'unmatched';
        end({ method: req.method, route, status_code: res.statusCode });
      });
      next();
    };
  }

  handler(): RequestHandler {
    return async (_req, res) => {
      res.setHeader('Content-Type', this.registry.contentType);
      res.send(await this.registry.metrics());
    };
  }
}
