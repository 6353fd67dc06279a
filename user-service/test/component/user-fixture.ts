import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { EventType } from '@qc/shared/events';
import type { RunningService } from '@qc/shared/service';
import { memoryLogger, outboxEvents, startServiceUnderTest, type ServiceUnderTest, type TestSchema } from '@qc/shared/testing';
import { ensureAdmin } from '../../src/domain/administration';
import { createUserService } from '../../src/service';

export interface SignedIn {
  userId: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  bearer: string;
}

/** A running user-service on its own schema, with its log lines kept for the tests to read. */
export class UserServiceFixture {
  readonly logs = memoryLogger('user-service', 'debug');
  private underTest!: ServiceUnderTest;
  schema!: TestSchema;
  service!: RunningService;

  async start(overrides: Record<string, string> = {}): Promise<this> {
    this.underTest = await startServiceUnderTest(createUserService(), {
      label: 'user',
      env: { LOG_LEVEL: 'debug', OTP_RESEND_SECONDS: '2', ...overrides },
      logDestination: this.logs.destination,
    });
    ({ schema: this.schema, service: this.service } = this.underTest);
    return this;
  }

  async stop(): Promise<void> {
    await this.underTest?.stop();
  }

  api() {
    return request(this.service.server);
  }

  /** Registers a new customer with a unique email and returns its tokens. */
  async customer(): Promise<SignedIn> {
    const email = `c-${randomUUID()}@example.com`;
    const password = 'correct horse battery';
    const res = await this.api().post('/api/v1/auth/register').send({ email, password, name: 'Asha Rao' });
    if (res.status !== 201) throw new Error(`register answered ${res.status}: ${res.text}`);
    return this.signedIn(res.body.data, email, password);
  }

  /** An admin made the documented way (the create-admin command's use case), then logged in. */
  async admin(): Promise<SignedIn> {
    const email = `a-${randomUUID()}@example.com`;
    const password = 'admin passphrase 42';
    await ensureAdmin({ outbox: this.service.deps.outbox }, email, password);
    return this.login(email, password);
  }

  async login(email: string, password: string): Promise<SignedIn> {
    const res = await this.api().post('/api/v1/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.text}`);
    return this.signedIn(res.body.data, email, password);
  }

  private signedIn(data: { user: { id: string }; accessToken: string; refreshToken: string }, email: string, password: string): SignedIn {
    return {
      userId: data.user.id,
      email,
      password,
      accessToken: data.accessToken,
      refreshToken: data.refreshToken,
      bearer: `Bearer ${data.accessToken}`,
    };
  }

  /** Events of one type this service wrote to its outbox, oldest first. */
  async outboxEvents(type: EventType): Promise<{ subject: string; data: Record<string, unknown> }[]> {
    return (await outboxEvents(this.schema, type)) as { subject: string; data: Record<string, unknown> }[];
  }
}
