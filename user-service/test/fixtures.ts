import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { CatalogEvent, EventType } from '@qc/shared/events';
import type { RunningService } from '@qc/shared/service';
import { memoryLogger, outboxEvents, startServiceUnderTest, type TestSchema } from '@qc/shared/testing';
import type { UserSettings } from '../src/config';
import { ensureAdmin } from '../src/domain/administration';
import { createUserService } from '../src/service';

export interface SignedIn {
  userId: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  bearer: string;
}

/** A running user-service on its own schema, with its log lines kept for the tests to read. */
export interface UserServiceUnderTest {
  schema: TestSchema;
  service: RunningService<UserSettings>;
  logs: ReturnType<typeof memoryLogger>;
  api(): ReturnType<typeof request>;
  /** Registers a new customer with a unique email and returns its tokens. */
  customer(): Promise<SignedIn>;
  /** An admin made the documented way (the create-admin command's use case), then logged in. */
  admin(): Promise<SignedIn>;
  login(email: string, password: string): Promise<SignedIn>;
  /** Events of one type this service wrote to its outbox, oldest first. */
  outboxEvents<T extends EventType>(type: T): Promise<CatalogEvent<T>[]>;
  stop(): Promise<void>;
}

/** A phone number no other test (or earlier run) uses, in the +91 range codes are sent to by default. */
export const newPhone = () => `+9197${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

/**
 * Starts user-service for a component test file. Its per-address limit is high and its counts are
 * its own (the tests all come from one address); `env` overrides any setting.
 */
export async function startUserService(env: Record<string, string> = {}): Promise<UserServiceUnderTest> {
  const logs = memoryLogger('user-service', 'debug');
  const underTest = await startServiceUnderTest(createUserService(), {
    label: 'user',
    env: {
      LOG_LEVEL: 'debug',
      OTP_RESEND_SECONDS: '2',
      AUTH_RATE_LIMIT_MAX: '100000',
      AUTH_RATE_LIMIT_PREFIX: `test:${randomUUID()}:`,
      ...env,
    },
    logDestination: logs.destination,
  });
  const { schema, service } = underTest;
  const api = () => request(service.server);

  const signedIn = (data: { user: { id: string }; accessToken: string; refreshToken: string }, email: string, password: string) => ({
    userId: data.user.id,
    email,
    password,
    accessToken: data.accessToken,
    refreshToken: data.refreshToken,
    bearer: `Bearer ${data.accessToken}`,
  });
  const login = async (email: string, password: string): Promise<SignedIn> => {
    const res = await api().post('/api/v1/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.text}`);
    return signedIn(res.body.data, email, password);
  };

  return {
    schema,
    service,
    logs,
    api,
    login,
    customer: async () => {
      const email = `c-${randomUUID()}@example.com`;
      const password = 'correct horse battery';
      const res = await api().post('/api/v1/auth/register').send({ email, password, name: 'Asha Rao' });
      if (res.status !== 201) throw new Error(`register answered ${res.status}: ${res.text}`);
      return signedIn(res.body.data, email, password);
    },
    admin: async () => {
      const email = `a-${randomUUID()}@example.com`;
      const password = 'admin passphrase 42';
      await ensureAdmin(service.deps, email, password);
      return login(email, password);
    },
    outboxEvents: (type) => outboxEvents(schema, type),
    stop: () => underTest.stop(),
  };
}
