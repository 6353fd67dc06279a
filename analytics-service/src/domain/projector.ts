/**
 * The projections (issue 16): what each event tells the rollups, written in the same transaction
 * as the event's raw row, so the consumer's ledger makes both exactly once. Every write merges by
 * rules that do not depend on arrival order (see mergeFact): an order.completed that overtakes its
 * order.created fills its own column and waits for the rest, and a rebuild from the raw store in
 * any order gives the same rows. Times are the events' own, so late events land in their bucket.
 */
import type { Queryable } from '@qc/shared/db';
import type { CatalogEvent, EventData, EventType } from '@qc/shared/events';
import { mergeFact } from '../data/projections.repository';

type Projector<T extends EventType> = (tx: Queryable, data: EventData<T>, at: Date, event: CatalogEvent<T>) => Promise<void>;

type Columns = Parameters<typeof mergeFact>[3];

const order = (tx: Queryable, orderId: string, columns: Columns) => mergeFact(tx, 'order_facts', { order_id: orderId }, columns);

const payment = (tx: Queryable, paymentId: string, columns: Columns) => mergeFact(tx, 'payment_facts', { payment_id: paymentId }, columns);

const delivery = (tx: Queryable, deliveryId: string, columns: Columns) =>
  mergeFact(tx, 'delivery_facts', { delivery_id: deliveryId }, columns);

/** A zone's name as its latest event gives it; a deleted zone keeps it, so its orders stay named. */
const zone = (tx: Queryable, data: EventData<'location.zone.updated'>, at: Date) =>
  mergeFact(
    tx,
    'zone_facts',
    { zone_id: data.zoneId },
    { name: [data.name.slice(0, 200), { withLatest: 'changed_at' }], changed_at: [at, 'latest'] },
  );

const hourOf = (at: Date) => new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);

