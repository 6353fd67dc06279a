import { createHash } from 'node:crypto';
import { newId, type Tx } from '@qc/shared/db';
import type { CatalogEvent } from '@qc/shared/events';
import type { Logger } from '@qc/shared/logging';
import { findContact, findContactByPhone, type ContactRecord } from '../data/contacts.repository';
import { insertNotification } from '../data/notifications.repository';
import { findOrderOwner } from '../data/order-owners.repository';
import type { ChannelName, PreferencesRecord } from '../data/preferences.repository';
import { preferencesOf } from './preferences';
import { quietUntil } from './quiet-hours';
import { rulesFor, type Rule } from './rules';
import type { Templates } from './templates';

/** What turning events into messages needs besides the transaction. */
export interface Messaging {
  templates: Templates;
  /** Where operational alerts (low stock) go. */
  adminEmails: readonly string[];
  /** The zone of quiet hours for users who chose none. */
  defaultTimeZone: string;
  logger: Logger;
}

/** One message to write: who, where, on which channel, and when it may go out. */
interface Recipient {
  userId: string | null;
  channel: ChannelName;
  address: string;
  name: string;
  preferences: PreferencesRecord | undefined;
}

const REDACTED = '••••••';

/**
 * Records the messages an event calls for, in the consumer's transaction: one notification per
 * (fact, channel, recipient), with a pending delivery that the delivery worker sends. Nothing is
 * sent here, so a slow or broken channel never holds the consumer, and a rolled-back transaction
 * leaves nothing half-sent. Returns how many new notifications were recorded.
 */
export async function recordNotifications(messaging: Messaging, tx: Tx, event: CatalogEvent, now: Date = new Date()): Promise<number> {
  let recorded = 0;
  for (const rule of rulesFor(event.type)) {
    if (rule.when && !rule.when(event.data)) continue;
    const recipients = await recipientsOf(messaging, tx, rule, event);
    const values = rule.values(event.data);
    const expiresAt = rule.expiresAt?.(event.data) ?? null;
    for (const recipient of recipients) {
      const rendered = messaging.templates.render(rule.template, recipient.channel, { ...values, name: recipient.name });
      const redacted = rule.secrets
        ? messaging.templates.render(rule.template, recipient.channel, {
            ...values,
            ...Object.fromEntries(rule.secrets.map((field) => [field, REDACTED])),
            name: recipient.name,
          })
        : rendered;
      const quietHours = recipient.preferences?.quietHours;
      const timeZone = recipient.preferences?.timeZone ?? messaging.defaultTimeZone;
      const dueAt = (!rule.transactional && quietHours && quietUntil(now, quietHours, timeZone)) || now;
      const inserted = await insertNotification(
        tx,
        {
          id: newId(),
          dedupeKey: dedupeKey(rule.template, rule.occurrence(event), recipient),
          userId: recipient.userId,
          eventId: event.id,
          eventType: event.type,
          template: rule.template,
          channel: recipient.channel,
          recipient: recipient.address,
          subject: redacted.subject,
          body: redacted.body,
          secretBody: redacted.body === rendered.body ? null : rendered.body,
          expiresAt,
        },
        { id: newId(), dueAt },
      );
      if (inserted) recorded++;
    }
  }
  return recorded;
}

/** Exactly once per (fact, channel, recipient): the unique key of a notification. */
export function dedupeKey(template: string, occurrence: string, recipient: Pick<Recipient, 'userId' | 'channel' | 'address'>): string {
  return createHash('sha256')
    .update([template, occurrence, recipient.channel, recipient.userId ?? recipient.address].join('\n'))
    .digest('hex');
}

async function recipientsOf(messaging: Messaging, tx: Tx, rule: Rule, event: CatalogEvent): Promise<Recipient[]> {
  switch (rule.audience) {
    case 'admins':
      return messaging.adminEmails.map((address) => ({ userId: null, channel: 'email', address, name: 'team', preferences: undefined }));
    case 'address': {
      // A code goes to the address that asked for it, account or not, and a notice about the account's
      // sign-in email to the address it names, whatever the preferences: that is the point of them.
      const address = rule.to?.(event.data);
      if (!address) return [];
      const userId = rule.userId?.(event.data);
      // The event names its user, or (a sign-in code) only the phone, whose account if any is looked up.
      const owner = userId ? await findContact(tx, userId) : await findContactByPhone(tx, address);
      return rule.channels.map((channel) => ({
        userId: userId ?? owner?.userId ?? null,
        channel,
        address,
        name: owner?.name ?? 'there',
        preferences: undefined,
      }));
    }
    case 'user': {
      const orderId = rule.orderId?.(event.data);
      const userId = rule.userId?.(event.data) ?? (orderId ? await findOrderOwner(tx, orderId) : undefined);
      if (!userId) {
        messaging.logger.warn({ eventId: event.id, type: event.type, orderId }, 'no user known for this event: no message');
        return [];
      }
      const contact = await findContact(tx, userId);
      const preferences = await preferencesOf(tx, userId);
      return rule.channels.flatMap((channel) => {
        const address = addressOn(channel, userId, contact);
        if (!preferences.channels[channel] || !address) return [];
        return [{ userId, channel, address, name: contact?.name ?? 'there', preferences }];
      });
    }
  }
}

/** Where a user is reached on a channel: push goes to their devices by user id; email and SMS need the contact. */
function addressOn(channel: ChannelName, userId: string, contact: ContactRecord | undefined): string | null {
  if (channel === 'push') return userId;
  return (channel === 'email' ? contact?.email : contact?.phone) ?? null;
}
