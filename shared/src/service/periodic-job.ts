import type { Logger } from '../logging';
import type { BackgroundJob } from './index';

export interface PeriodicJobOptions {
  /** Names the job in its logs (the `job` field). */
  name: string;
  logger: Logger;
  /** Time between ticks. A tick that finds a round running starts nothing: the next tick comes anyway. */
  intervalMs: number;
  /**
   * One round of work. A round that reports a positive count (rows claimed, events applied) is
   * followed at once by another, so a backlog drains a batch at a time without waiting a tick per
   * batch; a round that reports 0, or nothing, waits for the next tick or `wake`.
   */
  round: () => Promise<number | void>;
  /**
   * Runs a round as soon as the job starts, for work left while the process was down. Off, the first
   * round comes at the first tick (a test can park a job by giving it an interval longer than itself).
   */
  roundAtStart?: boolean;
}

/**
 * The platform's one periodic loop, behind every sweeper, worker and writer a service runs on its
 * own schedule: runs `round` every `intervalMs` and whenever woken, one round at a time. `wake`
 * during a round asks for another right after it, so whatever was stored meanwhile is not left to
 * the next tick. A failed round (a deadlock, the database away) is logged and the next tick tries
 * again. `stop` ends the ticks and waits for the round in progress (not for the rest of a backlog),
 * so its transaction ends before the pools close. Any number of replicas may run the same job as
 * long as its rounds claim their rows (`SKIP LOCKED`, conditional updates).
 */
export class PeriodicJob implements BackgroundJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly options: PeriodicJobOptions) {}

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => {
      if (!this.running) this.wake();
    }, this.options.intervalMs);
    if (this.options.roundAtStart) this.wake();
  }

  /** Runs a round now, or right after the one in progress; nothing once stopped. */
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
    const { round, logger, name } = this.options;
    do {
      this.again = false;
      try {
        while (!this.stopped && ((await round()) ?? 0) > 0);
      } catch (err) {
        logger.error({ err, job: name }, `${name} round failed`);
      }
    } while (this.again && !this.stopped);
  }
}
