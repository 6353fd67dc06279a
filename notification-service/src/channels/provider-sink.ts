import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A message the sink was asked to deliver. */
export interface SunkMessage {
  id: string;
  channel: 'sms' | 'push';
  idempotencyKey: string | null;
  receivedAt: string;
  payload: Record<string, unknown>;
}

const MAX_BODY = 64 * 1024;
const MAX_KEPT = 10_000;

/**
 * The SMS and push providers' stand-in for development and tests: `POST /sms` and `POST /push`
 * store what would have been sent (a repeated `Idempotency-Key` is stored once, as a real provider
 * dedupes), `GET /sms?to=…`, `GET /push?userId=…` and `GET /` read it back. Nothing leaves the
 * machine. Tests can make a channel answer an error status to play a provider outage.
 */
export class ProviderSink {
  private readonly messages: SunkMessage[] = [];
  private readonly failures = new Map<string, number>();
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => this.server.once('error', reject).listen(port, host, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers every send on the channel with `status` (503: the provider is down) until called with null. */
  failWith(channel: SunkMessage['channel'], status: number | null): void {
    if (status === null) this.failures.delete(channel);
    else this.failures.set(channel, status);
  }

  received(channel?: SunkMessage['channel']): SunkMessage[] {
    return this.messages.filter((m) => channel === undefined || m.channel === channel);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sink');
    const channel = url.pathname === '/sms' ? 'sms' : url.pathname === '/push' ? 'push' : undefined;
    if (req.method === 'GET' && (channel || url.pathname === '/')) {
      const to = url.searchParams.get('to');
      const userId = url.searchParams.get('userId');
      const found = this.received(channel).filter(
        (m) => (to === null || m.payload.to === to) && (userId === null || m.payload.userId === userId),
      );
      return reply(res, 200, { messages: found });
    }
    if (req.method !== 'POST' || !channel) return reply(res, 404, { error: 'POST /sms or /push; GET /, /sms?to= or /push?userId=' });
    const failure = this.failures.get(channel);
    if (failure) return reply(res, failure, { error: 'provider unavailable (sink told to fail)' });
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      return reply(res, 400, { error: 'send a JSON object of at most 64 KiB' });
    }
    const idempotencyKey = req.headers['idempotency-key']?.toString() ?? null;
    const seen = idempotencyKey && this.messages.find((m) => m.channel === channel && m.idempotencyKey === idempotencyKey);
    if (seen) return reply(res, 200, { id: seen.id });
    const message: SunkMessage = { id: randomUUID(), channel, idempotencyKey, receivedAt: new Date().toISOString(), payload };
    this.messages.push(message);
    if (this.messages.length > MAX_KEPT) this.messages.shift();
    return reply(res, 202, { id: message.id });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
