import { newEvent, type CatalogEvent, type CloudEvent, type EventData, type EventType } from '@qc/shared/events';

/** An order event, keyed by the order id; a saga step's answer carries the event that caused it. */
export function orderEvent<T extends EventType>(type: T, data: EventData<T>, orderId: string, causedBy?: CloudEvent): CatalogEvent<T> {
  return newEvent('order-service', type, data, { subject: orderId, ...(causedBy ? { causedBy } : {}) });
}
