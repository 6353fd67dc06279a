import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { logSparingly, type Logger } from '@qc/shared/logging';
import type { Redis } from '@qc/shared/redis';

/**
 * Adds a replica's hits to a window's shared count and answers the count and the window's time
 * left. The first hits of a window start its expiry, as rate-limit-redis does.
 */
const ADD_HITS = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {total, ttl}`;

type AddHits = (key: string, hits: number, windowMs: number) => Promise<[number, number]>;
const ADD_HITS_COMMAND = 'rateLimitAddHits';

/** One client's count in the current window, as this replica knows it. */
interface ClientWindow {
  /** The count every replica had reported when this one last synced, its own hits included. */
  shared: number;
  /** Hits counted here and not yet added to the shared count. */
  unsent: number;
  /** Hits on their way to Redis in the sync now running. */
  sending: number;
  resetTime: Date;
}

/** What the client has used of its window, as far as this replica knows. */
function infoOf(window: ClientWindow): ClientRateLimitInfo {
  return { totalHits: window.shared + window.sending + window.unsent, resetTime: window.resetTime };
}

export interface SyncedRedisStoreOptions {
  /** From createGatewayRedis, connected. */
  redis: Redis;
  /** Key prefix of the shared counts; every replica of one gateway must use the same. */
  prefix: string;
  /** How often this replica adds its hits to the shared counts and reads them back. */
  syncMs: number;
  logger: Logger;
}

/**
 * An express-rate-limit store that counts in memory and adds its counts to Redis every `syncMs`,
 * the way API gateways with a shared limit usually do (Kong's `sync_rate`, APISIX's delayed
 * synchronisation): asking Redis on every request cost the gateway more CPU than proxying the
 * request (bench/gateway). A request is checked against the shared count as of the last sync plus
 * this replica's hits since; a client can therefore pass the limit by what it sends to each replica
 * within one sync interval, after which every replica refuses it.
 *
 * Windows are fixed, started in Redis by a client's first hits, so every replica agrees on when
 * one resets. While Redis is down each replica goes on counting alone (a client gets the limit once
 * per replica) and the unsent hits are added when it is back: the limit loosens, it never lapses.
 */
export class SyncedRedisStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private readonly windows = new Map<string, ClientWindow>();
  private windowMs = 60_000;
  private readonly addHits: AddHits;
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | undefined;
  private readonly logFailure: (error: unknown) => void;

  constructor(private readonly options: SyncedRedisStoreOptions) {
    this.prefix = options.prefix;
    if (!(ADD_HITS_COMMAND in options.redis)) options.redis.defineCommand(ADD_HITS_COMMAND, { numberOfKeys: 1, lua: ADD_HITS });
    const redis = options.redis as unknown as Record<typeof ADD_HITS_COMMAND, AddHits>;
    this.addHits = (key, hits, windowMs) => redis[ADD_HITS_COMMAND](key, hits, windowMs);
    this.timer = setInterval(() => void this.sync(), options.syncMs).unref();
    this.logFailure = logSparingly((error: unknown) =>
      options.logger.warn({ err: error }, 'rate limit counts could not be shared through Redis; counting locally meanwhile'),
    );
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  increment(key: string): ClientRateLimitInfo {
    const window = this.current(key) ?? this.open(key);
    window.unsent++;
    return infoOf(window);
  }

  decrement(key: string): void {
    const window = this.current(key);
    if (window && window.unsent > 0) window.unsent--;
  }

  get(key: string): ClientRateLimitInfo | undefined {
    const window = this.current(key);
    return window && infoOf(window);
  }

  async resetKey(key: string): Promise<void> {
    this.windows.delete(key);
    await this.options.redis.del(`${this.prefix}${key}`);
  }

  /**
   * Adds every window's unsent hits to the shared counts and reads them back; runs every `syncMs`,
   * and once more at shutdown. Concurrent calls share one run.
   */
  sync(): Promise<void> {
    this.running ??= this.send().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the periodic sync and sends what is still unsent. */
  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sync();
  }

  /** The client's window, unless it has ended. */
  private current(key: string): ClientWindow | undefined {
    const window = this.windows.get(key);
    return window && window.resetTime.getTime() > Date.now() ? window : undefined;
  }

  private open(key: string): ClientWindow {
    const window: ClientWindow = { shared: 0, unsent: 0, sending: 0, resetTime: new Date(Date.now() + this.windowMs) };
    this.windows.set(key, window);
    return window;
  }

  private async send(): Promise<void> {
    const now = Date.now();
    const batch: Array<[string, ClientWindow]> = [];
    for (const [key, window] of this.windows) {
      if (window.resetTime.getTime() <= now) this.windows.delete(key);
      else if (window.unsent > 0) {
        window.sending = window.unsent;
        window.unsent = 0;
        batch.push([key, window]);
      }
    }
    if (batch.length === 0) return;
    // Issued in one tick: the auto-pipelining client sends them in one write.
    const results = await Promise.allSettled(
      batch.map(([key, window]) => this.addHits(`${this.prefix}${key}`, window.sending, this.windowMs)),
    );
    const answeredAt = Date.now();
    results.forEach((result, i) => {
      const [key, window] = batch[i]!;
      const sent = window.sending;
      window.sending = 0;
      if (result.status === 'rejected') {
        window.unsent += sent;
        return this.logFailure(result.reason);
      }
      // A window that ended meanwhile was replaced by a new one: the answer was about the old.
      if (this.windows.get(key) !== window) return;
      const [total, ttlMs] = result.value;
      window.shared = total;
      window.resetTime = new Date(answeredAt + ttlMs);
    });
  }
}
