import { AppError } from '@qc/shared/http';
import type { ServiceArea } from './service-area';

export interface ServiceAreaCacheOptions {
  /** Builds a fresh snapshot from the database. */
  load: () => Promise<ServiceArea>;
  /** A snapshot younger than this is used as it is. */
  refreshMs: number;
  /** Called when a reload fails and the previous snapshot is kept. */
  onReloadFailed: (err: unknown) => void;
  now?: () => number;
}

/** After this many refresh periods without a request, the next one waits for a reload rather than use the old snapshot. */
const STALE_LIMIT_PERIODS = 4;
/** Reloads a waiting request runs while changes keep arriving, before it takes what it has. */
const MAX_RELOADS_PER_REQUEST = 3;

/**
 * The serviceability snapshot, kept in memory because every catalog request asks for it.
 *
 * - Changes made by this process (`invalidate`) are seen by the next request, which waits for a reload.
 * - Changes made by other replicas are seen within `refreshMs`: an older snapshot is still answered
 *   while one reload runs in the background; past `STALE_LIMIT_PERIODS` the request waits for it.
 * - If a reload fails (database down), the last snapshot keeps answering without waiting, and a
 *   reload is retried once per `refreshMs`: zones change rarely, and a slightly old answer beats no
 *   catalog. Only with no snapshot at all is the answer 503.
 */
export class ServiceAreaCache {
  private snapshot: ServiceArea | undefined;
  private loadedAt = 0;
  private failedAt = -Infinity;
  /** Bumped by every invalidation; a reload that started before the latest one does not count as fresh. */
  private generation = 0;
  private freshGeneration = -1;
  private reloading: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ServiceAreaCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Something the snapshot is built from changed (in this process). */
  invalidate(): void {
    this.generation++;
  }

  async current(): Promise<ServiceArea> {
    if (this.snapshot && this.freshGeneration === this.generation) {
      const now = this.now();
      const age = now - this.loadedAt;
      if (age <= this.options.refreshMs) return this.snapshot;
      // While the database is failing, nobody waits for it: the old snapshot answers, and one retry per period goes out.
      const failing = this.failedAt > this.loadedAt;
      if (age <= this.options.refreshMs * STALE_LIMIT_PERIODS || failing) {
        if (!failing || now - this.failedAt >= this.options.refreshMs) this.reload().catch(this.options.onReloadFailed);
        return this.snapshot;
      }
    }
    try {
      for (let i = 0; i < MAX_RELOADS_PER_REQUEST && (this.freshGeneration !== this.generation || !this.snapshot || i === 0); i++) {
        await this.reload();
      }
    } catch (err) {
      if (!this.snapshot) {
        throw new AppError('unavailable', 'SERVICE_AREA_UNAVAILABLE', 'Serviceability is unavailable right now', {
          retryAfterSeconds: 1,
          cause: err,
        });
      }
      this.options.onReloadFailed(err);
    }
    return this.snapshot!;
  }

  /** One reload at a time; callers that arrive meanwhile share it. */
  private reload(): Promise<void> {
    if (!this.reloading) {
      const generation = this.generation;
      const startedAt = this.now();
      this.reloading = Promise.resolve()
        .then(() => this.options.load())
        .then(
          (area) => {
            this.snapshot = area;
            this.loadedAt = startedAt;
            this.freshGeneration = generation;
          },
          (err: unknown) => {
            this.failedAt = this.now();
            throw err;
          },
        )
        .finally(() => {
          this.reloading = undefined;
        });
    }
    return this.reloading;
  }
}
