import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Response } from 'express';
import type { Logger } from '@qc/shared/logging';
import type { Redis } from '@qc/shared/redis';
import { compareIds, isStreamId, REVOKE, type LoggedEvent, type TrackingLog } from '../data/tracking-log.redis';
import type { TrackingEvent } from '../domain/tracking';

/** How often streams are checked: heartbeats due, tokens expired, the server closing. */
const TICK_MS = 1_000;
/** What a client waits before reconnecting after the stream ends (SSE `retry`). */
const RETRY_MS = 2_000;

/** Statuses a delivery never leaves for its followers: nothing is told after them. */
const ENDED: readonly string[] = ['DELIVERED', 'FAILED', 'CANCELLED', 'RETURNED'];

/** A framed tracking event, and whether it is the delivery's last (the stream ends after it). */
interface Frame {
  id: string;
  frame: string;
  last: boolean;
}

/** The delivery's last event: its end (completed, failed, cancelled), or a snapshot of it ended. */
function isLast(event: { type: string; status?: string }): boolean {
  if (event.type === 'snapshot') return ENDED.includes(event.status ?? '');
  return event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled';
}

/**
 * One open event stream: frames go straight out once its catch-up is written, and wait until then.
 * It ends after the delivery's last event.
 */
class Stream {
  /** Live frames that arrived during the catch-up. */
  private pending: Frame[] | undefined = [];
  lastId = '0-0';
  lastWriteAt = Date.now();

  constructor(
    readonly orderId: string,
    readonly res: Response,
    readonly endsAt: number,
    /** The partner following the delivery, when the caller is one: their stream ends when it leaves them. */
    readonly partnerId: string | undefined,
  ) {}

  get ended(): boolean {
    return this.res.writableEnded;
  }

  write(frame: string): void {
    if (this.ended) return;
    this.res.write(frame);
    this.lastWriteAt = Date.now();
  }

  deliver(framed: Frame): void {
    if (this.pending) this.pending.push(framed);
    else if (!this.ended && compareIds(framed.id, this.lastId) > 0) {
      this.lastId = framed.id;
      this.write(framed.frame);
      if (framed.last) this.end();
    }
  }

  /** The catch-up is written: what arrived meanwhile and is newer goes out, in order. */
  goLive(): void {
    const pending = this.pending ?? [];
    this.pending = undefined;
    for (const framed of pending) this.deliver(framed);
  }

  end(): void {
    if (!this.ended) this.res.end(`retry: ${RETRY_MS}\n\n`);
  }

  /** The HTTP server the stream came in on stopped listening (a graceful shutdown has begun). */
  get serverClosing(): boolean {
    const server = (this.res.socket as (Socket & { server?: Server }) | null)?.server;
    return server !== undefined && !server.listening;
  }
}

/** An SSE frame: `id`, `event` (the tracking event's type) and the JSON on one `data` line. */
export function sseFrame(id: string, type: string, json: string): string {
  return `id: ${id}\nevent: ${type}\ndata: ${json}\n\n`;
}

export interface TrackingHubOptions {
  redis: Redis;
  log: TrackingLog;
  logger: Logger;
  heartbeatMs: number;
}

/**
 * The tracking streams one process holds. One Redis connection subscribes to the channels of the
 * orders that have a stream here (and leaves a channel with its last stream); each published event
 * is framed once and written to every stream of its order. A stream starts with a catch-up: the
 * events after the client's Last-Event-ID from the order's log, or a snapshot when it has none (or
 * the log no longer reaches back to it). Streams end after the delivery's last event (its end, or
 * a snapshot of it ended), when the caller's access token expires (the client reconnects with a
 * fresh one and its Last-Event-ID), when the server shuts down, and, for a partner, when the
 * delivery leaves them (a `revoke` on the order's channel, from any instance).
 */
