import { eventually, rootQuery } from '@qc/shared/testing';
import { startAnalyticsService, type AnalyticsUnderTest } from '../fixtures';
import { EventPublisher, eventAt, id } from '../story';

/**
 * Deliveries that end because their order did (delivery.cancelled): the partner's busy time stops
 * there, whatever order the events come in and however often they come.
 */
describe('analytics: deliveries ended by their order', () => {
  let analytics: AnalyticsUnderTest;
  let publisher: EventPublisher;
  let analyst: string;
  const storeId = id();
  const day = '2025-04-17';
  const at = (time: string) => new Date(`${day}T${time}:00.000Z`);

  const partners = () =>
    analytics
      .api()
      .get('/api/v1/analytics/partners')
      .set('authorization', analyst)
      .query({ from: `${day}T10:00:00Z`, to: `${day}T11:00:00Z`, storeId });

  beforeAll(async () => {
    analytics = await startAnalyticsService({ label: 'analytics_delivery_ends' });
    analyst = analytics.issuer.bearer({ role: 'analyst', expiresInSeconds: 900 });
    publisher = await EventPublisher.connect();
  }, 90_000);

  afterAll(async () => {
    await publisher?.close();
    await analytics?.stop();
  }, 30_000);

  it('when an order ends its delivery (cancelled, returned, closed), then the partner is busy until then, once, whatever the arrival order', async () => {
    const [cancelledBy, returnedBy, turnedDownBy] = [id(), id(), id()];
    const delivery = (partnerId: string, scheduledAt: string) => {
      const [orderId, userId, deliveryId] = [id(), id(), id()];
      return {
        orderId,
        userId,
        deliveryId,
        confirmed: eventAt(
          at(scheduledAt),
          'order.confirmed',
          { orderId, userId, storeId, items: [{ productId: id(), quantity: 1 }] },
          orderId,
        ),
        scheduled: eventAt(at(scheduledAt), 'delivery.scheduled', { deliveryId, orderId, partnerId, etaMinutes: 10, storeId }, orderId),
      };
    };
    const ended = (d: ReturnType<typeof delivery>, time: string, outcome: 'CANCELLED' | 'RETURNED' | 'CLOSED', partnerId?: string) =>
      eventAt(
        at(time),
        'delivery.cancelled',
        {
          deliveryId: d.deliveryId,
          orderId: d.orderId,
          storeId,
          userId: d.userId,
          ...(partnerId ? { partnerId } : {}),
          outcome,
          reason: outcome === 'CLOSED' ? 'ORDER_DELIVERED' : 'CUSTOMER_CANCELLED',
          endedAt: at(time).toISOString(),
        },
        d.orderId,
      );
    // Cancelled 20 minutes into the ride; returned after pickup 30 minutes in; the third was turned
    // down (no event) and still queued, with no partner on it, when its order was marked delivered.
    const cancelled = delivery(cancelledBy, '10:00');
    const returned = delivery(returnedBy, '10:10');
    const closed = delivery(turnedDownBy, '10:00');
    const ends = [
      ended(cancelled, '10:20', 'CANCELLED', cancelledBy),
      ended(returned, '10:40', 'RETURNED', returnedBy),
      ended(closed, '10:45', 'CLOSED'),
    ];
    const started = eventAt(at('10:15'), 'delivery.started', {
      deliveryId: returned.deliveryId,
      orderId: returned.orderId,
      partnerId: returnedBy,
    });

    // Each end overtakes its delivery's assignment, and comes twice.
    await publisher.publish(...ends, started, ...[cancelled, returned, closed].flatMap((d) => [d.confirmed, d.scheduled]), ...ends);

    const busy = { [cancelledBy]: 20, [returnedBy]: 30, [turnedDownBy]: 45 };
    const rows = await eventually(async () => {
      const res = await partners();
      const found = res.body.data?.rows as { partnerId: string; busyMinutes: number }[] | undefined;
      return found?.length === 3 && found.every((r) => r.busyMinutes === busy[r.partnerId]) && found;
    }, 30_000);
    expect(rows).toEqual(
      [cancelledBy, returnedBy, turnedDownBy]
        .map((partnerId) => ({
          partnerId,
          delivered: 0,
          failed: 0,
          busyMinutes: busy[partnerId]!,
          utilisation: Math.round((busy[partnerId]! / 60) * 10_000) / 10_000,
        }))
        .sort((a, b) => b.busyMinutes - a.busyMinutes),
    );

    // The ends told again, then a marker on each of their partitions (a failure of another
    // delivery of the same order, with no partner): once the markers are in, so are the repeats.
    const markers = [cancelled, returned, closed].map((d) =>
      eventAt(at('10:59'), 'delivery.failed', { deliveryId: id(), orderId: d.orderId, reason: 'MARKER' }, d.orderId),
    );
    await publisher.publish(...ends, ...markers);
    await eventually(async () => {
      const [row] = (await rootQuery(`SELECT COUNT(*) AS n FROM \`${analytics.schema.name}\`.processed_events WHERE event_id IN (?)`, [
        markers.map((m) => m.id),
      ])) as { n: number }[];
      return Number(row!.n) === markers.length;
    }, 20_000);
    expect((await partners()).body.data.rows).toEqual(rows);
  }, 60_000);
});
