import type { DestinationStream } from 'pino';
import { topicOnBroker, type CatalogEvent, type EventType } from '../events';
import { runService, type RunningService, type ServiceDefinition } from '../service';
import { createTestSchema, rootQuery, skipHistory, testConsumerGroup, testServiceEnv, type TestSchema } from './index';
import { TestTokenIssuer } from './token-issuer';

export interface ServiceUnderTest<Settings = unknown> {
  schema: TestSchema;
  service: RunningService<Settings>;
  /** Signs the tokens the service accepts: its JWKS_URL points here. */
  issuer: TestTokenIssuer;
  /** Stops the service, then drops its schema. */
  stop(): Promise<void>;
}

export interface ServiceUnderTestOptions {
  /** Names the throwaway schema; the service's name by default. */
  label?: string;
  /** Variables on top of `testServiceEnv`'s. */
  env?: Record<string, string>;
  /** Where its log lines go (memoryLogger's destination), instead of nowhere. */
  logDestination?: DestinationStream;
  /** Runs on the empty schema before the service starts (to seed it as `make run` would). */
  beforeStart?: (schema: TestSchema) => Promise<void>;
}

/**
 * A service as `runService` starts it, for a component test: its own throwaway schema; its own
 * consumer group, positioned at the end of the topics it consumes, so it reads only what the test
 * publishes; and a token issuer with a real JWKS endpoint standing in for user-service.
 */
export async function startServiceUnderTest<Settings>(
  definition: ServiceDefinition<Settings>,
  options: ServiceUnderTestOptions = {},
): Promise<ServiceUnderTest<Settings>> {
  const [schema, issuer] = await Promise.all([createTestSchema(options.label ?? definition.name), TestTokenIssuer.start()]);
  await options.beforeStart?.(schema);
  const env = testServiceEnv(schema, { JWKS_URL: issuer.jwksUrl, ...options.env });
  if (definition.consumes) {
    const topics = definition.consumes.topics.map((topic) => topicOnBroker(env.KAFKA_TOPIC_PREFIX ?? '', topic));
    await skipHistory(testConsumerGroup(schema), topics);
  }
  const service = await runService(definition, env, options.logDestination);
  return {
    schema,
    service,
    issuer,
    stop: async () => {
      await service.stop();
      await Promise.all([schema.drop(), issuer.close()]);
    },
  };
}

/** The events a service wrote to its outbox, oldest first; of one type when `type` is given. */
export async function outboxEvents<T extends EventType = EventType>(schema: TestSchema, type?: T): Promise<CatalogEvent<T>[]> {
  const rows = (await rootQuery(
    `SELECT payload FROM \`${schema.name}\`.outbox ${type ? 'WHERE event_type = ?' : ''} ORDER BY id`,
    type ? [type] : [],
  )) as {
    payload: string;
  }[];
  return rows.map((row) => JSON.parse(row.payload) as CatalogEvent<T>);
}
