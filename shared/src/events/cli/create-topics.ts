/** Creates every `<service>.events` topic and every `dlq.<consumer>` topic; existing ones are kept. */
import { loadConfig, serviceEnv } from '../../config';
import { allTopics } from '../../fleet';
import { createLogger } from '../../logging';
import { createKafka, ensureTopics } from '../kafka';

async function main(): Promise<void> {
  const { KAFKA_BROKERS } = loadConfig(serviceEnv.pick({ KAFKA_BROKERS: true }));
  const admin = createKafka('create-topics', KAFKA_BROKERS, createLogger('create-topics', 'warn')).admin();
  await admin.connect();
  try {
    const created = await ensureTopics(admin, allTopics());
    console.log(created.length > 0 ? `created ${created.length} topic(s): ${created.join(', ')}` : 'all topics already exist');
  } finally {
    await admin.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
