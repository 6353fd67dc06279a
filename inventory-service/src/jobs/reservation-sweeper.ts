import type { Outbox } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import { expireDueReservations } from '../domain/reservations';

export interface SweeperOptions {
  outbox: Outbox;
  logger: Logger;
  intervalMs: number;
  batchSize: number;
}

/**
 * Expires unpaid reservations on an interval. Any number of replicas may sweep at once: each
 * batch is claimed with `FOR UPDATE SKIP LOCKED`, so they split the due reservations between them.
 * A failed sweep (a deadlock, the database away) is logged and tried again at the next tick.
 */
export class ReservationSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: SweeperOptions) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.options.logger.error({ err }, 'reservation sweep failed'))
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
  }

  /** Stops the interval and waits for a sweep in progress, so its transaction ends before the pool closes. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Expires every reservation due now, a batch per transaction; returns how many expired. A short
   * batch does not mean the end: another replica may hold some of this batch's candidates, so only
   * a batch that expires nothing does.
   */
  async sweep(now: Date = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.options.outbox.transaction((tx, emit) => expireDueReservations(tx, emit, now, this.options.batchSize));
      if (expired === 0) break;
      total += expired;
    }
    if (total > 0) this.options.logger.info({ expired: total }, 'reservations expired');
    return total;
  }
}
