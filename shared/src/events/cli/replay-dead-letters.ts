/**
 * `npm run dlq:replay -- <consumer-service>`: sends the consumer's unreplayed dead letters back to
 * their original topics. Reads KAFKA_BROKERS (default 127.0.0.1:9092) and KAFKA_TOPIC_PREFIX (the
 * fleet whose dead letters they are; none for `make run`'s).
 */
import { loadConfig, serviceEnv } from '../../config';
import { SERVICES } from '../../fleet';
import { createLogger } from '../../logging';
import { createKafka } from '../kafka';
import { replayDeadLetters } from '../dead-letters';

async function main(): Promise<void> {
  const consumer = process.argv[2];
  if (!consumer || !SERVICES.some((s) => s.name === consumer)) {
    console.error(`usage: npm run dlq:replay -- <${SERVICES.map((s) => s.name).join('|')}>`);
    process.exit(2);
  }
  const { KAFKA_BROKERS, KAFKA_TOPIC_PREFIX } = loadConfig(serviceEnv.pick({ KAFKA_BROKERS: true, KAFKA_TOPIC_PREFIX: true }));
  const logger = createLogger('dlq-replay');
  const replayed = await replayDeadLetters(createKafka('dlq-replay', KAFKA_BROKERS, logger), consumer, logger, {
    topicPrefix: KAFKA_TOPIC_PREFIX,
  });
  console.log(`replayed ${replayed} dead letter(s) of ${consumer}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
