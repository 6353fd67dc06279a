import { loadConfig, serviceEnv } from '../config';
import { createDataSource, migrate, type DataSource } from '../db';
import { Outbox, topicOnBroker } from '../events';
import { eventsTopic, processEnv, serviceSpec } from '../fleet';
import type { ServiceDefinition } from './index';

export interface CommandContext {
  dataSource: DataSource;
  /** Events written here are published by the running service's relay, on its topic (KAFKA_TOPIC_PREFIX included). */
  outbox: Outbox;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs a one-off command against a service's schema (create an admin, seed demo data, rotate keys)
 * with the service's environment. Migrates first, prints what the command answers, and exits
 * non-zero with the error's message when it fails.
 */
export function runCommand(
  definition: Pick<ServiceDefinition, 'name' | 'migrations'>,
  command: (context: CommandContext) => Promise<string>,
): void {
  // A container sets the service's own environment; on a developer's machine it is the one `make run` gives it.
  const env = process.env.MYSQL_URL ? process.env : processEnv(serviceSpec(definition.name), process.env);
  const config = loadConfig(serviceEnv.pick({ MYSQL_URL: true, KAFKA_TOPIC_PREFIX: true }), env);
  const dataSource = createDataSource({ url: config.MYSQL_URL, poolSize: 2, migrations: definition.migrations ?? [] });
  const run = async () => {
    await dataSource.initialize();
    try {
      await migrate(dataSource);
      const outbox = new Outbox(dataSource, topicOnBroker(config.KAFKA_TOPIC_PREFIX, eventsTopic(definition.name)));
      const outcome = await command({ dataSource, outbox, env });
      process.stdout.write(`${outcome}\n`);
    } finally {
      await dataSource.destroy();
    }
  };
  run().catch((err: unknown) => {
    console.error(`${definition.name}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
