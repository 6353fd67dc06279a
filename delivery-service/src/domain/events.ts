import { newEvent, type CatalogEvent, type CloudEvent, type EventData, type EventType } from '@qc/shared/events';

/** A delivery event about an order, in the order's saga (its correlation id) and after what caused it. */
export function deliveryEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  orderId: string,
  cause: { causedBy?: CloudEvent | undefined; correlationId?: string | null | undefined } = {},
): CatalogEvent<T> {
  return newEvent('delivery-service', type, data, {
    subject: orderId,
    ...(cause.causedBy ? { causedBy: cause.causedBy } : {}),
    ...(!cause.causedBy && cause.correlationId ? { correlationId: cause.correlationId } : {}),
  });
}