export class TrackingHub {
  private readonly subscriber: Redis;
  private readonly byOrder = new Map<string, Set<Stream>>();
  private connected: Promise<unknown> | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly options: TrackingHubOptions) {
    this.subscriber = options.redis.duplicate();
    this.subscriber.on('message', (channel: string, message: string) => this.publish(channel, message));
  }

  /** Streams held now. */
  get size(): number {
    let count = 0;
    for (const streams of this.byOrder.values()) count += streams.size;
    return count;
  }

  start(): void {
    this.connected ??= this.subscriber.connect();
    this.ticker ??= setInterval(() => this.tick(), TICK_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
    for (const streams of this.byOrder.values()) for (const stream of streams) stream.end();
    this.byOrder.clear();
    if (this.connected) await this.subscriber.quit().catch(() => undefined);
  }

  /**
   * Opens an event stream on `res` for the order, resuming after `lastEventId` when the log still
   * holds what followed it. `snapshot` is the delivery as it is now, for a fresh start.
   */
  async open(
    orderId: string,
    res: Response,
    {
      lastEventId,
      snapshot,
      endsAt,
      partner,
    }: {
      lastEventId: string | undefined;
      snapshot: () => Promise<TrackingEvent>;
      endsAt: Date;
      /** A partner's stream: their id, and the access check again (throws when the delivery is no longer theirs). */
      partner?: { id: string; stillTheirs: () => Promise<unknown> } | undefined;
    },
  ): Promise<void> {
    this.start();
    await this.connected;
    const stream = new Stream(orderId, res, endsAt.getTime(), partner?.id);
    // Subscribed before the catch-up is read: nothing published in between is missed.
    let streams = this.byOrder.get(orderId);
    if (!streams) {
      streams = new Set();
      this.byOrder.set(orderId, streams);
      await this.subscriber.subscribe(this.options.log.channelOf(orderId));
    }
    streams.add(stream);
    res.on('close', () => this.drop(stream));
    // A revoke published between the caller's access check and the subscription was missed: check again now.
    if (partner) {
      try {
        await partner.stillTheirs();
      } catch (err) {
        this.drop(stream);
        throw err;
      }
    }

    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // Tells nginx-style proxies not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    stream.write(`retry: ${RETRY_MS}\n\n`);

    const resumed = lastEventId && isStreamId(lastEventId) ? await this.options.log.since(orderId, lastEventId) : undefined;
    if (resumed?.complete) {
      stream.lastId = lastEventId!;
      for (const event of resumed.events) stream.deliver(frameOf(event));
    } else {
      const latest = await this.options.log.latestId(orderId);
      const event = await snapshot();
      stream.lastId = latest;
      stream.write(sseFrame(latest, event.type, JSON.stringify(event)));
      // A delivery that has ended: the snapshot is all there is to tell.
      if (isLast(event)) stream.end();
    }
    stream.goLive();
  }

  private publish(channel: string, message: string): void {
    const streams = this.byOrder.get(this.options.log.orderOf(channel));
    if (!streams || streams.size === 0) return;
    if (message.startsWith(REVOKE)) return this.revoke(streams, message.slice(REVOKE.length));
    const space = message.indexOf(' ');
    const id = message.slice(0, space);
    // Framed once, whatever the number of streams it goes to.
    const framed = frameOf({ id, json: message.slice(space + 1) });
    for (const stream of streams) stream.deliver(framed);
  }

  /** The delivery left the partner: their streams of it end, nothing more is written to them. */
  private revoke(streams: Set<Stream>, partnerId: string): void {
    for (const stream of streams) {
      if (stream.partnerId !== partnerId) continue;
      this.drop(stream);
      stream.end();
    }
  }

  private drop(stream: Stream): void {
    const streams = this.byOrder.get(stream.orderId);
    if (!streams?.delete(stream) || streams.size > 0) return;
    this.byOrder.delete(stream.orderId);
    this.subscriber.unsubscribe(this.options.log.channelOf(stream.orderId)).catch((err: unknown) => {
      this.options.logger.warn({ err, orderId: stream.orderId }, 'tracking channel not left');
    });
  }

  private tick(): void {
    const now = Date.now();
    for (const streams of this.byOrder.values()) {
      for (const stream of streams) {
        if (now >= stream.endsAt || stream.serverClosing) stream.end();
        else if (now - stream.lastWriteAt >= this.options.heartbeatMs) stream.write(': keep-alive\n\n');
      }
    }
  }
}

function frameOf(event: LoggedEvent): Frame {
  const parsed = JSON.parse(event.json) as { type: string; status?: string };
  return { id: event.id, frame: sseFrame(event.id, parsed.type, event.json), last: isLast(parsed) };
}
