import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import CachePolicy from 'http-cache-semantics';
import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';
import type { Metrics } from '@qc/shared/metrics';

/** What the proxy calls with a service's response headers when the request may be answered from cache later. */
export type OfferResponse = (upstream: IncomingMessage) => void;

interface Entry {
  policy: CachePolicy;
  body: Buffer;
}

export interface ResponseCacheOptions {
  /** Memory the cached bodies may take; the least recently used go first. */
  maxBytes: number;
  /** Longest an answer is reused, whatever its `max-age`: bounds how stale a catalog page can be. */
  maxTtlMs: number;
  metrics: Metrics;
}

/** A single answer larger than this is not kept: one big page must not push out hundreds of small ones. */
const MAX_ENTRY_FRACTION = 0.05;
/** Headers of the stored answer that belong to the request that fetched it, not to later ones. */
const PER_REQUEST_HEADERS = ['x-request-id', 'set-cookie'];

/**
 * Whether an answer says anything a cache could take freshness from: without Cache-Control,
 * Expires and Last-Modified (for heuristic freshness) its time to live is 0 whatever else it says.
 * Checked first because most answers are like that, and parsing their policy cost 2 % of the
 * gateway's CPU (bench/gateway).
 */
function mayBeFresh({ headers }: IncomingMessage): boolean {
  return headers['cache-control'] !== undefined || headers.expires !== undefined || headers['last-modified'] !== undefined;
}

/** What http-cache-semantics reads of a request: method, URL and headers (for `Vary`). */
function policyRequest(req: Request): CachePolicy.Request {
  return { method: req.method, url: req.originalUrl, headers: req.headers };
}

/**
 * A shared HTTP cache in the gateway, in memory, for public answers (the catalog's `Cache-Control:
 * public, max-age=30`): what an edge cache in front of the services would do, so a hot catalog
 * page is answered without a trip to product-service. HTTP's rules decide (http-cache-semantics,
 * as a shared cache): only GET/HEAD without `Authorization`, only 200s the service marked
 * storable, reused while fresh and while `Vary` matches, never longer than `maxTtlMs`. Answers
 * with live stock are `private, no-cache` and never kept. A client's `If-None-Match` matching the
 * kept `ETag` gets 304. Token check, rate limit and role rule have already run: a hit skips only
 * the trip to the service.
 */
export class ResponseCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly maxEntryBytes: number;
  private readonly lookups: Counter<'result'>;

  constructor(private readonly options: ResponseCacheOptions) {
    this.maxEntryBytes = Math.floor(options.maxBytes * MAX_ENTRY_FRACTION);
    this.entries = new LRUCache({ maxSize: options.maxBytes, sizeCalculation: (entry) => entry.body.length || 1 });
    this.lookups = new Counter({
      name: 'gateway_response_cache_lookups_total',
      help: 'Cacheable requests by whether the gateway answered them from its cache',
      labelNames: ['result'],
      registers: [options.metrics.registry],
    });
  }

  /**
   * Answers a fresh cached response; on a miss, leaves `res.locals.offerResponse` for the proxy to
   * call with the service's response headers.
   */
  serve(): RequestHandler {
    const hit = this.lookups.labels('hit');
    const miss = this.lookups.labels('miss');
    return (req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.authorization !== undefined) return next();
      const entry = this.entries.get(req.originalUrl);
      if (!entry || !entry.policy.satisfiesWithoutRevalidation(policyRequest(req))) {
        miss.inc();
        const offer: OfferResponse = (upstream) => this.offer(req, upstream);
        res.locals.offerResponse = offer;
        return next();
      }
      hit.inc();
      const headers = entry.policy.responseHeaders();
      for (const name of PER_REQUEST_HEADERS) delete headers[name];
      const etag = headers.etag;
      if (etag !== undefined && req.headers['if-none-match'] === etag) {
        delete headers['content-length'];
        return void res.writeHead(304, headers).end();
      }
      res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : entry.body);
    };
  }

  /** Called with the service's response headers: keeps the answer, once read whole, when HTTP allows. */
  private offer(req: Request, upstream: IncomingMessage): void {
    if (upstream.statusCode !== 200 || req.method !== 'GET' || !mayBeFresh(upstream)) return;
    const policy = new CachePolicy(policyRequest(req), { status: 200, headers: upstream.headers }, { shared: true });
    const ttl = Math.min(policy.timeToLive(), this.options.maxTtlMs);
    if (!policy.storable() || ttl <= 0 || Number(upstream.headers['content-length'] ?? 0) > this.maxEntryBytes) return;
    const chunks: Buffer[] = [];
    let size = 0;
    // A second reader of the stream the proxy pipes to the client: both see every chunk.
    upstream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= this.maxEntryBytes) chunks.push(chunk);
    });
    upstream.once('end', () => {
      if (!upstream.complete || size > this.maxEntryBytes) return;
      this.entries.set(req.originalUrl, { policy, body: Buffer.concat(chunks, size) }, { ttl });
    });
  }
}
