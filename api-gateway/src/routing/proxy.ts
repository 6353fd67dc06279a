import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { markRelayed } from '@qc/shared/http';
import type { OfferResponse } from '../response-cache';

/** The instance answered 5xx: that answer goes to the client as it is, and counts against the instance. */
export class UpstreamFailedResponse extends Error {
  constructor(readonly status: number) {
    super(`upstream answered ${status}`);
  }
}

/** The client left before the instance answered: nobody to answer, and nothing wrong with the instance. */
export class ClientGone extends Error {
  constructor() {
    super('client closed the connection');
  }
}

/** A body sent without Content-Length grew past the limit while it was being streamed. */
export class StreamedBodyTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body is larger than ${limitBytes} bytes`);
  }
}

/**
 * Headers that describe the client's connection to the gateway, not the gateway's to the service.
 * Forwarded, a client's `Connection: close` would close a pooled upstream socket on every request.
 * Names listed inside `Connection` are deliberately not removed: a client could list
 * `x-forwarded-for` there to strip what the gateway adds.
 */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'proxy-authorization'] as const;

/** One forwarded request, from the proxy being called to the upstream's response headers. */
class Exchange {
  proxyRequest: ClientRequest | undefined;
  /** Given up on (it timed out): whatever the upstream still does is discarded. */
  abandoned = false;
  private settled = false;

  constructor(
    private readonly resolve: () => void,
    private readonly reject: (error: Error) => void,
    private readonly forget: () => void,
  ) {}

  settle(error?: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.forget();
    if (error) this.reject(error);
    else this.resolve();
  }
}

export interface UpstreamProxyOptions {
  /** Keep-alive agent shared by every upstream, so connections are reused rather than opened per request. */
  agent: Agent;
  /** Largest body accepted when the client streams it without Content-Length. */
  bodyLimitBytes: number;
}

/**
 * Streams requests to one upstream instance with http-proxy-middleware: bodies are piped, never
 * parsed, and paths are forwarded unchanged. `forward` settles when the instance's response
 * headers arrive (the body then streams on, so server-sent events are not cut), which is what the
 * instance's breaker and timeout measure.
 */
export class UpstreamProxy {
  private readonly exchanges = new WeakMap<IncomingMessage, Exchange>();
  private readonly proxy;

  constructor(
    readonly target: URL,
    private readonly options: UpstreamProxyOptions,
  ) {
    this.proxy = createProxyMiddleware<Request, Response>({
      // A URL object, not a string: a string target is parsed again on every request.
      target,
      agent: options.agent,
      // The default plugins answer failures in plain text, and build a URL per response only to
      // log it. Ejected, with this one plugin instead: failures go to the breaker and then to the
      // error envelope. (Ejecting also drops the `on` option, hence a plugin.)
      ejectPlugins: true,
      plugins: [
        (server) => {
          server.on('proxyReq', (proxyRequest, req) => this.onRequestSent(proxyRequest, req));
          server.on('proxyRes', (proxyResponse, req) => this.onResponseHeaders(proxyResponse, req));
          server.on('error', (error, req) => req && this.exchanges.get(req)?.settle(error));
          server.on('econnreset', (_error, req) => this.exchanges.get(req)?.settle(new ClientGone()));
        },
      ],
    });
  }

  /** Resolves when the instance's response headers arrive with a status below 500; rejects otherwise. */
  forward(req: Request, res: Response): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const exchange = new Exchange(resolve, reject, () => this.exchanges.delete(req));
      this.exchanges.set(req, exchange);
      addForwardingHeaders(req);
      void this.proxy(req, res, (error) => exchange.settle(error instanceof Error ? error : new Error(String(error))));
    });
  }

  /** Stops waiting for `req`'s upstream (its deadline passed): the upstream request is aborted. */
  abandon(req: Request): void {
    const exchange = this.exchanges.get(req);
    if (!exchange) return;
    exchange.abandoned = true;
    exchange.proxyRequest?.destroy();
  }

  private onRequestSent(proxyRequest: ClientRequest, req: Request): void {
    const exchange = this.exchanges.get(req);
    if (!exchange) return;
    if (exchange.abandoned) return void proxyRequest.destroy();
    exchange.proxyRequest = proxyRequest;
    // httpxy asks for `Connection: close` when a body is chunked (so a confused framing cannot
    // poison a pooled socket); leave that one in place.
    const chunked = req.headers['transfer-encoding'] !== undefined;
    for (const name of HOP_BY_HOP) {
      if (req.headers[name] !== undefined && !(chunked && name === 'connection')) proxyRequest.removeHeader(name);
    }
    // Content-Length was checked before forwarding; a body without one is counted as it streams.
    // This runs in the same tick as the proxy's pipe, so the counter sees every chunk.
    if (chunked && req.headers['content-length'] === undefined) this.limitStreamedBody(req, proxyRequest);
  }

  private onResponseHeaders(proxyResponse: IncomingMessage, req: Request): void {
    const exchange = this.exchanges.get(req);
    if (!exchange) return;
    if (exchange.abandoned) return void proxyResponse.destroy();
    // The upstream's keep-alive hint is about the gateway's pooled socket, not the client's
    // connection, which the gateway's own server times out. The proxy skips undefined headers;
    // `delete` would put the headers object in V8's slow dictionary mode for the copy that follows.
    if (proxyResponse.headers['keep-alive'] !== undefined) proxyResponse.headers['keep-alive'] = undefined;
    const res = req.res!;
    markRelayed(res);
    (res.locals.offerResponse as OfferResponse | undefined)?.(proxyResponse);
    const status = proxyResponse.statusCode ?? 502;
    exchange.settle(status >= 500 ? new UpstreamFailedResponse(status) : undefined);
  }

  private limitStreamedBody(req: Request, proxyRequest: ClientRequest): void {
    const limit = this.options.bodyLimitBytes;
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) return;
      req.off('data', count);
      proxyRequest.destroy(new StreamedBodyTooLarge(limit));
    };
    req.on('data', count);
  }
}

/**
 * `X-Forwarded-For` gets the address the gateway saw appended, never replaced, so a service that
 * trusts the gateway reads the real client whatever the client wrote before it. `X-Forwarded-Proto`
 * is what the client used. `Expect` is dropped because Node already answered `100 Continue`.
 */
function addForwardingHeaders(req: Request): void {
  const client = req.socket.remoteAddress;
  if (client) {
    const earlier = req.headers['x-forwarded-for'];
    req.headers['x-forwarded-for'] = earlier ? `${earlier}, ${client}` : client;
  }
  req.headers['x-forwarded-proto'] = req.protocol;
  if (req.headers.expect !== undefined) delete req.headers.expect;
}
