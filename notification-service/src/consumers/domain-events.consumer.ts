import { handle, type EventType, type Subscription } from '@qc/shared/events';
import { LEARNED_TYPES, learnFrom } from '../domain/contacts';
import { recordNotifications, type Messaging } from '../domain/record-notifications';
import { RULES } from '../domain/rules';

/**
 * Every event that a rule turns into messages, or that the contact book and order owners learn
 * from. Each runs in the runner's transaction with its processed-events record, so a redelivered
 * event records nothing twice; the messages are only recorded here and sent by the delivery worker.
 */
export function domainEventSubscriptions(messaging: Messaging): Subscription[] {
  // A rule without its template files would dead-letter every event it matches: refuse to start instead.
  for (const rule of RULES) {
    for (const channel of rule.channels) {
      if (!messaging.templates.has(rule.template, channel)) throw new Error(`template ${rule.template} for ${channel} is missing`);
    }
  }
  const types = new Set<EventType>([...LEARNED_TYPES, ...RULES.map((rule) => rule.type)]);
  return [...types].map((type) =>
    handle(type, async (event, tx) => {
      await learnFrom(tx, event);
      const recorded = await recordNotifications(messaging, tx, event);
      if (recorded > 0) messaging.logger.info({ eventId: event.id, type: event.type, recorded }, 'notifications recorded');
    }),
  );
}
