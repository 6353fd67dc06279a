import type { Redis } from '@qc/shared/redis';

/** How long a delivery's tracking log is kept after its last event. */
const LOG_TTL_SECONDS = 24 * 60 * 60;

/**
 * Appends to the delivery's log (a Redis stream, capped), refreshes its expiry and publishes the
 * entry with its id on the delivery's channel, in one step: a subscriber never sees an event the
 * log lacks, and the stream id is the SSE event id a client resumes from. With a second key (the
 * announcement's once-key), an entry whose key is already set is dropped: told once, however often
 * it is retried.
 */
const APPEND_AND_PUBLISH = `
if KEYS[2] and not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[4]) then return false end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'event', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[1], id .. ' ' .. ARGV[2])
return id`;

/** The channel message that ends a partner's streams of an order (a stream id never starts so). */
export const REVOKE = 'revoke ';

export interface LoggedEvent {
  id: string;
  /** The event's JSON, as appended. */
  json: string;
}

/**
 * Each delivery's tracking events (status changes, positions): a capped Redis stream per order for
 * reconnecting clients, and a pub/sub channel per order for every instance holding its streams.
 * ioredis prefixes keys but not channels, so channels get the prefix here.
 */
export class TrackingLog {
  private readonly channelPrefix: string;

  constructor(
    private readonly redis: Redis,
    private readonly historyLength: number,
  ) {
    this.channelPrefix = `${redis.options.keyPrefix ?? ''}delivery:tracking:`;
  }

  channelOf(orderId: string): string {
    return `${this.channelPrefix}${orderId}`;
  }

  /** The order a channel belongs to. */
  orderOf(channel: string): string {
    return channel.slice(this.channelPrefix.length);
  }

  /**
   * Appends the event to the order's log and publishes it. With `onceId` (the id of the fact it
   * tells), an event already appended under that id is not appended again: null.
   */
  async append(orderId: string, json: string, onceId?: string): Promise<string | null> {
    const keys = [`delivery:tracking:${orderId}`, ...(onceId ? [`delivery:tracking:told:${onceId}`] : [])];
    const args = [this.channelOf(orderId), json, this.historyLength, LOG_TTL_SECONDS];
    return (await this.redis.eval(APPEND_AND_PUBLISH, keys.length, ...keys, ...args)) as string | null;
  }

  /**
   * Tells every instance to end the partner's streams of this order (the delivery left them: turned
   * down, offer withdrawn). Published on the order's channel only, never logged: it is not an event
   * anyone replays. Messages on the channel are `<stream id> <json>` or `revoke <partner id>`.
   */
  async revoke(orderId: string, partnerId: string): Promise<void> {
    await this.redis.publish(this.channelOf(orderId), `${REVOKE}${partnerId}`);
  }

  /** Events after `afterId`, oldest first; `complete` is false when the log no longer reaches back to it. */
  async since(orderId: string, afterId: string): Promise<{ events: LoggedEvent[]; complete: boolean }> {
    const key = `delivery:tracking:${orderId}`;
    const entries = (await this.redis.xrange(key, `(${afterId}`, '+')) as [string, string[]][];
    const events = entries.map(([id, fields]) => ({ id, json: fields[1] ?? '{}' }));
    const [first] = (await this.redis.xrange(key, '-', '+', 'COUNT', 1)) as [string, string[]][];
    // Trimmed entries cannot be told apart from none: a log starting after `afterId` may have lost some.
    return { events, complete: !first || compareIds(first[0], afterId) <= 0 };
  }

  /** The id of the log's latest event, or '0-0' for an empty log. */
  async latestId(orderId: string): Promise<string> {
    const [last] = (await this.redis.xrevrange(`delivery:tracking:${orderId}`, '+', '-', 'COUNT', 1)) as [string, string[]][];
    return last?.[0] ?? '0-0';
  }
}

/** Orders two stream ids (`<ms>-<seq>`). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am! - bm! || as! - bs!;
}

/** A valid stream id, as a client may send it back in Last-Event-ID. */
export function isStreamId(text: string): boolean {
  return /^\d{1,15}-\d{1,10}$/.test(text);
}
