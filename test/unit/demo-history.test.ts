import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEvent, type CatalogEvent } from '@qc/shared/events';
import { buildHistory, historyId, localDay, type HistoryWorld } from '../../scripts/demo-history/history.ts';

/**
 * The demo's history (scripts/demo-history, `npm run demo:history`): every event passes the
 * contract check analytics' import applies, each order's chain is coherent, and the ids come from
 * the day and the order, so a second run, the same day or the next, brings nothing twice.
 */
const city = JSON.parse(readFileSync(resolve(__dirname, '../../demo/city.json'), 'utf8')) as {
  timezone: string;
  stores: { id: string; lat: number; lng: number; opensAt: string; closesAt: string; preparationMinutes: number }[];
  zones: { id: string; storeId: string; polygon: { coordinates: [number, number][][] } }[];
};
const productIds = Array.from({ length: 60 }, (_, i) => `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`);
const world: HistoryWorld = {
  timeZone: city.timezone,
  stores: city.stores.map((s) => ({
    ...s,
    zones: city.zones.filter((z) => z.storeId === s.id).map((z) => ({ id: z.id, ring: z.polygon.coordinates[0]! })),
  })),
  products: productIds.map((id, i) => ({ id, price: 2_000 + ((i * 3_700) % 40_000), popularity: 100 - i })),
};
// 20:30 in Bengaluru: the days before are whole and past.
const now = new Date('2026-03-12T15:00:00.000Z');
const history = buildHistory(world, { days: 3, ordersPerDay: 100, now });

const ofType = <T extends CatalogEvent['type']>(events: CatalogEvent[], type: T) =>
  events.filter((e): e is CatalogEvent<T> => e.type === type);
const byOrder = new Map<string, CatalogEvent[]>();
for (const event of history.events) {
  const orderId = (event.data as { orderId?: string }).orderId;
  if (orderId) byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), event]);
}
const timeOf = (events: CatalogEvent[], type: string) => Date.parse(events.find((e) => e.type === type)!.time);

