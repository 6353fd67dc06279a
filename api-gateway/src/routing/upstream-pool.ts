import type { Request, Response } from 'express';
import CircuitBreaker from 'opossum';
import { BREAKER_DEFAULTS } from '@qc/shared/clients';
import { circuitStateOf, type CircuitState } from '@qc/shared/metrics';
import { ClientGone, StreamedBodyTooLarge, type UpstreamProxy } from './proxy';

export interface BreakerSettings {
  /** Deadline for the instance's response headers. */
  timeoutMs: number;
  /** How long the breaker stays open before one trial request may go through. */
  resetMs: number;
  errorPercent: number;
  /** Requests in the rolling window before the breaker may open at all. */
  volume: number;
}

/** Opossum's options for one instance's breaker, on the fleet's defaults (BREAKER_DEFAULTS). */
export function breakerOptions(name: string, settings: BreakerSettings): CircuitBreaker.Options {
  return {
    ...BREAKER_DEFAULTS,
    name,
    timeout: settings.timeoutMs,
    resetTimeout: settings.resetMs,
    errorThresholdPercentage: settings.errorPercent,
    volumeThreshold: settings.volume,
    // The client leaving or sending too much says nothing about the instance's health.
    errorFilter: (error: Error) => error instanceof ClientGone || error instanceof StreamedBodyTooLarge,
  };
}

/**
 * One instance of a service behind its own breaker, so a dead instance is taken out of the
 * rotation while its siblings keep serving.
 */
export class UpstreamInstance {
  readonly breaker: CircuitBreaker<[Request, Response], void>;
  private openedAt = 0;

  constructor(
    readonly service: string,
    private readonly proxy: UpstreamProxy,
    private readonly settings: BreakerSettings,
  ) {
    this.breaker = new CircuitBreaker(
      (req: Request, res: Response) => proxy.forward(req, res),
      breakerOptions(`${service} ${proxy.target.origin}`, settings),
    );
    this.breaker.on('open', () => (this.openedAt = Date.now()));
  }

  get url(): string {
    return this.proxy.target.origin;
  }

  get state(): CircuitState {
    return circuitStateOf(this.breaker);
  }

  /** Closed, or half-open with its single trial request not yet taken. */
  get accepting(): boolean {
    return this.breaker.closed || this.breaker.pendingClose;
  }

  /** Whole seconds until an open breaker lets its trial through (at least 1, as `Retry-After` wants). */
  secondsUntilTrial(): number {
    return Math.max(1, Math.ceil((this.openedAt + this.settings.resetMs - Date.now()) / 1000));
  }

  /** Forwards through the breaker; on the deadline the upstream request is aborted, not left running. */
  async forward(req: Request, res: Response): Promise<void> {
    try {
      await this.breaker.fire(req, res);
    } catch (error) {
      if (isBreakerError(error, 'ETIMEDOUT')) this.proxy.abandon(req);
      throw error;
    }
  }

  close(): void {
    this.breaker.shutdown();
  }
}

/** Opossum's own rejections carry a code: `EOPENBREAKER` (open) and `ETIMEDOUT` (deadline passed). */
export function isBreakerError(error: unknown, code: 'EOPENBREAKER' | 'ETIMEDOUT'): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/** The instances of one service, taken in turn (round-robin), skipping those whose breaker is open. */
export class UpstreamPool {
  private next = 0;

  constructor(
    readonly service: string,
    readonly instances: readonly UpstreamInstance[],
  ) {}

  /** The next instance that accepts a request, or undefined when every breaker is open. */
  pick(): UpstreamInstance | undefined {
    const count = this.instances.length;
    for (let step = 0; step < count; step++) {
      const index = (this.next + step) % count;
      const instance = this.instances[index]!;
      if (instance.accepting) {
        this.next = (index + 1) % count;
        return instance;
      }
    }
    return undefined;
  }

  /** When the first instance of this service will take a trial request again. */
  secondsUntilTrial(): number {
    return Math.min(...this.instances.map((instance) => instance.secondsUntilTrial()));
  }

  close(): void {
    for (const instance of this.instances) instance.close();
  }
}
