import type { Logger } from '@qc/shared/logging';
import type { Redis } from '@qc/shared/redis';
import type { DeliveryContext } from '../domain/context';
import { withdrawUnansweredOffers } from '../domain/deliveries';
import { publishWaits, serveAllQueues } from '../domain/dispatch';

export interface DispatcherOptions {
  ctx: DeliveryContext;
  redis: Redis;
  logger: Logger;
  intervalMs: number;
}

/**
 * On an interval: withdraws offers nobody accepted in time, serves every store's queue (the retry
 * behind the assignments made as partners free up), and publishes each store's partner wait. Any
 * number of replicas may run it: each step takes the store's lock. A failed round is logged and
 * the next tick tries again.
 */
export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: DispatcherOptions) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.round()
        .catch((err: unknown) => this.options.logger.error({ err }, 'dispatch round failed'))
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
  }

  /** Stops the interval and waits for a round in progress, so its transactions end before the pool closes. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async round(): Promise<void> {
    const { ctx, redis, logger } = this.options;
    const withdrawn = await withdrawUnansweredOffers(ctx);
    const offered = await serveAllQueues(ctx);
    await publishWaits(ctx, redis);
    if (withdrawn > 0 || offered > 0) logger.info({ withdrawn, offered }, 'dispatch round');
  }
}
