export { catalog, Money, isEventType, ownerOf, withoutSecrets, SECRET_DATA_FIELDS, type EventType, type EventData } from './catalog';
export {
  CloudEventEnvelope,
  ContractViolation,
  newEvent,
  parseEvent,
  type CloudEvent,
  type CatalogEvent,
  type NewEventOptions,
} from './envelope';
export { createKafka, ensureTopics, topicOnBroker, HEADERS, DEFAULT_PARTITIONS } from './kafka';
export { Outbox, type Emit } from './outbox';
export { OutboxRelay, type RelayOptions } from './relay';
export { EventConsumer, handle, headerValue, type ConsumerOptions, type EventHandler, type Subscription } from './consumer';
export { replayDeadLetters, REPLAYED_HEADER, type ReplayOptions } from './dead-letters';
