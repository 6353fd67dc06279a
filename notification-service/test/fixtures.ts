import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Producer } from 'kafkajs';
import request from 'supertest';
import type { CatalogEvent } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { eventually, startServiceUnderTest, testKafka, type ServiceUnderTest, type ServiceUnderTestOptions } from '@qc/shared/testing';
import { ProviderSink } from '../src/channels/provider-sink';
import type { NotificationConfig } from '../src/config';
import { definition } from '../src/service';

const MAILDEV = resolve(__dirname, '../../node_modules/maildev/dist/bin/maildev.js');

/** An email as MailDev's REST API lists it. */
export interface InboxEmail {
  id: string;
  subject: string;
  text: string;
  to: { address: string }[];
  headers: Record<string, string>;
}

/**
 * MailDev, the SMTP server with a web inbox that `make run` starts, as a child process on free
 * ports. Its mail directory outlives a stop, so a restart keeps (and shows) what it had received.
 */
export class MailDev {
  private child: ChildProcess | undefined;

  private constructor(
    readonly smtpPort: number,
    readonly webPort: number,
    private readonly directory: string,
  ) {}

  static async start(): Promise<MailDev> {
    const [smtpPort, webPort] = [await freePort(), await freePort()];
    const mail = new MailDev(smtpPort, webPort, await mkdtemp(join(tmpdir(), 'qc-maildev-')));
    await mail.resume();
    return mail;
  }

  get smtpUrl(): string {
    return `smtp://127.0.0.1:${this.smtpPort}`;
  }

  /** Starts the server again (after `pause`) on the same ports and mail directory. */
  async resume(): Promise<void> {
    this.child = spawn(
      process.execPath,
      [
        MAILDEV,
        ...['--smtp', String(this.smtpPort), '--ip', '127.0.0.1'],
        ...['--web', String(this.webPort), '--web-ip', '127.0.0.1'],
        ...['--mail-directory', this.directory, '--silent'],
      ],
      { stdio: 'ignore' },
    );
    await eventually(async () => (await fetch(`http://127.0.0.1:${this.webPort}/api/healthz`)).ok, 20_000);
    await eventually(() => connects(this.smtpPort), 20_000);
  }

  /** Stops the SMTP server: sends fail with a refused connection until `resume`. */
  async pause(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  /** The emails addressed to `address`, oldest first. */
  async inbox(address: string): Promise<InboxEmail[]> {
    const res = await fetch(`http://127.0.0.1:${this.webPort}/api/email?to.address=${encodeURIComponent(address)}`);
    if (!res.ok) throw new Error(`MailDev answered ${res.status}`);
    const emails = (await res.json()) as (InboxEmail & { time: string })[];
    return emails.sort((a, b) => a.time.localeCompare(b.time));
  }

  async stop(): Promise<void> {
    await this.pause();
    await rm(this.directory, { recursive: true, force: true });
  }
}

export interface NotificationUnderTest extends ServiceUnderTest<NotificationConfig> {
  api: () => ReturnType<typeof request>;
  mail: MailDev;
  sink: ProviderSink;
  /** Publishes events on their owners' topics, as the producing services' relays would. */
  publish(...events: CatalogEvent[]): Promise<void>;
  admin: string;
  bearer(userId: string): string;
}

/**
 * Retries fast (50 ms doubling to at most 1 s) so an outage test ends in seconds; the worker polls
 * every 100 ms. Alerts go to one admin address.
 */
export const FAST_DELIVERY = {
  DELIVERY_POLL_MS: '100',
  DELIVERY_RETRY_BASE_MS: '50',
  DELIVERY_RETRY_MAX_MS: '1000',
  DELIVERY_MAX_ATTEMPTS: '40',
  CHANNEL_TIMEOUT_MS: '3000',
  ADMIN_ALERT_EMAILS: 'ops@quickcommerce.test',
};

/**
 * notification-service on its own schema with real MariaDB, Redis and Kafka, a real SMTP server
 * (MailDev, read through its REST API) and the SMS/push sink in-process.
 */
export async function startNotificationService(
  options: Omit<ServiceUnderTestOptions, 'env'> & { env?: Record<string, string> } = {},
): Promise<NotificationUnderTest> {
  const sink = new ProviderSink();
  const [mail] = await Promise.all([MailDev.start(), sink.listen()]);
  const underTest = await startServiceUnderTest(definition, {
    ...options,
    env: {
      ...FAST_DELIVERY,
      SMTP_URL: mail.smtpUrl,
      SMS_PROVIDER_URL: `${sink.url}/sms`,
      PUSH_PROVIDER_URL: `${sink.url}/push`,
      ...options.env,
    },
  });
  const producer: Producer = testKafka('notification-test-publisher').producer();
  await producer.connect();
  return {
    ...underTest,
    api: () => request(underTest.service.server),
    mail,
    sink,
    admin: underTest.issuer.bearer({ role: 'admin', expiresInSeconds: 900 }),
    bearer: (userId) => underTest.issuer.bearer({ role: 'customer', userId, expiresInSeconds: 900 }),
    publish: async (...events) => {
      for (const event of events) {
        await producer.send({
          topic: eventsTopic(event.source.slice(1)),
          messages: [{ key: event.subject, value: JSON.stringify(event) }],
        });
      }
    },
    stop: async () => {
      await producer.disconnect();
      await underTest.stop();
      await Promise.all([mail.stop(), sink.close()]);
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function connects(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((r) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      r(true);
    }).once('error', () => r(false));
  });
}
