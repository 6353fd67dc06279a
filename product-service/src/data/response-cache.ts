import { createHash } from 'node:crypto';
import type { Logger } from '@qc/shared/logging';
import type { Redis } from '@qc/shared/redis';

/** A serialised response body and its strong ETag, computed once when the entry is filled. */
export interface CachedBody {
  body: string;
  etag: string;
}

export function cachedBody(value: unknown): CachedBody {
  const body = JSON.stringify(value);
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/**
 * Catalog reads cached in Redis under a generation number. A write bumps the generation (one INCR),
 * which every replica sees on its next read, so nothing has to find and delete keys; entries of old
 * generations simply expire. Redis trouble never fails a read: the caller falls back to MySQL.
 */
export class ResponseCache {
  private readonly generationKey: string;
  private failing = false;

  constructor(
    private readonly redis: Redis,
    /** Distinguishes deployments sharing one Redis (each catalog schema has its own cache). */
    private readonly namespace: string,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
    private readonly timeoutMs = 250,
  ) {
    this.generationKey = `${namespace}:generation`;
  }

  /** The cached body for `key`, or a miss with `fill` to store it once it is computed. */
  async read(key: string): Promise<{ hit: CachedBody } | { hit: undefined; fill: (entry: CachedBody) => void }> {
    try {
      const generation = (await this.withTimeout(this.redis.get(this.generationKey))) ?? '0';
      const entryKey = `${this.namespace}:g${generation}:${createHash('sha1').update(key).digest('base64url')}`;
      const stored = await this.withTimeout(this.redis.get(entryKey));
      this.recovered();
      if (stored) return { hit: JSON.parse(stored) as CachedBody };
      return {
        hit: undefined,
        fill: (entry) =>
          void this.redis.set(entryKey, JSON.stringify(entry), 'EX', this.ttlSeconds).then(
            () => undefined,
            (err: unknown) => this.failed(err),
          ),
      };
    } catch (err) {
      this.failed(err);
      return { hit: undefined, fill: () => undefined };
    }
  }

  /** Makes every cached read stale, on every replica. */
  async invalidate(): Promise<void> {
    try {
      await this.withTimeout(this.redis.incr(this.generationKey));
      this.recovered();
    } catch (err) {
      this.failed(err, 'catalog cache not invalidated; cached reads stay stale until their TTL');
    }
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  /** Logs the start of an outage once, not once per request. */
  private failed(err: unknown, message = 'catalog cache unavailable; reading from MySQL'): void {
    if (this.failing && message.startsWith('catalog cache unavailable')) return;
    this.failing = true;
    this.logger.warn({ err }, message);
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.info('catalog cache available again');
  }
}
