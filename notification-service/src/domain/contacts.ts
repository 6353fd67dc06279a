import type { Tx } from '@qc/shared/db';
import type { CatalogEvent } from '@qc/shared/events';
import { saveContact, type ContactChange } from '../data/contacts.repository';
import { rememberOrderOwner } from '../data/order-owners.repository';

/**
 * The projections notification-service keeps so that no message needs a call to another service:
 * each user's email, phone and name from user-service's events, and each order's owner (delivery
 * events name only the order). Applied in the consumer's transaction, before the event's messages.
 */
export async function learnFrom(tx: Tx, event: CatalogEvent): Promise<void> {
  switch (event.type) {
    case 'user.registered': {
      const { userId, email, phone, name, role } = (event as CatalogEvent<'user.registered'>).data;
      return saveContact(tx, userId, { email: email ?? null, phone: phone ?? null, name: name ?? null, role });
    }
    case 'user.updated': {
      const { userId, email, phone, name, role, status } = (event as CatalogEvent<'user.updated'>).data;
      const change: ContactChange = { email, phone, name, role, status };
      return saveContact(tx, userId, change);
    }
    case 'order.created':
    case 'order.confirmed': {
      const { orderId, userId } = (event as CatalogEvent<'order.created' | 'order.confirmed'>).data;
      return rememberOrderOwner(tx, orderId, userId);
    }
    default:
      return undefined;
  }
}

/** The event types `learnFrom` keeps something of. */
export const LEARNED_TYPES = ['user.registered', 'user.updated', 'order.created', 'order.confirmed'] as const;
