import { createConnection as connectTcp } from 'node:net';
import { TEST_KAFKA_BROKERS, TEST_REDIS_URL, rootQuery } from '../src/testing';

/** Fails the run at once, with what to do, when a real dependency the tests need is missing. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port, timeout: 2_000 });
    socket
      .once('connect', () => resolve(socket.end() && true))
      .once('error', () => resolve(false))
      .once('timeout', () => resolve(socket.destroy() && false));
  });
}

export default async function globalSetup(): Promise<void> {
  const problems: string[] = [];
  await rootQuery('SELECT 1').catch((err) => problems.push(`MySQL/MariaDB (MYSQL_ROOT_URL): ${err.message}`));
  const redis = new URL(TEST_REDIS_URL);
  if (!(await reachable(redis.hostname, Number(redis.port || 6379)))) problems.push(`Redis at ${redis.host}`);
  const [kafkaHost, kafkaPort] = TEST_KAFKA_BROKERS.split(',')[0]!.split(':');
  if (!(await reachable(kafkaHost!, Number(kafkaPort)))) problems.push(`Kafka at ${kafkaHost}:${kafkaPort}`);
  if (problems.length > 0) {
    throw new Error(
      `These tests need real dependencies; run them with \`make test\`, which starts them.\nUnreachable:\n  ${problems.join('\n  ')}`,
    );
  }
}
