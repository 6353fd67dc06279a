import type { Queryable } from '@qc/shared/db';
import type { Logger } from '@qc/shared/logging';
import { PeriodicJob, type BackgroundJob } from '@qc/shared/service';
import { insertTrail, type TrailPoint } from '../data/trail.repository';
import type { TrailSink } from '../domain/context';

/** Points held while MySQL is failing; past this the oldest are dropped (the trail is a record, not the live position). */
const MAX_HELD = 50_000;
/** Rows per INSERT. */
const BATCH = 1_000;

/**
 * Writes reported positions to the trail in batches, every `intervalMs` (the shared `PeriodicJob`):
 * one INSERT for many riders' reports instead of one per report. Points not yet written when a
 * process dies are lost (at most one interval's worth); the live position is in Redis meanwhile.
 */
export class TrailWriter implements TrailSink, BackgroundJob {
  private held: TrailPoint[] = [];
  private readonly job: PeriodicJob;

  constructor(
    private readonly db: Queryable,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    this.job = new PeriodicJob({ name: 'position-trail', logger, intervalMs, round: () => this.flush() });
  }

  add(point: TrailPoint): void {
    this.held.push(point);
    if (this.held.length > MAX_HELD) this.held.splice(0, this.held.length - MAX_HELD);
  }

  start(): void {
    this.job.start();
  }

  /** Stops the interval, waits for a flush in progress, then writes what is still held. */
  async stop(): Promise<void> {
    await this.job.stop();
    await this.flush();
  }

  /** Writes what is held; on failure keeps it for the next round. */
  async flush(): Promise<void> {
    while (this.held.length > 0) {
      const batch = this.held.splice(0, BATCH);
      try {
        await insertTrail(this.db, batch);
      } catch (err) {
        this.held.unshift(...batch);
        this.logger.warn({ err, held: this.held.length }, 'position trail not written; retrying');
        return;
      }
    }
  }
}
