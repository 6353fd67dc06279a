import { domainEventTopics } from '@qc/shared/fleet';
import type { ServiceDefinition } from '@qc/shared/service';
import { storeRawEvent } from './consumers/raw-event.consumer';
import { RawEvents1763683300000 } from './data/migrations/1763683300000-raw-events';
import { eventsRoutes } from './routes/events.routes';

export const definition: ServiceDefinition = {
  name: 'analytics-service',
  migrations: [RawEvents1763683300000],
  routes: (deps) => [eventsRoutes(deps)],
  consumes: { topics: domainEventTopics(), subscriptions: () => [storeRawEvent] },
};
