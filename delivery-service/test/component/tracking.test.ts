import {
  aKnownStore,
  aPartner,
  deliveryOf,
  KORAMANGALA,
  openStream,
  orderConfirmed,
  startDeliveryService,
  type DeliveryUnderTest,
  type SseClient,
} from '../fixtures';

/** Live tracking over Server-Sent Events, fed by the real broker and Redis pub/sub. */
describe('delivery tracking stream', () => {
  let delivery: DeliveryUnderTest;

  beforeAll(async () => {
    delivery = await startDeliveryService({ label: 'delivery_tracking', env: { LOCATION_MIN_INTERVAL_MS: '0' } });
  }, 90_000);

  afterAll(async () => {
    await delivery?.stop();
  }, 30_000);

  const post = (path: string, token: string, body: object = {}) => delivery.api().post(path).set('authorization', token).send(body);
  const streamPath = (orderId: string) => `/api/v1/deliveries/${orderId}/stream`;
  const endsWithin = (stream: SseClient, ms = 5_000) =>
    Promise.race([stream.ended.then(() => 'ended'), new Promise((resolve) => setTimeout(() => resolve('still open'), ms))]);

  it('when the customer follows a delivery, then the stream shows it scheduled, started, the rider moving with an ETA, and completed', async () => {
    const storeId = await aKnownStore(delivery);
    const order = orderConfirmed(storeId);
    const customer = delivery.customer(order.userId);
    await delivery.publish(order.event);
    await deliveryOf(delivery, order);

    // No partner online yet: the stream starts with the queued delivery and the wait for a partner.
    const stream = await openStream(delivery.service.server, streamPath(order.orderId), customer);
    expect(stream.status).toBe(200);
    expect((await stream.next((e) => e.event === 'snapshot')).data).toMatchObject({
      status: 'QUEUED',
      queue: { ahead: 0, waitMinutes: 30 },
      partner: null,
    });
    const partner = await aPartner(delivery, storeId);
    expect((await stream.next((e) => e.event === 'scheduled')).data).toMatchObject({
      status: 'ASSIGNED',
      partner: { id: partner.id, vehicle: 'EV_SCOOTER' },
      etaMinutes: expect.any(Number),
    });
    const { otp } = await deliveryOf(delivery, order);

    await post(`/api/v1/deliveries/${order.orderId}/accept`, partner.token);
    await post(`/api/v1/deliveries/${order.orderId}/pickup`, partner.token);
    expect((await stream.next((e) => e.event === 'started')).data).toMatchObject({ status: 'PICKED_UP' });
    for (const step of [1, 2, 3]) {
      const at = { lat: KORAMANGALA.lat + 0.003 * step, lng: KORAMANGALA.lng + 0.003 * step };
      expect((await post('/api/v1/partners/me/location', partner.token, at)).status).toBe(204);
    }
    const positions = await stream.next(
      (e) => e.event === 'position' && e.data.position !== null && (e.data.position as { lat: number }).lat > KORAMANGALA.lat + 0.008,
    );
    expect(positions.data).toMatchObject({ status: 'PICKED_UP', etaMinutes: expect.any(Number) });
    const etas = stream.events.filter((e) => e.event === 'position').map((e) => e.data.etaMinutes as number);
    expect(etas).toHaveLength(3);
    expect(etas[2]).toBeLessThanOrEqual(etas[0]!);

    await post(`/api/v1/deliveries/${order.orderId}/complete`, partner.token, { otp });
    expect((await stream.next((e) => e.event === 'completed')).data).toMatchObject({ status: 'DELIVERED' });
    // The server ends the stream after the last event: nothing follows it.
    expect(await endsWithin(stream)).toBe('ended');
    const types = stream.events.map((e) => e.event).filter((t) => t !== 'snapshot');
    expect(types).toEqual(['scheduled', 'started', 'position', 'position', 'position', 'completed']);
    expect(stream.events[0]!.event).toBe('snapshot');
    // Ids only grow: they are what a reconnecting client resumes after.
    const ids = stream.events.map((e) => e.id!);
    expect(
      [...ids].sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]) || Number(a.split('-')[1]) - Number(b.split('-')[1])),
    ).toEqual(ids);
    stream.close();
  }, 30_000);

  it('when a stream reconnects with Last-Event-ID, then it gets what it missed and nothing twice', async () => {
    const storeId = await aKnownStore(delivery);
    const partner = await aPartner(delivery, storeId);
    const order = orderConfirmed(storeId);
    const customer = delivery.customer(order.userId);
    await delivery.publish(order.event);
    await deliveryOf(delivery, order);
    await post(`/api/v1/deliveries/${order.orderId}/accept`, partner.token);
    await post(`/api/v1/deliveries/${order.orderId}/pickup`, partner.token);

    const first = await openStream(delivery.service.server, streamPath(order.orderId), customer);
    await first.next((e) => e.event === 'started');
    await post('/api/v1/partners/me/location', partner.token, { lat: 12.94, lng: 77.63 });
    const seen = await first.next((e) => e.event === 'position');
    first.close();
    await first.ended;

    // Missed while disconnected.
    await post('/api/v1/partners/me/location', partner.token, { lat: 12.941, lng: 77.631 });
    await post('/api/v1/partners/me/location', partner.token, { lat: 12.942, lng: 77.632 });
    const again = await openStream(delivery.service.server, streamPath(order.orderId), customer, seen.id);
    await again.next((e) => (e.data.position as { lat: number } | undefined)?.lat === 12.942);
    expect(again.events.map((e) => [e.event, (e.data.position as { lat: number } | undefined)?.lat])).toEqual([
      ['position', 12.941],
      ['position', 12.942],
    ]);
    // An id the log cannot resume from gets a fresh snapshot.
    const lost = await openStream(delivery.service.server, streamPath(order.orderId), customer, 'not-an-id');
    expect((await lost.next(() => true)).event).toBe('snapshot');
    again.close();
    lost.close();
  });

  it('when a client connects to a delivery that has ended, then it gets the snapshot, or what it missed up to the end, and the stream ends', async () => {
    const storeId = await aKnownStore(delivery);
    const partner = await aPartner(delivery, storeId);
    const order = orderConfirmed(storeId);
    const customer = delivery.customer(order.userId);
    await delivery.publish(order.event);
    const { otp } = await deliveryOf(delivery, order);
    await post(`/api/v1/deliveries/${order.orderId}/accept`, partner.token);
    const before = await openStream(delivery.service.server, streamPath(order.orderId), customer);
    await before.next((e) => e.event === 'snapshot');
    await post(`/api/v1/deliveries/${order.orderId}/pickup`, partner.token);
    const { id: seenId } = await before.next((e) => e.event === 'started');
    before.close();
    expect((await post(`/api/v1/deliveries/${order.orderId}/complete`, partner.token, { otp })).status).toBe(200);
    // Told once committed and read back from the broker: wait until a stream would have seen it.
    const watcher = await openStream(delivery.service.server, streamPath(order.orderId), delivery.admin, seenId);
    await watcher.next((e) => e.event === 'completed');

    const fresh = await openStream(delivery.service.server, streamPath(order.orderId), customer);
    expect(await endsWithin(fresh)).toBe('ended');
    expect(fresh.events.map((e) => [e.event, e.data.status])).toEqual([['snapshot', 'DELIVERED']]);

    const resumed = await openStream(delivery.service.server, streamPath(order.orderId), customer, seenId);
    expect(await endsWithin(resumed)).toBe('ended');
    expect(resumed.events.map((e) => e.event)).toEqual(['completed']);
    expect(await endsWithin(watcher)).toBe('ended');
  });

  it('when someone other than the customer, the partner or an admin asks for the stream, then 404', async () => {
    const storeId = await aKnownStore(delivery);
    const partner = await aPartner(delivery, storeId);
    const order = orderConfirmed(storeId);
    await delivery.publish(order.event);
    await deliveryOf(delivery, order);
    const otherPartner = await aPartner(delivery, storeId, { online: false });

    const customerB = await openStream(delivery.service.server, streamPath(order.orderId), delivery.customer());
    expect(customerB.status).toBe(404);
    expect(customerB.events).toEqual([]);
    expect((await openStream(delivery.service.server, streamPath(order.orderId), otherPartner.token)).status).toBe(404);
    expect((await openStream(delivery.service.server, streamPath(order.orderId), 'Bearer nonsense')).status).toBe(401);
    for (const token of [partner.token, delivery.admin]) {
      const allowed = await openStream(delivery.service.server, streamPath(order.orderId), token);
      expect(allowed.status).toBe(200);
      allowed.close();
    }
  });

  it('when a partner turns the delivery down, then their open stream ends, the next partner’s moves never reach them, and reconnecting is a 404', async () => {
    const storeId = await aKnownStore(delivery);
    const first = await aPartner(delivery, storeId, { at: KORAMANGALA });
    const order = orderConfirmed(storeId);
    await delivery.publish(order.event);
    expect(await deliveryOf(delivery, order)).toMatchObject({ status: 'ASSIGNED', partner: { id: first.id } });
    const customer = await openStream(delivery.service.server, streamPath(order.orderId), delivery.customer(order.userId));
    const firsts = await openStream(delivery.service.server, streamPath(order.orderId), first.token);
    expect(firsts.status).toBe(200);
    await firsts.next((e) => e.event === 'snapshot');

    expect((await post(`/api/v1/deliveries/${order.orderId}/reject`, first.token, { reason: 'too far' })).status).toBe(204);
    const ended = await Promise.race([firsts.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still open'), 5_000))]);
    expect(ended).toBe('ended');

    const second = await aPartner(delivery, storeId, { at: KORAMANGALA });
    expect(await deliveryOf(delivery, order)).toMatchObject({ status: 'ASSIGNED', partner: { id: second.id } });
    await post(`/api/v1/deliveries/${order.orderId}/accept`, second.token);
    await post(`/api/v1/deliveries/${order.orderId}/pickup`, second.token);
    expect((await post('/api/v1/partners/me/location', second.token, { lat: 12.94, lng: 77.63 })).status).toBe(204);
    await customer.next((e) => e.event === 'position');
    expect(firsts.events.map((e) => e.event)).toEqual(['snapshot']);
    expect((await openStream(delivery.service.server, streamPath(order.orderId), first.token)).status).toBe(404);
    customer.close();
  });

  it('when the access token expires, then the stream ends so the client reconnects with a fresh one', async () => {
    const storeId = await aKnownStore(delivery);
    await aPartner(delivery, storeId);
    const order = orderConfirmed(storeId);
    await delivery.publish(order.event);
    await deliveryOf(delivery, order);
    const shortLived = delivery.issuer.bearer({ role: 'customer', userId: order.userId, expiresInSeconds: 2 });
    const stream = await openStream(delivery.service.server, streamPath(order.orderId), shortLived);
    expect(stream.status).toBe(200);
    await stream.ended;
  });
});
