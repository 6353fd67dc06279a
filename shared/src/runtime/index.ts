import type { Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

type Step = () => Promise<unknown> | unknown;

/**
 * Graceful shutdown (DESIGN §8). Steps run in the order registered — stop accepting and finish
 * requests, stop consumers, flush the relay, close pools — and the process exits within the
 * deadline even if a step hangs.
 */
export class Shutdown {
  private readonly steps: { name: string; step: Step }[] = [];
  private started: Promise<void> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs: number,
  ) {}

  add(name: string, step: Step): this {
    this.steps.push({ name, step });
    return this;
  }

  /** Exits the process on SIGTERM/SIGINT after running the steps. */
  installSignalHandlers(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        this.logger.info({ signal }, 'shutting down');
        void this.run().then(() => process.exit(0));
      });
    }
  }

  run(): Promise<void> {
    this.started ??= this.runSteps();
    return this.started;
  }

  private async runSteps(): Promise<void> {
    const deadline = setTimeout(() => {
      this.logger.error({ deadlineMs: this.deadlineMs }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, this.deadlineMs);
    deadline.unref();
    for (const { name, step } of this.steps) {
      try {
        await step();
      } catch (err) {
        this.logger.error({ err, step: name }, 'shutdown step failed');
      }
    }
    clearTimeout(deadline);
  }
}

/** Stops accepting connections, lets in-flight requests finish, drops idle keep-alive sockets. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    // A keep-alive connection still answering a request goes idle once answered and would then
    // stay open until its keep-alive timeout, holding close() back: close idle ones until done,
    // and tell clients that send another request meanwhile not to reuse the connection.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    server.prependListener('request', (_req, res: ServerResponse) => res.setHeader('Connection', 'close'));
    server.close((err) => {
      clearInterval(sweep);
      return err ? reject(err) : resolve();
    });
    server.closeIdleConnections();
  });
}
