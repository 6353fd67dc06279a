import { newEvent, type CatalogEvent, type CloudEvent, type EventData, type EventType } from '@qc/shared/events';

/**
 * What an event answers: the event that caused it, or (for the sweeper, which acts on its own)
 * the correlation id of the saga it belongs to, so one order's events can be followed end to end.
 */
export interface EventCause {
  causedBy?: CloudEvent | undefined;
  correlationId?: string | undefined;
}

export function inventoryEvent<T extends EventType>(type: T, data: EventData<T>, subject: string, cause: EventCause = {}): CatalogEvent<T> {
  return newEvent('inventory-service', type, data, {
    subject,
    ...(cause.causedBy ? { causedBy: cause.causedBy } : {}),
    ...(cause.correlationId ? { correlationId: cause.correlationId } : {}),
  });
}
