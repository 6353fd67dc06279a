/**
 * The live wait for a free delivery partner at each store, as delivery-service publishes it (a
 * Redis hash, store id → `{"minutes", "at"}`). Read at most once per `refreshMs`, in the
 * background: a request never waits for Redis, and while Redis is away the last values answer
 * until they are older than `maxAgeMs`. A store without a fresh value gets the configured constant.
 */
export interface PartnerWaitsOptions {
  /** Reads the published hash. */
  read: () => Promise<Record<string, string>>;
  refreshMs: number;
  /** A value older than this (delivery-service stopped publishing) is not used. */
  maxAgeMs: number;
  onReadFailed: (err: unknown) => void;
  now?: () => number;
}

export class PartnerWaits {
  private waits = new Map<string, { minutes: number; at: number }>();
  private readAt = -Infinity;
  private reading: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PartnerWaitsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Minutes of wait at the store now, or undefined when delivery-service has not said lately. */
  minutesAt(storeId: string): number | undefined {
    this.refreshIfDue();
    const wait = this.waits.get(storeId);
    return wait && this.now() - wait.at <= this.options.maxAgeMs ? wait.minutes : undefined;
  }

  /** Reads the hash now (tests, and the first request's background read). */
  async refresh(): Promise<void> {
    this.readAt = this.now();
    try {
      const next = new Map<string, { minutes: number; at: number }>();
      for (const [storeId, json] of Object.entries(await this.options.read())) {
        const value = parseWait(json);
        if (value) next.set(storeId, value);
      }
      this.waits = next;
    } catch (err) {
      this.options.onReadFailed(err);
    }
  }

  private refreshIfDue(): void {
    if (this.reading || this.now() - this.readAt < this.options.refreshMs) return;
    this.reading = this.refresh().finally(() => (this.reading = undefined));
  }
}

function parseWait(json: string): { minutes: number; at: number } | undefined {
  try {
    const { minutes, at } = JSON.parse(json) as { minutes?: unknown; at?: unknown };
    if (typeof minutes === 'number' && Number.isFinite(minutes) && minutes >= 0 && typeof at === 'number') return { minutes, at };
  } catch {
    // an unreadable entry counts as none
  }
  return undefined;
}
