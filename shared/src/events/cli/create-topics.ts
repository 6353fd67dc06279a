/**
 * Creates every `<service>.events` topic and every `dlq.<consumer>` topic, under KAFKA_TOPIC_PREFIX
 * (none for `make run`'s fleet); existing ones are kept.
 */
import { loadConfig, serviceEnv } from '../../config';
import { allTopics } from '../../fleet';
import { createLogger } from '../../logging';
import { createKafka, ensureTopics, topicOnBroker } from '../kafka';

async function main(): Promise<void> {
  const { KAFKA_BROKERS, KAFKA_TOPIC_PREFIX } = loadConfig(serviceEnv.pick({ KAFKA_BROKERS: true, KAFKA_TOPIC_PREFIX: true }));
  const admin = createKafka('create-topics', KAFKA_BROKERS, createLogger('create-topics', 'warn')).admin();
  await admin.connect();
  try {
    const created = await ensureTopics(
      admin,
      allTopics().map((topic) => topicOnBroker(KAFKA_TOPIC_PREFIX, topic)),
    );
    console.log(created.length > 0 ? `created ${created.length} topic(s): ${created.join(', ')}` : 'all topics already exist');
  } finally {
    await admin.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
