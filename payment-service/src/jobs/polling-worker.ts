import type { Logger } from '@qc/shared/logging';
import type { BackgroundJob } from '@qc/shared/service';

export interface PollingWorkerOptions {
  name: string;
  logger: Logger;
  intervalMs: number;
  /** One round of work; returns how many items it handled. Rounds repeat while they find work. */
  round: () => Promise<number>;
}

/**
 * Runs a round of work on an interval and whenever woken (right after something was stored for
 * it), one round at a time. A failed round is logged and tried again at the next tick. Any number
 * of replicas may run it: the rounds claim their rows (SKIP LOCKED, conditional updates).
 */
export class PollingWorker implements BackgroundJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly options: PollingWorkerOptions) {}

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => this.wake(), this.options.intervalMs);
    this.wake();
  }

  /** Runs a round now, or right after the one in progress. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.options.round()) > 0);
      } catch (err) {
        this.options.logger.error({ err, worker: this.options.name }, 'worker round failed');
      }
    } while (this.again && !this.stopped);
  }
}
