import { randomUUID } from 'node:crypto';
import { outboxEvents, rootQuery } from '@qc/shared/testing';
import { aKnownStore, aPartner, deliveryOf, KORAMANGALA, orderConfirmed, startDeliveryService, type DeliveryUnderTest } from '../fixtures';

/** A partner's day through the HTTP API, with orders arriving through the real broker. */
describe('delivery flow', () => {
  let delivery: DeliveryUnderTest;

  beforeAll(async () => {
    delivery = await startDeliveryService({ label: 'delivery_flow', env: { LOCATION_MIN_INTERVAL_MS: '300' } });
  }, 90_000);

  afterAll(async () => {
    await delivery?.stop();
  }, 30_000);

  const post = (path: string, token: string, body: object = {}) => delivery.api().post(path).set('authorization', token).send(body);

  it('when an order is confirmed, then the nearest free partner gets it with an ETA, and the customer alone sees the code', async () => {
    const storeId = await aKnownStore(delivery);
    const far = await aPartner(delivery, storeId, { at: { lat: KORAMANGALA.lat + 0.03, lng: KORAMANGALA.lng } });
    const near = await aPartner(delivery, storeId, { at: { lat: KORAMANGALA.lat + 0.002, lng: KORAMANGALA.lng } });
    const order = orderConfirmed(storeId);
    await delivery.publish(order.event);

    const seen = await deliveryOf(delivery, order);
    expect(seen).toMatchObject({ status: 'ASSIGNED', partner: { id: near.id }, otp: expect.stringMatching(/^\d{4}$/) });
    expect(seen.etaMinutes).toBeGreaterThan(4);
    const [scheduled] = (await outboxEvents(delivery.schema, 'delivery.scheduled')).filter((e) => e.data.orderId === order.orderId);
    expect(scheduled?.data).toMatchObject({ partnerId: near.id, userId: order.userId, storeId, etaMinutes: expect.any(Number) });

    const asPartner = await delivery.api().get(`/api/v1/deliveries/${order.orderId}`).set('authorization', near.token);
    expect(asPartner.status).toBe(200);
    expect(asPartner.body.data.otp).toBeNull();
    const asAdmin = await delivery.api().get(`/api/v1/deliveries/${order.orderId}`).set('authorization', delivery.admin);
    expect(asAdmin.body.data.otp).toBeNull();
    // Only a keyed hash and a sealed copy are stored, never the code itself.
    const [row] = (await rootQuery(`SELECT otp_hash, otp_sealed FROM \`${delivery.schema.name}\`.deliveries WHERE order_id = ?`, [
      order.orderId,
    ])) as { otp_hash: string; otp_sealed: string }[];
    expect(row!.otp_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.otp_sealed).not.toContain(seen.otp);
    expect(far.id).not.toBe(near.id);
  });

  it('when partner B acts on partner A’s delivery or a customer reads another’s, then 404 and nothing changes', async () => {
    const storeId = await aKnownStore(delivery);
    const a = await aPartner(delivery, storeId);
    const order = orderConfirmed(storeId);
    await delivery.publish(order.event);
    await deliveryOf(delivery, order);
    const b = await aPartner(delivery, storeId);

    for (const action of ['accept', 'reject', 'pickup', 'fail']) {
      const res = await post(`/api/v1/deliveries/${order.orderId}/${action}`, b.token, action === 'fail' ? { reason: 'not mine' } : {});
      expect({ action, status: res.status, code: res.body.errorCode }).toEqual({ action, status: 404, code: 'DELIVERY_NOT_FOUND' });
    }
    expect((await post(`/api/v1/deliveries/${order.orderId}/complete`, b.token, { otp: '1234' })).status).toBe(404);
    expect((await delivery.api().get(`/api/v1/deliveries/${order.orderId}`).set('authorization', b.token)).status).toBe(404);
    expect((await delivery.api().get(`/api/v1/deliveries/${order.orderId}`).set('authorization', delivery.customer())).status).toBe(404);
    expect(await deliveryOf(delivery, order)).toMatchObject({ status: 'ASSIGNED', partner: { id: a.id } });
    // A customer may not act as a partner at all.
    expect((await post(`/api/v1/deliveries/${order.orderId}/accept`, delivery.customer(order.userId))).status).toBe(403);
  });

  it('when the partner accepts, picks up and gives the right code, then delivery.started and delivery.completed, and the partner is free', async () => {
    const storeId = await aKnownStore(delivery);
    const partner = await aPartner(delivery, storeId);
    const order = orderConfirmed(storeId);
    await delivery.publish(order.event);
    const { otp } = await deliveryOf(delivery, order);

    expect((await post(`/api/v1/deliveries/${order.orderId}/pickup`, partner.token)).status).toBe(409); // accept first
    expect((await post(`/api/v1/deliveries/${order.orderId}/accept`, partner.token)).body.data.status).toBe('ACCEPTED');
    expect((await post(`/api/v1/deliveries/${order.orderId}/complete`, partner.token, { otp: otp! })).status).toBe(409); // not picked up
    expect((await post(`/api/v1/deliveries/${order.orderId}/pickup`, partner.token)).body.data.status).toBe('PICKED_UP');
    const done = await post(`/api/v1/deliveries/${order.orderId}/complete`, partner.token, { otp: otp! });
    expect(done.status).toBe(200);
    expect(done.body.data.status).toBe('DELIVERED');

    const events = (await outboxEvents(delivery.schema)).filter((e) => e.subject === order.orderId).map((e) => e.type);
    expect(events).toEqual(['delivery.scheduled', 'delivery.started', 'delivery.completed']);
    const me = await delivery.api().get('/api/v1/partners/me').set('authorization', partner.token);
    expect(me.body.data).toMatchObject({ status: 'ONLINE', activeDelivery: null, completedCount: 1 });
    expect((await deliveryOf(delivery, order)).otp).toBeNull();
  });

  it('when a wrong code is given 5 times, then the code is locked and even the right one is refused until an admin reissues it', async () => {
    const storeId = await aKnownStore(delivery);
    const partner = await aPartner(delivery, storeId);
    const order = orderConfirmed(storeId);
    await delivery.publish(order.event);
    const { otp } = await deliveryOf(delivery, order);
    await post(`/api/v1/deliveries/${order.orderId}/accept`, partner.token);
    await post(`/api/v1/deliveries/${order.orderId}/pickup`, partner.token);
    const wrong = otp === '0000' ? '0001' : '0000';

    const answers = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(`/api/v1/deliveries/${order.orderId}/complete`, partner.token, { otp: wrong });
      answers.push([res.status, res.body.errorCode, res.body.details?.[0]?.attemptsLeft]);
    }
    expect(answers).toEqual([
      [422, 'DELIVERY_OTP_INVALID', 4],
      [422, 'DELIVERY_OTP_INVALID', 3],
      [422, 'DELIVERY_OTP_INVALID', 2],
      [422, 'DELIVERY_OTP_INVALID', 1],
      [422, 'DELIVERY_OTP_INVALID', 0],
    ]);
    const locked = await post(`/api/v1/deliveries/${order.orderId}/complete`, partner.token, { otp: otp! });
    expect(locked.status).toBe(409);
    expect(locked.body.errorCode).toBe('DELIVERY_OTP_LOCKED');
    expect(await deliveryOf(delivery, order)).toMatchObject({ status: 'PICKED_UP', otpLocked: true, otp: null });
    expect((await outboxEvents(delivery.schema, 'delivery.completed')).filter((e) => e.subject === order.orderId)).toHaveLength(0);

    expect((await post(`/api/v1/deliveries/${order.orderId}/otp/reissue`, delivery.admin)).status).toBe(204);
    const fresh = await deliveryOf(delivery, order);
    expect(fresh).toMatchObject({ otpLocked: false, otp: expect.stringMatching(/^\d{4}$/) });
    expect((await post(`/api/v1/deliveries/${order.orderId}/complete`, partner.token, { otp: fresh.otp! })).status).toBe(200);
  });

  it('when a cash order is handed over, then exactly the amount due must be collected, and it is recorded', async () => {
    const storeId = await aKnownStore(delivery);
    const partner = await aPartner(delivery, storeId);
    const order = orderConfirmed(storeId, { paymentMethod: 'COD', total: { amount: 31_500, currency: 'INR' } });
    await delivery.publish(order.event);
    const { otp } = await deliveryOf(delivery, order);
    await post(`/api/v1/deliveries/${order.orderId}/accept`, partner.token);
    await post(`/api/v1/deliveries/${order.orderId}/pickup`, partner.token);

    const missing = await post(`/api/v1/deliveries/${order.orderId}/complete`, partner.token, { otp });
    expect([missing.status, missing.body.errorCode]).toEqual([422, 'COD_AMOUNT_MISMATCH']);
    const short = await post(`/api/v1/deliveries/${order.orderId}/complete`, partner.token, {
      otp,
      codCollected: { amount: 30_000, currency: 'INR' },
    });
    expect(short.status).toBe(422);
    const paid = await post(`/api/v1/deliveries/${order.orderId}/complete`, partner.token, {
      otp,
      codCollected: { amount: 31_500, currency: 'INR' },
    });
    expect(paid.status).toBe(200);
    const [completed] = (await outboxEvents(delivery.schema, 'delivery.completed')).filter((e) => e.subject === order.orderId);
    expect(completed?.data.codCollected).toEqual({ amount: 31_500, currency: 'INR' });
    expect(await deliveryOf(delivery, order)).toMatchObject({ codDue: { amount: 31_500 }, codCollected: { amount: 31_500 } });
  });

  it('when the partner turns an offer down, then it goes to the next partner, and a failed delivery frees its partner', async () => {
    const storeId = await aKnownStore(delivery);
    const first = await aPartner(delivery, storeId, { at: KORAMANGALA });
    const order = orderConfirmed(storeId);
    await delivery.publish(order.event);
    await deliveryOf(delivery, order);
    const second = await aPartner(delivery, storeId, { at: { lat: KORAMANGALA.lat + 0.02, lng: KORAMANGALA.lng } });

    expect((await post(`/api/v1/deliveries/${order.orderId}/reject`, first.token, { reason: 'tyre puncture' })).status).toBe(204);
    expect(await deliveryOf(delivery, order)).toMatchObject({ status: 'ASSIGNED', partner: { id: second.id } });
    await post(`/api/v1/deliveries/${order.orderId}/accept`, second.token);
    expect((await post(`/api/v1/partners/me/offline`, second.token)).status).toBe(409);
    const failed = await post(`/api/v1/deliveries/${order.orderId}/fail`, second.token, { reason: 'store closed the order' });
    expect(failed.body.data).toMatchObject({ status: 'FAILED', failureReason: 'store closed the order' });
    const [event] = (await outboxEvents(delivery.schema, 'delivery.failed')).filter((e) => e.subject === order.orderId);
    expect(event?.data).toMatchObject({ reason: 'store closed the order', partnerId: second.id });
    expect((await post(`/api/v1/partners/me/offline`, second.token)).body.data).toMatchObject({ status: 'OFFLINE', activeDelivery: null });
  });

  it('when positions are reported, then bad ones are refused, fast ones get 429, and good ones are kept and trailed', async () => {
    const storeId = await aKnownStore(delivery);
    const partner = await aPartner(delivery, storeId);
    for (const bad of [
      { lat: 91, lng: 77 },
      { lat: 12.9, lng: 181 },
      { lat: 12.9, lng: 77.6, accuracy: -1 },
      { lat: 12.9, lng: 77.6, heading: 360 },
      { lat: 12.9 },
      { lat: 12.9, lng: 77.6, speed: 3 },
    ]) {
      expect((await post('/api/v1/partners/me/location', partner.token, bad)).status).toBe(400);
    }
    expect((await post('/api/v1/partners/me/location', partner.token, { lat: 12.94, lng: 77.62, accuracy: 8, heading: 90 })).status).toBe(
      204,
    );
    const fast = await post('/api/v1/partners/me/location', partner.token, { lat: 12.941, lng: 77.62 });
    expect(fast.status).toBe(429);
    expect(fast.headers['retry-after']).toBeDefined();
    const me = await delivery.api().get('/api/v1/partners/me').set('authorization', partner.token);
    expect(me.body.data.position).toMatchObject({ lat: 12.94, lng: 77.62, heading: 90 });
    const { eventually } = await import('@qc/shared/testing');
    await eventually(async () => {
      const rows = (await rootQuery(`SELECT lat FROM \`${delivery.schema.name}\`.partner_trail WHERE partner_id = ?`, [
        partner.id,
      ])) as unknown[];
      return rows.length === 1;
    });

    const stranger = delivery.issuer.bearer({ role: 'delivery_partner', userId: randomUUID() });
    expect((await post('/api/v1/partners/me/location', stranger, { lat: 12.94, lng: 77.62 })).status).toBe(404);
    const offline = await aPartner(delivery, storeId, { online: false });
    expect((await post('/api/v1/partners/me/location', offline.token, { lat: 12.94, lng: 77.62 })).status).toBe(409);
  });

  it('when an admin onboards a partner badly or twice, then 400 or 409; nobody else may onboard', async () => {
    const storeId = randomUUID();
    const body = { userId: randomUUID(), name: 'Asha', phone: '+919800000001', storeId, vehicle: 'BICYCLE' };
    expect((await post('/api/v1/partners', delivery.customer(), body)).status).toBe(403);
    expect((await post('/api/v1/partners', delivery.admin, { ...body, vehicle: 'JET' })).status).toBe(400);
    expect((await post('/api/v1/partners', delivery.admin, { ...body, phone: '98000' })).status).toBe(400);
    expect((await post('/api/v1/partners', delivery.admin, body)).status).toBe(201);
    expect((await post('/api/v1/partners', delivery.admin, body)).status).toBe(409);
  });
});
