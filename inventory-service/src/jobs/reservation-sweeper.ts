import type { Outbox } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import { PeriodicJob, type BackgroundJob } from '@qc/shared/service';
import { expireDueReservations } from '../domain/reservations';

export interface SweeperOptions {
  outbox: Outbox;
  logger: Logger;
  intervalMs: number;
  batchSize: number;
}

/**
 * Expires unpaid reservations on an interval (the shared `PeriodicJob`: the first sweep at the first
 * tick, one at a time, a failed one logged and tried again at the next). Any number of replicas may
 * sweep at once: each batch is claimed with `FOR UPDATE SKIP LOCKED`, so they split the due
 * reservations between them.
 */
export class ReservationSweeper implements BackgroundJob {
  private readonly job: PeriodicJob;

  constructor(private readonly options: SweeperOptions) {
    this.job = new PeriodicJob({
      name: 'reservation-sweeper',
      logger: options.logger,
      intervalMs: options.intervalMs,
      // A sweep runs until a batch expires nothing, so a tick's one sweep drains what is due.
      round: async () => void (await this.sweep()),
    });
  }

  start(): void {
    this.job.start();
  }

  /** Stops the interval and waits for a sweep in progress, so its transaction ends before the pool closes. */
  stop(): Promise<void> {
    return this.job.stop();
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
