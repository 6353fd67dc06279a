import type { Server } from 'node:http';
import request from 'supertest';
import { outboxEvents, rootQuery, eventually } from '@qc/shared/testing';
import {
  aKnownStore,
  deliveryOf,
  aPartner,
  KORAMANGALA,
  openStream,
  orderConfirmed,
  startDeliveryService,
  type ConfirmedOrder,
  type DeliveryUnderTest,
  type TestPartner,
} from '../fixtures';

/**
 * Assignment under load, with two instances of the service sharing the schema, Redis and the
 * consumer group (the broker splits order.events' partitions between them), and partners working
 * through both instances' HTTP APIs at once. The service reads the broker's shared topics from
 * their start, so other suites' orders become deliveries here too: every count is of this test's store.
 */
describe('assignment under load', () => {
  let delivery: DeliveryUnderTest;
  let replicaApi: () => ReturnType<DeliveryUnderTest['api']>;
  let replicaServer: Server;

  beforeAll(async () => {
    delivery = await startDeliveryService({ label: 'delivery_assign', env: { DISPATCH_INTERVAL_MS: '500' } });
    const replica = await delivery.startReplica();
    replicaServer = replica.server;
    replicaApi = () => request(replica.server);
  }, 120_000);

  afterAll(async () => {
    await delivery?.stop();
  }, 30_000);

  const query = async <T>(sql: string, params: unknown[] = []) =>
    (await rootQuery(sql.replaceAll('{db}', `\`${delivery.schema.name}\``), params)) as T[];

  it('when 50 orders are confirmed at once with 10 partners online, then 10 are assigned, 40 queued, and the queue is served in order as deliveries complete, never two at once per partner', async () => {
    const storeId = await aKnownStore(delivery);
    const partners: TestPartner[] = [];
    for (let i = 0; i < 10; i++) {
      partners.push(await aPartner(delivery, storeId, { at: { lat: KORAMANGALA.lat + 0.001 * i, lng: KORAMANGALA.lng } }));
    }
    const orders: ConfirmedOrder[] = Array.from({ length: 50 }, (_, i) =>
      orderConfirmed(storeId, i % 5 === 0 ? { paymentMethod: 'COD', total: { amount: 10_000 + i, currency: 'INR' } } : {}),
    );
    await delivery.publish(...orders.map((o) => o.event));
    const byOrder = new Map(orders.map((o) => [o.orderId, o]));
    const ownEvents = async (type: 'delivery.scheduled' | 'delivery.completed') =>
      (await outboxEvents(delivery.schema, type)).filter((e) => byOrder.has(e.data.orderId));

    // Statuses in the ENUM's order (QUEUED, ASSIGNED, …, DELIVERED).
    const counts = () =>
      query<{ status: string; n: number }>(
        'SELECT status, COUNT(*) AS n FROM {db}.deliveries WHERE store_id = ? GROUP BY status ORDER BY status',
        [storeId],
      );
    await eventually(async () => {
      const rows = await counts();
      return rows.reduce((sum, r) => sum + Number(r.n), 0) === 50 && rows;
    }, 60_000);
    expect((await counts()).map((r) => [r.status, Number(r.n)])).toEqual([
      ['QUEUED', 40],
      ['ASSIGNED', 10],
    ]);
    // A queued order shows its place and the wait for a partner.
    const queued = (
      await query<{ order_id: string; user_id: string }>(
        "SELECT order_id, user_id FROM {db}.deliveries WHERE status = 'QUEUED' AND store_id = ? ORDER BY queued_at DESC LIMIT 1",
        [storeId],
      )
    )[0]!;
    const last = await delivery.api().get(`/api/v1/deliveries/${queued.order_id}`).set('authorization', delivery.customer(queued.user_id));
    expect(last.body.data.queue).toEqual({ ahead: 39, waitMinutes: expect.any(Number) });
    expect(last.body.data.queue.waitMinutes).toBeGreaterThan(0);

    // Every partner works through both instances at once until all 50 are delivered.
    const work = async (partner: TestPartner, index: number) => {
      const api = index % 2 === 0 ? delivery.api : replicaApi;
      for (;;) {
        const delivered = await query<{ n: number }>(
          "SELECT COUNT(*) AS n FROM {db}.deliveries WHERE status = 'DELIVERED' AND store_id = ?",
          [storeId],
        );
        if (Number(delivered[0]!.n) === 50) return;
        const me = await api().get('/api/v1/partners/me').set('authorization', partner.token);
        const current = me.body.data.activeDelivery as { orderId: string } | null;
        if (!current) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        const order = byOrder.get(current.orderId)!;
        const seen = await api().get(`/api/v1/deliveries/${order.orderId}`).set('authorization', delivery.customer(order.userId));
        const act = (path: string, body: object = {}) =>
          api().post(`/api/v1/deliveries/${order.orderId}/${path}`).set('authorization', partner.token).send(body);
        expect((await act('accept')).status).toBe(200);
        expect((await act('pickup')).status).toBe(200);
        const cod = seen.body.data.codDue ? { codCollected: seen.body.data.codDue } : {};
        expect((await act('complete', { otp: seen.body.data.otp, ...cod })).status).toBe(200);
      }
    };
    await Promise.all(partners.map(work));

    expect((await counts()).map((r) => [r.status, Number(r.n)])).toEqual([['DELIVERED', 50]]);
    // Each partner's history alternates: given one, handed it over, given the next.
    const history = await query<{ partner_id: string; status: string; delivery_id: string }>(
      "SELECT partner_id, status, delivery_id FROM {db}.delivery_history WHERE status IN ('ASSIGNED', 'DELIVERED') ORDER BY id",
    );
    for (const partner of partners) {
      const own = history.filter((h) => h.partner_id === partner.id);
      expect(own.length).toBeGreaterThanOrEqual(2);
      own.forEach((h, i) => expect(h.status).toBe(i % 2 === 0 ? 'ASSIGNED' : 'DELIVERED'));
      for (let i = 0; i < own.length; i += 2) expect(own[i + 1]?.delivery_id).toBe(own[i]!.delivery_id);
    }
    // First come, first served: deliveries were assigned in the order they were queued.
    const assignedOrder = await query<{ queued_at: Date }>(
      "SELECT d.queued_at FROM {db}.delivery_history h JOIN {db}.deliveries d ON d.id = h.delivery_id WHERE h.status = 'ASSIGNED' AND d.store_id = ? ORDER BY h.id",
      [storeId],
    );
    const times = assignedOrder.map((r) => new Date(r.queued_at).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(await ownEvents('delivery.scheduled')).toHaveLength(50);
    expect(await ownEvents('delivery.completed')).toHaveLength(50);

    // Redelivered order.confirmed events (the same ids, and new ids for the same orders) change nothing.
    await delivery.publish(...orders.map((o) => o.event));
    const again = orderConfirmed(storeId, { orderId: orders[0]!.orderId, userId: orders[0]!.userId });
    await delivery.publish(again.event);
    await eventually(async () => {
      const rows = await query<{ n: number }>('SELECT COUNT(*) AS n FROM {db}.processed_events WHERE event_id = ?', [again.event.id]);
      return Number(rows[0]!.n) === 1;
    });
    expect((await counts()).map((r) => [r.status, Number(r.n)])).toEqual([['DELIVERED', 50]]);
    expect(await ownEvents('delivery.scheduled')).toHaveLength(50);
  }, 180_000);

  it('when the customer streams from one instance and the rider reports to the other, then positions still arrive', async () => {
    const storeId = await aKnownStore(delivery);
    const partner = await aPartner(delivery, storeId);
    const order = orderConfirmed(storeId);
    await delivery.publish(order.event);
    await deliveryOf(delivery, order);
    const stream = await openStream(replicaServer, `/api/v1/deliveries/${order.orderId}/stream`, delivery.customer(order.userId));
    expect(stream.status).toBe(200);
    await stream.next((e) => e.event === 'snapshot');
    expect(
      (await delivery.api().post('/api/v1/partners/me/location').set('authorization', partner.token).send({ lat: 12.94, lng: 77.63 }))
        .status,
    ).toBe(204);
    expect((await stream.next((e) => e.event === 'position')).data).toMatchObject({ position: { lat: 12.94, lng: 77.63 } });
    stream.close();
  }, 30_000);
});
