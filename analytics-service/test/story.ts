import { newEvent, ownerOf, type CatalogEvent, type EventData, type EventType } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { testKafka } from '@qc/shared/testing';
import type { Producer } from 'kafkajs';

/**
 * Events as the services would publish them, at the times a test chooses (late, out of order),
 * sent to their real topics. Each test builds its own ids, so tests sharing the broker never mix.
 */
export const id = (): string => crypto.randomUUID();
export const inr = (amount: number) => ({ amount, currency: 'INR' as const });

export function eventAt<T extends EventType>(at: Date | string, type: T, data: EventData<T>, subject = id()): CatalogEvent<T> {
  return { ...newEvent(ownerOf(type), type, data, { subject }), time: new Date(at).toISOString() };
}

export class EventPublisher {
  private constructor(private readonly producer: Producer) {}

  static async connect(): Promise<EventPublisher> {
    const producer = testKafka('analytics-story').producer();
    await producer.connect();
    return new EventPublisher(producer);
  }

  /** Sends the events in the order given (which need not be their time order). */
  async publish(...events: CatalogEvent[]): Promise<void> {
    for (const event of events) {
      await this.producer.send({
        topic: eventsTopic(ownerOf(event.type)),
        messages: [{ key: event.subject, value: JSON.stringify(event) }],
      });
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

export interface OrderStory {
  orderId: string;
  userId: string;
  storeId: string;
  paymentId: string;
  deliveryId: string;
  partnerId: string;
  total: number;
  events: CatalogEvent[];
}

/**
 * One order's life: created at `at`, paid and confirmed a minute later, out with a partner, and
 * delivered `deliveredAfterMinutes` after confirmation against a 10-minute promise; or cancelled.
 */
export function orderStory(options: {
  at: Date;
  storeId: string;
  /** The zone order.created names; none, as before order-service recorded zones, when absent. */
  zoneId?: string;
  userId?: string;
  lines: { productId: string; quantity: number; unitPrice: number }[];
  method?: string;
  outcome: { delivered: number } | { cancelled: string; afterConfirm?: boolean } | { paymentFailed: string };
}): OrderStory {
  const orderId = id();
  const userId = options.userId ?? id();
  const paymentId = id();
  const deliveryId = id();
  const partnerId = id();
  const method = options.method ?? 'UPI';
  const total = options.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
  const minute = (n: number) => new Date(options.at.getTime() + n * 60_000);
  const items = options.lines.map((l) => ({ productId: l.productId, quantity: l.quantity }));
  const events: CatalogEvent[] = [
    eventAt(minute(-2), 'cart.updated', { cartId: id(), userId, items, storeId: options.storeId }),
    eventAt(
      options.at,
      'order.created',
      {
        orderId,
        userId,
        storeId: options.storeId,
        items: options.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPrice: inr(l.unitPrice) })),
        total: inr(total),
        paymentMethod: method,
        ...(options.zoneId ? { zoneId: options.zoneId } : {}),
      },
      orderId,
    ),
    eventAt(minute(0.5), 'payment.initiated', { paymentId, orderId, amount: inr(total), method }),
  ];
  const outcome = options.outcome;
  if ('paymentFailed' in outcome) {
    events.push(
      eventAt(minute(1), 'payment.failed', { paymentId, orderId, reason: outcome.paymentFailed, method }),
      eventAt(minute(1), 'order.cancelled', { orderId, userId, reason: 'PAYMENT_FAILED', paid: false, storeId: options.storeId }, orderId),
    );
    return { orderId, userId, storeId: options.storeId, paymentId, deliveryId, partnerId, total, events };
  }
  const confirmed = [
    eventAt(minute(1), 'payment.completed', { paymentId, orderId, amount: inr(total), method }),
    eventAt(
      minute(1),
      'order.confirmed',
      { orderId, userId, storeId: options.storeId, items, total: inr(total), paymentMethod: method },
      orderId,
    ),
  ];
  if ('cancelled' in outcome) {
    if (outcome.afterConfirm) events.push(...confirmed);
    events.push(
      eventAt(
        minute(2),
        'order.cancelled',
        { orderId, userId, reason: outcome.cancelled, paid: !!outcome.afterConfirm, storeId: options.storeId },
        orderId,
      ),
    );
    if (outcome.afterConfirm) {
      events.push(
        eventAt(minute(3), 'payment.refunded', { paymentId, orderId, refundId: id(), amount: inr(total), destination: 'original' }),
      );
    }
    return { orderId, userId, storeId: options.storeId, paymentId, deliveryId, partnerId, total, events };
  }
  const deliveredAt = minute(1 + outcome.delivered).toISOString();
  events.push(
    ...confirmed,
    eventAt(minute(1.5), 'delivery.scheduled', { deliveryId, orderId, partnerId, etaMinutes: 10, etaAt: minute(11).toISOString() }),
    eventAt(minute(3), 'delivery.started', { deliveryId, orderId, partnerId }),
    eventAt(deliveredAt, 'delivery.completed', { deliveryId, orderId, partnerId, deliveredAt }),
    eventAt(deliveredAt, 'order.completed', { orderId, userId, deliveredAt }, orderId),
  );
  return { orderId, userId, storeId: options.storeId, paymentId, deliveryId, partnerId, total, events };
}