describe('the demo history', () => {
  it('when built, then it covers the whole local days before today with a few hundred orders, every event past and within its contract', () => {
    expect(history.days).toEqual(['2026-03-09', '2026-03-10', '2026-03-11']);
    const created = ofType(history.events, 'order.created');
    expect(new Set(created.map((e) => localDay(new Date(e.time), city.timezone)))).toEqual(new Set(history.days));
    expect(history.orderFates.size).toBeGreaterThan(250);
    expect(history.orderFates.size).toBeLessThan(400);
    for (const event of history.events) {
      expect(Date.parse(event.time)).toBeLessThanOrEqual(now.getTime());
      // What the import endpoint and the consumer do with a message: envelope, type, owner, data.
      expect(parseEvent(JSON.stringify(event))).toEqual(event);
    }
    expect(new Set(history.events.map((e) => e.id)).size).toBe(history.events.length);
  });

  it('when an order is told, then its chain is coherent: created after its cart, paid or not as its fate says, delivered after pickup, completed with the delivery time', () => {
    for (const [orderId, fate] of history.orderFates) {
      const events = byOrder.get(orderId)!;
      const types = events.map((e) => e.type);
      const created = ofType(events, 'order.created')[0]!;
      expect(types.filter((t) => t === 'order.created')).toHaveLength(1);
      const total = created.data.items.reduce((sum, i) => sum + i.unitPrice.amount * i.quantity, 0);
      expect(created.data.total.amount).toBeGreaterThanOrEqual(total + 500);
      for (const event of events) expect(Date.parse(event.time)).toBeGreaterThanOrEqual(Date.parse(created.time));
      if (fate === 'delivered') {
        expect(types).toEqual(
          expect.arrayContaining(['order.confirmed', 'delivery.scheduled', 'delivery.started', 'delivery.completed', 'order.completed']),
        );
        expect(types).not.toContain('order.cancelled');
        const completed = ofType(events, 'order.completed')[0]!.data;
        expect(completed.deliveredAt).toBe(ofType(events, 'delivery.completed')[0]!.data.deliveredAt);
        expect(timeOf(events, 'delivery.started')).toBeGreaterThan(timeOf(events, 'delivery.scheduled'));
        expect(Date.parse(completed.deliveredAt)).toBeGreaterThan(timeOf(events, 'delivery.started'));
        expect(timeOf(events, 'delivery.scheduled')).toBeGreaterThan(timeOf(events, 'order.confirmed'));
        // Paid once, for the order's total: online before confirmation, cash at the door.
        const paid = ofType(events, 'payment.completed');
        expect(paid).toHaveLength(1);
        expect(paid[0]!.data.amount.amount).toBe(created.data.total.amount);
        if (created.data.paymentMethod === 'COD') expect(Date.parse(paid[0]!.time)).toBeGreaterThan(timeOf(events, 'delivery.completed'));
        else expect(Date.parse(paid[0]!.time)).toBeLessThan(timeOf(events, 'order.confirmed'));
      } else {
        const cancelled = ofType(events, 'order.cancelled');
        expect(cancelled).toHaveLength(1);
        expect(types).not.toContain('delivery.scheduled');
        const reason = {
          'out-of-stock': 'OUT_OF_STOCK',
          declined: 'PAYMENT_FAILED',
          'cancelled-unpaid': 'CUSTOMER_CANCELLED',
          'payment-timeout': 'PAYMENT_TIMEOUT',
          'cancelled-by-customer': 'CUSTOMER_CANCELLED',
          'cancelled-by-store': 'ADMIN_CANCELLED',
        }[fate];
        expect(cancelled[0]!.data.reason).toBe(reason);
        const confirmed = types.includes('order.confirmed');
        expect(confirmed).toBe(fate === 'cancelled-by-customer' || fate === 'cancelled-by-store');
        // Whatever was captured goes back, in full; nothing else is refunded.
        const captured = ofType(events, 'payment.completed').reduce((sum, e) => sum + e.data.amount.amount, 0);
        const refunded = ofType(events, 'payment.refunded').reduce((sum, e) => sum + e.data.amount.amount, 0);
        expect(refunded).toBe(captured);
        expect(cancelled[0]!.data.paid).toBe(captured > 0);
        if (fate === 'declined') expect(types).toContain('payment.failed');
      }
    }
  });

  it('when the history is built, then every fate, method, store and zone is there, with peaks at lunch and in the evening', () => {
    for (const count of Object.values(history.orders)) expect(count).toBeGreaterThan(0);
    expect(history.orders.delivered / history.orderFates.size).toBeGreaterThan(0.7);
    const created = ofType(history.events, 'order.created');
    expect(new Set(created.map((e) => e.data.paymentMethod))).toEqual(new Set(['WALLET', 'CARD', 'UPI', 'COD']));
    expect(new Set(created.map((e) => e.data.storeId))).toEqual(new Set(city.stores.map((s) => s.id)));
    expect(new Set(created.map((e) => e.data.zoneId))).toEqual(new Set(city.zones.map((z) => z.id)));
    const hourOf = (e: CatalogEvent) =>
      Number(new Intl.DateTimeFormat('en-GB', { timeZone: city.timezone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(e.time)));
    const inHours = (hours: number[]) => created.filter((e) => hours.includes(hourOf(e))).length;
    expect(inHours([19, 20])).toBeGreaterThan(2 * inHours([15, 16]));
    expect(inHours([12, 13])).toBeGreaterThan(inHours([15, 16]));
    expect(inHours([3, 4, 5])).toBe(0); // every store is closed
    expect(ofType(history.events, 'inventory.out_of_stock').length).toBeGreaterThan(0);
  });

  it('when customers order on later days, then some come back: new and returning customers both, registered once each', () => {
    const registered = ofType(history.events, 'user.registered').map((e) => e.data.userId);
    expect(new Set(registered).size).toBe(registered.length);
    const created = ofType(history.events, 'order.created');
    const returning = created.filter((e) => !registered.includes(e.data.userId));
    expect(returning.length).toBeGreaterThan(created.length * 0.3);
    // Some who registered within the history order again on a later day.
    const firstDay = new Map<string, string>();
    let again = 0;
    for (const e of created) {
      const day = localDay(new Date(e.time), city.timezone);
      const first = firstDay.get(e.data.userId);
      if (first === undefined) firstDay.set(e.data.userId, day);
      else if (first < day && registered.includes(e.data.userId)) again++;
    }
    expect(again).toBeGreaterThan(0);
  });

  it('when run again later the same day, or the next day, then the days it shares have the very same event ids', () => {
    const later = buildHistory(world, { days: 3, ordersPerDay: 100, now: new Date(now.getTime() + 2 * 3_600_000) });
    expect(later.events.map((e) => e.id)).toEqual(history.events.map((e) => e.id));
    const nextDay = buildHistory(world, { days: 3, ordersPerDay: 100, now: new Date(now.getTime() + 24 * 3_600_000) });
    const ids = new Set(history.events.map((e) => e.id));
    const shared = nextDay.events.filter((e) => ids.has(e.id));
    const sharedDays = history.events.filter((e) => ['2026-03-10', '2026-03-11'].includes(localDay(new Date(e.time), city.timezone)));
    expect(shared.length).toBeGreaterThanOrEqual(sharedDays.length * 0.95);
    expect(nextDay.days).toEqual(['2026-03-10', '2026-03-11', '2026-03-12']);
  });

  it('when an order would end after now, then it is left out whole, for a later run', () => {
    // Stores open round the clock and a busy day: at 00:10 some of yesterday's last orders are still riding.
    const allDay = { ...world, stores: world.stores.map((s) => ({ ...s, opensAt: '00:00', closesAt: '00:00' })) };
    const justAfterMidnight = new Date('2026-03-11T18:40:00.000Z');
    const early = buildHistory(allDay, { days: 1, ordersPerDay: 1_000, now: justAfterMidnight });
    const full = buildHistory(allDay, { days: 1, ordersPerDay: 1_000, now });
    expect(early.days).toEqual(full.days);
    expect(early.orderFates.size).toBeGreaterThan(0);
    expect(early.orderFates.size).toBeLessThan(full.orderFates.size);
    const eventsOf = (h: typeof early, orderId: string) => h.events.filter((e) => (e.data as { orderId?: string }).orderId === orderId);
    for (const orderId of early.orderFates.keys()) expect(eventsOf(early, orderId)).toEqual(eventsOf(full, orderId));
    for (const event of early.events) expect(Date.parse(event.time)).toBeLessThanOrEqual(justAfterMidnight.getTime());
  });

  it('when an id is made, then it is a UUIDv7 of the given time, the same for the same key', () => {
    const at = new Date('2026-03-10T07:30:00.000Z');
    const a = historyId('2026-03-10/order/1/0', at);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(a.replace(/-/g, '').slice(0, 12), 16)).toBe(at.getTime());
    expect(historyId('2026-03-10/order/1/0', at)).toBe(a);
    expect(historyId('2026-03-10/order/2/0', at)).not.toBe(a);
  });
});
