import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on a free port standing in for a called service: the clients' sockets,
 * timeouts and breakers are exercised for real, with no database or broker involved.
 */
export interface Callee {
  baseUrl: string;
  received: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[];
  /** What the next requests get; change it to make the callee fail or recover. */
  respond: (url: string) => { status: number; body?: unknown; delayMs?: number };
  close(): Promise<void>;
}

export async function startCallee(): Promise<Callee> {
  const callee: Partial<Callee> = { received: [], respond: () => ({ status: 200, body: { ok: true } }) };
  const pending = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      callee.received!.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const answer = callee.respond!(req.url!);
      const timer = setTimeout(() => {
        pending.delete(timer);
        if (res.destroyed) return;
        if (answer.body === undefined) return void res.writeHead(answer.status).end();
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      }, answer.delayMs ?? 0);
      pending.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  callee.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  callee.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of pending) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return callee as Callee;
}

/** The error a promise rejects with; a test failure when it resolves. */
export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}