const projectors: { [T in EventType]?: Projector<T> } = {
  'order.created': async (tx, data, at) => {
    await order(tx, data.orderId, {
      user_id: [data.userId, 'known'],
      store_id: [data.storeId, 'known'],
      zone_id: [data.zoneId, 'known'],
      payment_method: [data.paymentMethod, 'known'],
      total_paise: [data.total.amount, 'known'],
      created_at: [at, 'earliest'],
    });
    // One row per product: an order listing a product twice counts it once, with both quantities.
    const lines = new Map<string, { quantity: number; unitPrice: number }>();
    for (const item of data.items) {
      const line = lines.get(item.productId);
      lines.set(item.productId, { quantity: (line?.quantity ?? 0) + item.quantity, unitPrice: item.unitPrice.amount });
    }
    for (const [productId, line] of lines) {
      await mergeFact(
        tx,
        'order_lines',
        { order_id: data.orderId, product_id: productId },
        { quantity: [line.quantity, 'known'], unit_price_paise: [line.unitPrice, 'known'] },
      );
    }
  },
  'order.confirmed': (tx, data, at) =>
    order(tx, data.orderId, {
      user_id: [data.userId, 'known'],
      store_id: [data.storeId, 'known'],
      payment_method: [data.paymentMethod, 'known'],
      total_paise: [data.total?.amount, 'known'],
      confirmed_at: [at, 'earliest'],
    }),
  'order.cancelled': (tx, data, at) =>
    order(tx, data.orderId, {
      user_id: [data.userId, 'known'],
      store_id: [data.storeId, 'known'],
      cancelled_at: [at, 'earliest'],
      cancellation_reason: [data.reason.slice(0, 100), 'known'],
    }),
  'order.completed': (tx, data) =>
    order(tx, data.orderId, { user_id: [data.userId, 'known'], delivered_at: [new Date(data.deliveredAt), 'earliest'] }),
  'payment.initiated': (tx, data, at) =>
    payment(tx, data.paymentId, {
      order_id: [data.orderId, 'known'],
      method: [data.method, 'known'],
      amount_paise: [data.amount.amount, 'known'],
      initiated_at: [at, 'earliest'],
    }),
  'payment.completed': (tx, data, at) =>
    payment(tx, data.paymentId, {
      order_id: [data.orderId, 'known'],
      method: [data.method, 'known'],
      amount_paise: [data.amount.amount, 'known'],
      completed_at: [at, 'earliest'],
    }),
  'payment.failed': (tx, data, at) =>
    payment(tx, data.paymentId, {
      order_id: [data.orderId, 'known'],
      method: [data.method, 'known'],
      failed_at: [at, 'earliest'],
      failure_reason: [data.reason.slice(0, 100), 'known'],
    }),
  'payment.refunded': (tx, data, at) =>
    mergeFact(
      tx,
      'refund_facts',
      { refund_id: data.refundId },
      {
        payment_id: [data.paymentId, 'known'],
        order_id: [data.orderId, 'known'],
        amount_paise: [data.amount.amount, 'known'],
        destination: [data.destination, 'known'],
        refunded_at: [at, 'earliest'],
      },
    ),
  'delivery.scheduled': (tx, data, at) =>
    delivery(tx, data.deliveryId, {
      order_id: [data.orderId, 'known'],
      // A delivery re-assigned after a rejection keeps its latest partner and promise.
      partner_id: [data.partnerId, { withLatest: 'scheduled_at' }],
      eta_minutes: [data.etaMinutes, { withLatest: 'scheduled_at' }],
      eta_at: [data.etaAt ? new Date(data.etaAt) : undefined, { withLatest: 'scheduled_at' }],
      scheduled_at: [at, 'latest'],
    }),
  'delivery.started': (tx, data, at) =>
    delivery(tx, data.deliveryId, {
      order_id: [data.orderId, 'known'],
      partner_id: [data.partnerId, 'known'],
      started_at: [at, 'earliest'],
    }),
  'delivery.completed': (tx, data) =>
    delivery(tx, data.deliveryId, {
      order_id: [data.orderId, 'known'],
      partner_id: [data.partnerId, 'known'],
      completed_at: [new Date(data.deliveredAt), 'earliest'],
    }),
  'delivery.failed': (tx, data, at) =>
    delivery(tx, data.deliveryId, {
      order_id: [data.orderId, 'known'],
      failed_at: [at, 'earliest'],
      failure_reason: [data.reason.slice(0, 100), 'known'],
    }),
  // Its order ended it with no hand-over or failure: the partner's busy time stops here.
  'delivery.cancelled': (tx, data) =>
    delivery(tx, data.deliveryId, {
      order_id: [data.orderId, 'known'],
      partner_id: [data.partnerId, 'known'],
      ended_at: [new Date(data.endedAt), 'earliest'],
      end_outcome: [data.outcome, 'known'],
    }),
  // A stock-out starts at inventory.out_of_stock and ends at the first later update with units available.
  'inventory.out_of_stock': (tx, data, at, event) =>
    mergeFact(
      tx,
      'stock_signals',
      { event_id: event.id },
      { store_id: [data.storeId, 'known'], product_id: [data.productId, 'known'], at: [at, 'known'], out_of_stock: [true, 'known'] },
    ),
  'inventory.updated': async (tx, data, at, event) => {
    if (data.onHand - data.reserved <= 0) return;
    await mergeFact(
      tx,
      'stock_signals',
      { event_id: event.id },
      { store_id: [data.storeId, 'known'], product_id: [data.productId, 'known'], at: [at, 'known'], out_of_stock: [false, 'known'] },
    );
  },
  'cart.updated': (tx, data, at) =>
    mergeFact(tx, 'cart_activity', { user_id: data.userId, hour: hourOf(at), store_id: data.storeId ?? '' }, {}),
  'notification.sent': (tx, data, at) =>
    mergeFact(
      tx,
      'notification_facts',
      { notification_id: data.notificationId },
      { channel: [data.channel, 'known'], template: [data.template.slice(0, 100), 'known'], sent_at: [at, 'earliest'] },
    ),
  'location.zone.created': zone,
  'location.zone.updated': zone,
  'location.zone.deleted': zone,
};

/** Applies one event to the projections; types no rollup reads change nothing. */
export async function projectEvent(tx: Queryable, event: CatalogEvent): Promise<void> {
  const project = projectors[event.type] as Projector<EventType> | undefined;
  await project?.(tx, event.data, new Date(event.time), event);
}
