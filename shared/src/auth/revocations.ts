import type { Redis } from 'ioredis';
import { requireRedis } from '../redis';
import type { Logger } from 'pino';
import { MAX_ACCESS_TOKEN_SECONDS, type Principal } from './principal';

/** Sorted set of ended sessions (score: when the entry may be forgotten, ms) and its channel. */
const REVOCATIONS_KEY = 'auth:revocations';
const REVOCATIONS_CHANNEL = 'auth:revocations';
/** An access token outlives no revocation entry: tokens issued before it have expired by then. */
const KEEP_MS = (MAX_ACCESS_TOKEN_SECONDS + 60) * 1000;
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Ended sessions, checked on every authenticated request without a round trip: each process keeps
 * the list in memory, loads it from Redis at start and after every reconnect, and hears new
 * entries on a pub/sub channel within milliseconds of user-service writing them. An entry lives as
 * long as the longest access token, after which the tokens it stops have expired on their own.
 * Logout, a reused refresh token, a password change, a role change and disabling an account all
 * end sessions, so one kind of entry covers them all.
 */
export class RevocationList {
  private readonly sessions = new Map<string, number>();
  private subscriber: Redis | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  /** Subscribes, then loads what is already revoked; resolves when the list is current. */
  async start(): Promise<void> {
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, sessionId: string) => this.sessions.set(sessionId, Date.now() + KEEP_MS));
    // Messages published while disconnected are lost; reloading the set on every reconnect covers them.
    subscriber.on('ready', () => void this.reload().catch((err: unknown) => this.logger.warn({ err }, 'revocation list reload failed')));
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    await subscriber.subscribe(this.channel);
    await this.reload();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.subscriber?.quit().catch(() => undefined);
  }

  isRevoked(principal: Pick<Principal, 'sessionId'>): boolean {
    return this.sessions.has(principal.sessionId);
  }

  /** Stops the access tokens of these sessions everywhere. */
  async revokeSessions(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const now = Date.now();
    for (const id of sessionIds) this.sessions.set(id, now + KEEP_MS);
    const transaction = this.redis.multi().zremrangebyscore(REVOCATIONS_KEY, '-inf', now);
    for (const id of sessionIds) transaction.zadd(REVOCATIONS_KEY, now + KEEP_MS, id).publish(this.channel, id);
    await requireRedis(transaction.exec(), 'Ending sessions');
  }

  /** ioredis prefixes keys, not channels: a fleet under REDIS_KEY_PREFIX hears only its own ended sessions. */
  private get channel(): string {
    return `${this.redis.options.keyPrefix ?? ''}${REVOCATIONS_CHANNEL}`;
  }

  private async reload(): Promise<void> {
    const entries = await this.redis.zrangebyscore(REVOCATIONS_KEY, Date.now(), '+inf', 'WITHSCORES');
    for (let i = 0; i < entries.length; i += 2) this.sessions.set(entries[i]!, Number(entries[i + 1]));
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, forgetAt] of this.sessions) if (forgetAt < now) this.sessions.delete(id);
  }
}
