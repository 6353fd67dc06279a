import { newEvent, type CatalogEvent, type CloudEvent, type EventData, type EventType } from '@qc/shared/events';

/**
 * What an event answers: the event that caused it, or (when a webhook or the refund sender acts on
 * its own) the order saga's correlation id, so one order's events can be followed end to end.
 */
export interface EventCause {
  causedBy?: CloudEvent | undefined;
  correlationId?: string | null | undefined;
}

export function paymentEvent<T extends EventType>(type: T, data: EventData<T>, subject: string, cause: EventCause = {}): CatalogEvent<T> {
  return newEvent('payment-service', type, data, {
    subject,
    ...(cause.causedBy ? { causedBy: cause.causedBy } : {}),
    ...(cause.correlationId ? { correlationId: cause.correlationId } : {}),
  });
}

export const inr = (amount: number) => ({ amount, currency: 'INR' as const });
