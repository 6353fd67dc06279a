import CircuitBreaker from 'opossum';
import { AppError } from '../http/errors';
import { REQUEST_ID_HEADER } from '../http/middleware';
import { currentContext } from '../logging';
import { watchBreaker } from '../metrics';

export interface ServiceClientOptions {
  /** Name of the service called, for errors and the breaker's `upstream` label. */
  service: string;
  baseUrl: string;
  timeoutMs?: number;
  /** How long an open breaker waits before letting one trial call through. */
  resetTimeoutMs?: number;
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Opossum options every breaker in the fleet takes. No latency percentiles: a breaker reads its
 * stats on every failure to decide whether to open, and with percentiles that sorts every latency
 * of its 10 s window, blocking the event loop on each failed call while the breaker is still closed
 * at the start of an outage (`npm run bench:breaker` measures it); latencies are in the request
 * histograms. No snapshots: a timer that computes those stats every second for listeners
 * nobody adds.
 */
export const BREAKER_DEFAULTS = { rollingPercentilesEnabled: false, enableSnapshots: false } as const satisfies CircuitBreaker.Options;

/** A non-2xx answer that is the callee's verdict (4xx), not its failure; it never trips the breaker. */
export class UpstreamRejection extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`upstream answered ${status}`);
  }
}

/**
 * Typed HTTP calls to another service: a timeout on every call, an opossum breaker per callee,
 * and the current request id passed on. A callee that is down, slow or open-circuited becomes an
 * `unavailable` AppError (503 with Retry-After), so callers can degrade instead of hanging. The
 * breaker's state is in the process's `/metrics` as `circuit_breaker_state{upstream, instance}`
 * (the callee's name and origin) from construction until `shutdown`.
 */
export class ServiceClient {
  readonly breaker: CircuitBreaker<[string, CallOptions], unknown>;
  private readonly resetTimeoutMs: number;

  constructor(private readonly options: ServiceClientOptions) {
    this.resetTimeoutMs = options.resetTimeoutMs ?? 10_000;
    this.breaker = new CircuitBreaker((path: string, call: CallOptions) => this.send(path, call), {
      ...BREAKER_DEFAULTS,
      name: options.service,
      timeout: options.timeoutMs ?? 2_000,
      resetTimeout: this.resetTimeoutMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 5,
      errorFilter: (err) => err instanceof UpstreamRejection,
    });
    watchBreaker(this.breaker, { upstream: options.service, instance: new URL(options.baseUrl).origin });
  }

  async call<T>(path: string, call: CallOptions = {}): Promise<T> {
    try {
      return (await this.breaker.fire(path, call)) as T;
    } catch (err) {
      if (err instanceof UpstreamRejection) throw err;
      const open = this.breaker.opened;
      throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', `${this.options.service} is unavailable`, {
        retryAfterSeconds: open ? this.resetTimeoutMs / 1000 : 1,
        cause: err,
      });
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private async send(path: string, call: CallOptions): Promise<unknown> {
    const requestId = currentContext()?.requestId;
    const response = await fetch(new URL(path, this.options.baseUrl), {
      method: call.method ?? 'GET',
      headers: {
        accept: 'application/json',
        ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}),
        ...call.headers,
      },
      body: call.body !== undefined ? JSON.stringify(call.body) : null,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 2_000),
    });
    const body = response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text();
    if (response.status >= 500) throw new Error(`${this.options.service} answered ${response.status}`);
    if (!response.ok) throw new UpstreamRejection(response.status, body);
    return body;
  }
}
