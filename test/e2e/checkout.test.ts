import { createHmac, randomUUID } from 'node:crypto';
import { serviceSpec } from '@qc/shared/fleet';
import { eventually } from '@qc/shared/testing';
import { orderNumber } from '../../notification-service/src/domain/rules';
import { asRoot, startFleetUnderTest, type FleetUnderTest } from './fleet-under-test';

/**
 * The customer's whole checkout journey (issue 14) through the gateway, on the compiled fleet as
 * separate processes with the real Kafka between them and the sandbox PSP beside them: sign up, an
 * address in a seeded zone, a cart at the store serving it, a quote, then orders paid by wallet
 * (topped up at the PSP), by card (confirmed at the PSP, its signed webhook), on delivery, a card
 * that is declined, and cancellations after payment that refund and put the stock back. Every
 * effect is read back the way its owner shows it: the order, the payment and the wallet through
 * the gateway, the stock through inventory's admin API. Then the fulfilment: an admin makes a user a
 * delivery partner, the partner takes a paid order from the store to the door, and the customer
 * follows it live on the tracking stream until order-service has it DELIVERED, and the customer's
 * inbox (the fleet's own MailDev) holds that order's confirmation and delivered emails, one each.
 *
 * Its own fleet, on ports 19080–19090 (the PSP on 19099) and a namespace of its own, beside the one
 * fleet.test.ts starts on 18080–18090.
 */
const PORT_OFFSET = 11_000;
/** The demo city's Koramangala store (demo/city.json) and a point in the zone it serves. */
const KORAMANGALA_STORE = '01a1fcda-0032-79a6-bcbe-f0a5ed17bdd6';
const KORAMANGALA = { lat: 12.9352, lng: 77.6245 };
const CARD_OK = '4242424242424242';
const CARD_DECLINED = '4000000000000002';

interface Money {
  amount: number;
  currency: 'INR';
}
interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  data: T;
  body: { data?: T; errorCode?: string; [field: string]: unknown };
}
interface Order {
  id: string;
  status: string;
  storeId: string;
  paymentMethod: string;
  items: { productId: string; quantity: number; lineTotal: Money }[];
  pricing: { itemTotal: Money; total: Money };
  paymentDueBy: string | null;
  refundedAmount: Money;
  cancellationReason: string | null;
  history: { status: string; actor: string; reason: string | null }[];
}
interface Cart {
  storeId: string | null;
  addressId: string | null;
  items: { productId: string; quantity: number; available: boolean }[];
  itemTotal: Money;
  itemCount: number;
}
interface Payment {
  paymentId: string;
  status: string;
  amount: Money;
  method: string;
  providerPaymentId: string;
  clientSecret: string;
  nextAction: { type: string; url: string } | null;
  capturedAmount: Money;
  refundedAmount: Money;
  failureReason: string | null;
  refunds: { amount: Money; destination: string; status: string }[];
}
interface Topup {
  topupId: string;
  status: string;
  clientSecret: string;
  nextAction: { url: string };
}
interface Wallet {
  balance: Money;
  entries: { kind: string; amount: Money; reference: string }[];
}
interface Stock {
  onHand: number;
  reserved: number;
  available: number;
}
interface Movement {
  delta: number;
  reason: string;
  orderId: string | null;
}

const inr = (amount: number): Money => ({ amount, currency: 'INR' });
/** A webhook's `Psp-Signature` as the provider writes it (payment-service/README.md, "Webhook signing"). */
const signWebhook = (secret: string, body: string, at = Math.floor(Date.now() / 1000)) =>
  `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`;
const FINAL = new Set(['CONFIRMED', 'CANCELLED', 'DELIVERED']);

describe('the checkout journey end to end', () => {
  let fut: FleetUnderTest;
  let admin = '';
  let customer = '';
  const customerEmail = `e2e-shopper-${randomUUID()}@example.com`;
  let addressId = '';
  /** In-stock products at the store, one per scenario, so each one's stock is its own to count. */
  const products: { id: string; name: string; price: Money; available: number }[] = [];

  async function call<T>(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${fut.gateway}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    const body = (text ? JSON.parse(text) : {}) as Answer<T>['body'];
    return { status: res.status, headers: res.headers, body, data: body.data as T } satisfies Answer<T>;
  }

  const orderOf = async (orderId: string) => (await call<Order>('GET', `/api/v1/orders/${orderId}`, { token: customer })).data;
  const cartOf = async () => (await call<Cart>('GET', '/api/v1/carts/me', { token: customer })).data;
  const walletOf = async () => (await call<Wallet>('GET', '/api/v1/wallet', { token: customer })).data;
  const paymentOf = async (paymentId: string) => (await call<Payment>('GET', `/api/v1/payments/${paymentId}`, { token: customer })).data;
  const stockOf = async (productId: string) =>
    (await call<Stock>('GET', `/api/v1/inventory/stores/${KORAMANGALA_STORE}/stock/${productId}`, { token: admin })).data;
  const movementsOf = async (productId: string) =>
    (await call<Movement[]>('GET', `/api/v1/inventory/stores/${KORAMANGALA_STORE}/movements?productId=${productId}`, { token: admin }))
      .data;

  /** Waits for the order to reach `status`; a different final status fails at once, with its history. */
  async function orderReaches(orderId: string, status: string, timeoutMs = 30_000): Promise<Order> {
    let last: Order | undefined;
    try {
      return await eventually(
        async () => {
          last = await orderOf(orderId);
          if (last.status !== status && FINAL.has(last.status)) throw new Error(`ended ${last.status}`);
          return last.status === status && last;
        },
        timeoutMs,
        250,
      );
    } catch (err) {
      throw new Error(`order ${orderId} did not reach ${status} (${String(err)}): ${JSON.stringify(last)}`, { cause: err });
    }
  }

  /** Fills the customer's cart with exactly these lines. */
  async function fillCart(lines: { productId: string; quantity: number }[]): Promise<Cart> {
    await call('DELETE', '/api/v1/carts/me', { token: customer });
    let cart: Cart | undefined;
    for (const line of lines) {
      const added = await call<Cart>('POST', '/api/v1/carts/me/items', { token: customer, body: line });
      expect(added.status).toBe(200);
      cart = added.data;
    }
    return cart!;
  }

  async function placeOrder(paymentMethod: string, key = randomUUID()): Promise<Order> {
    const placed = await call<Order>('POST', '/api/v1/orders', {
      token: customer,
      headers: { 'idempotency-key': key },
      body: { addressId, paymentMethod },
    });
    expect({ status: placed.status, body: placed.status === 201 ? 'order' : placed.body }).toEqual({ status: 201, body: 'order' });
    return placed.data;
  }

  /** Starts paying a CARD order and confirms it at the sandbox PSP with `card`; the PSP's answer. */
  async function payByCard(orderId: string, card: string): Promise<{ payment: Payment; psp: { status: string } }> {
    const started = await call<Payment>('POST', '/api/v1/payments', {
      token: customer,
      headers: { 'idempotency-key': randomUUID() },
      body: { orderId },
    });
    expect(started.status).toBe(201);
    const payment = started.data;
    expect(payment).toMatchObject({ status: 'PENDING', method: 'CARD', nextAction: { type: 'confirm_with_provider' } });
    // The customer's app confirms at the provider itself, with the client secret: our services never see the card.
    expect(payment.nextAction!.url.startsWith(fut.urlOf('sandbox-psp'))).toBe(true);
    const confirmed = await fetch(payment.nextAction!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientSecret: payment.clientSecret, card: { number: card } }),
    });
    expect(confirmed.status).toBe(200);
    return { payment, psp: (await confirmed.json()) as { status: string } };
  }

  beforeAll(async () => {
    fut = await startFleetUnderTest({ portOffset: PORT_OFFSET, logs: 'e2e-checkout' });
    // The demo data, as `make run` seeds it (Makefile SEEDS, in that order).
    for (const service of ['product-service', 'inventory-service', 'location-service']) await fut.command(service, 'seed-demo.js');

    const adminEmail = `e2e-admin-${randomUUID()}@example.com`;
    await fut.command('user-service', 'create-admin.js', [adminEmail, 'e2e admin passphrase']);
    admin = (
      await call<{ accessToken: string }>('POST', '/api/v1/auth/login', { body: { email: adminEmail, password: 'e2e admin passphrase' } })
    ).data.accessToken;

    // The seeded store closes from 02:00 to 06:00 in Bengaluru: open it around the clock in this
    // run's own data, so the journey does not depend on the hour it runs at. location-service
    // learns the hours from inventory's store_updated event.
    const hours = await call('PATCH', `/api/v1/stores/${KORAMANGALA_STORE}`, {
      token: admin,
      body: { opensAt: '00:00', closesAt: '00:00' },
    });
    expect(hours.status).toBe(200);
    await eventually(
      async () => {
        const here = await call<{ open: boolean; storeId: string }>(
          'GET',
          `/api/v1/locations/serviceability?lat=${KORAMANGALA.lat}&lng=${KORAMANGALA.lng}`,
        );
        return here.data.open && here.data.storeId === KORAMANGALA_STORE;
      },
      20_000,
      250,
    );

    // Products in stock there, well away from their low-stock line.
    const listing = await call<{ id: string; name: string; price: Money; available?: number }[]>(
      'GET',
      `/api/v1/products?lat=${KORAMANGALA.lat}&lng=${KORAMANGALA.lng}&limit=100`,
    );
    products.push(
      ...listing.data
        .filter((p) => (p.available ?? 0) >= 20 && p.price.amount < 50_000)
        .slice(0, 6)
        .map((p) => ({ id: p.id, name: p.name, price: p.price, available: p.available! })),
    );
    expect(products).toHaveLength(6);
  }, 240_000);

  afterAll(async () => {
    await fut?.stop();
  }, 120_000);

  it('when a customer signs up, adds an address in a seeded zone and fills a cart, then the cart is at the store serving it and the quote prices it', async () => {
    const signup = await call<{ accessToken: string }>('POST', '/api/v1/auth/register', {
      body: { email: customerEmail, password: 'a long passphrase', name: 'Asha Shopper' },
    });
    expect(signup.status).toBe(201);
    customer = signup.data.accessToken;

    const address = await call<{ id: string }>('POST', '/api/v1/users/me/addresses', {
      token: customer,
      body: { label: 'Home', line1: '12, 5th Cross, Koramangala', city: 'Bengaluru', pincode: '560034', ...KORAMANGALA },
    });
    expect(address.status).toBe(201);
    addressId = address.data.id;

    const chosen = await call<Cart>('PUT', '/api/v1/carts/me', { token: customer, body: { addressId } });
    expect(chosen.status).toBe(200);
    expect(chosen.data).toMatchObject({ storeId: KORAMANGALA_STORE, addressId, items: [] });

    const [a, b] = products;
    const cart = await fillCart([
      { productId: a!.id, quantity: 2 },
      { productId: b!.id, quantity: 1 },
    ]);
    expect(cart).toMatchObject({ storeId: KORAMANGALA_STORE, itemCount: 3, itemTotal: inr(a!.price.amount * 2 + b!.price.amount) });
    expect(cart.items.every((line) => line.available)).toBe(true);

    const quote = await call<{ storeId: string; pricing: Order['pricing']; items: Order['items'] }>('POST', '/api/v1/orders/quote', {
      token: customer,
      body: { addressId },
    });
    expect(quote.status).toBe(200);
    expect(quote.data).toMatchObject({ storeId: KORAMANGALA_STORE, pricing: { itemTotal: cart.itemTotal } });
    expect(quote.data.pricing.total.amount).toBeGreaterThanOrEqual(cart.itemTotal.amount);
    expect(quote.data.items.map((i) => [i.productId, i.quantity])).toEqual([
      [a!.id, 2],
      [b!.id, 1],
    ]);
  });

  let walletOrder: Order;
  let walletTopup = 0;
  const SPARE = 5_000;

  it('when the wallet is topped up at the PSP and the cart is ordered with WALLET, then the order is CONFIRMED, paid from the wallet, the stock committed and the cart cleared', async () => {
    const quote = await call<{ pricing: Order['pricing'] }>('POST', '/api/v1/orders/quote', { token: customer, body: { addressId } });
    walletTopup = quote.data.pricing.total.amount + SPARE;

    // The top-up: an intent at the provider, confirmed there with a test card, credited on its webhook.
    const topup = await call<Topup>('POST', '/api/v1/wallet/topups', {
      token: customer,
      headers: { 'idempotency-key': randomUUID() },
      body: { amount: inr(walletTopup) },
    });
    expect(topup.status).toBe(201);
    const confirmed = await fetch(topup.data.nextAction.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientSecret: topup.data.clientSecret, card: { number: CARD_OK } }),
    });
    expect(confirmed.status).toBe(200);
    const credited = await eventually(async () => {
      const wallet = await walletOf();
      return wallet.balance.amount > 0 && wallet;
    }, 20_000);
    expect(credited.balance).toEqual(inr(walletTopup));

    const [a, b] = products;
    const before = { a: await stockOf(a!.id), b: await stockOf(b!.id) };
    const key = randomUUID();
    walletOrder = await placeOrder('WALLET', key);
    expect(walletOrder).toMatchObject({ status: 'PENDING', storeId: KORAMANGALA_STORE, paymentMethod: 'WALLET' });

    // The same key again: the same order, replayed; the same key with another body: refused.
    const retried = await call<Order>('POST', '/api/v1/orders', {
      token: customer,
      headers: { 'idempotency-key': key },
      body: { addressId, paymentMethod: 'WALLET' },
    });
    expect({ status: retried.status, id: retried.data.id, replayed: retried.headers.get('idempotent-replayed') }).toEqual({
      status: 201,
      id: walletOrder.id,
      replayed: 'true',
    });
    const reused = await call('POST', '/api/v1/orders', {
      token: customer,
      headers: { 'idempotency-key': key },
      body: { addressId, paymentMethod: 'COD' },
    });
    expect({ status: reused.status, errorCode: reused.body.errorCode }).toEqual({ status: 422, errorCode: 'IDEMPOTENCY_KEY_REUSED' });

    const done = await orderReaches(walletOrder.id, 'CONFIRMED');
    expect(done.history.map((h) => h.status)).toEqual(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED']);
    const orders = await call<Order[]>('GET', '/api/v1/orders', { token: customer });
    expect(orders.data.filter((o) => o.id === walletOrder.id)).toHaveLength(1);

    const wallet = await walletOf();
    expect(wallet.balance).toEqual(inr(SPARE));
    expect(wallet.entries[0]).toMatchObject({ kind: 'PAYMENT', amount: inr(-walletOrder.pricing.total.amount) });

    // Committed at the store: on hand down by what was bought, nothing left held for it.
    await eventually(async () => {
      const [stockA, stockB] = [await stockOf(a!.id), await stockOf(b!.id)];
      return stockA.onHand === before.a.onHand - 2 && stockB.onHand === before.b.onHand - 1 && stockA.reserved === before.a.reserved;
    }, 20_000);
    expect(await movementsOf(a!.id)).toContainEqual(expect.objectContaining({ delta: -2, reason: 'sale', orderId: walletOrder.id }));

    const cart = await eventually(async () => {
      const current = await cartOf();
      return current.items.length === 0 && current;
    }, 20_000);
    expect(cart).toMatchObject({ storeId: KORAMANGALA_STORE, itemCount: 0 });
  }, 60_000);

  let cardOrder: Order;
  let cardPayment: Payment;

  it('when a CARD order is paid at the PSP with 4242…, then the signed webhook confirms it and the stock is committed', async () => {
    const c = products[2]!;
    const before = await stockOf(c.id);
    await fillCart([{ productId: c.id, quantity: 3 }]);
    cardOrder = await placeOrder('CARD');

    // Stock held while it waits for the card.
    const waiting = await orderReaches(cardOrder.id, 'AWAITING_PAYMENT');
    expect(waiting.paymentDueBy).toEqual(expect.any(String));
    expect(await stockOf(c.id)).toMatchObject({ onHand: before.onHand, reserved: before.reserved + 3 });

    const { payment, psp } = await payByCard(cardOrder.id, CARD_OK);
    expect(psp.status).toBe('succeeded');
    cardPayment = payment;
    const done = await orderReaches(cardOrder.id, 'CONFIRMED');
    expect(done.history.map((h) => h.status)).toEqual(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED']);
    expect(await paymentOf(payment.paymentId)).toMatchObject({
      status: 'SUCCEEDED',
      amount: cardOrder.pricing.total,
      capturedAmount: cardOrder.pricing.total,
    });
    await eventually(async () => {
      const stock = await stockOf(c.id);
      return stock.onHand === before.onHand - 3 && stock.reserved === before.reserved;
    }, 20_000);
    await eventually(async () => (await cartOf()).items.length === 0, 20_000);
  }, 60_000);

  it('when webhooks reach the gateway, then a forged one is refused and a genuine second success captures nothing twice', async () => {
    const secret = fut.fleet.envOf('payment-service').PAYMENT_WEBHOOK_SECRET!;
    const intent = (await (
      await fetch(`${fut.urlOf('sandbox-psp')}/v1/payment_intents/${cardPayment.providerPaymentId}`, {
        headers: { authorization: `Bearer ${fut.fleet.envOf('sandbox-psp').PAYMENT_PROVIDER_API_KEY}` },
      })
    ).json()) as { status: string };
    expect(intent.status).toBe('succeeded');
    const event = JSON.stringify({
      id: `evt_e2e_${fut.run}`,
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: { object: intent },
    });
    const deliver = (signature: string) =>
      fetch(`${fut.gateway}/api/v1/webhooks/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'psp-signature': signature },
        body: event,
      });

    // The gateway lets the provider in without a token; payment-service checks the signature over the bytes sent.
    const forged = await deliver(signWebhook('not the secret', event));
    expect({ status: forged.status, errorCode: ((await forged.json()) as { errorCode: string }).errorCode }).toEqual({
      status: 401,
      errorCode: 'WEBHOOK_SIGNATURE_INVALID',
    });
    const genuine = await deliver(signWebhook(secret, event));
    expect(genuine.status).toBe(200);
    expect(await genuine.json()).toMatchObject({ data: { received: true, duplicate: false } });
    const again = await deliver(signWebhook(secret, event));
    expect(await again.json()).toMatchObject({ data: { received: true, duplicate: true } });
    // Once the worker has applied it (payment-service's own table, read as root), the payment is still captured once.
    const schema = fut.namespace.schema(serviceSpec('payment-service'));
    const applied = await eventually(async () => {
      const [rows] = await asRoot((c) =>
        c.query(`SELECT processed_at, last_error FROM \`${schema}\`.provider_events WHERE event_id = ?`, [`evt_e2e_${fut.run}`]),
      );
      const [row] = rows as { processed_at: Date | null; last_error: string | null }[];
      return row?.processed_at ? row : undefined;
    }, 10_000);
    expect(applied.last_error).toBeNull();
    expect(await paymentOf(cardPayment.paymentId)).toMatchObject({ status: 'SUCCEEDED', capturedAmount: cardOrder.pricing.total });
    expect((await orderOf(cardOrder.id)).status).toBe('CONFIRMED');
  }, 30_000);

  it('when a COD order is placed, then it is CONFIRMED without any payment and its stock committed', async () => {
    const d = products[3]!;
    const before = await stockOf(d.id);
    await fillCart([{ productId: d.id, quantity: 1 }]);
    const order = await placeOrder('COD');
    const done = await orderReaches(order.id, 'CONFIRMED');
    expect(done.history.map((h) => h.status)).toEqual(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED']);
    expect(done.refundedAmount).toEqual(inr(0));
    await eventually(async () => (await stockOf(d.id)).onHand === before.onHand - 1, 20_000);
    expect((await walletOf()).balance).toEqual(inr(SPARE));
  }, 60_000);

  it('when the paid CARD order is cancelled, then it is CANCELLED, refunded to the card and its stock is back on the shelf', async () => {
    const c = products[2]!;
    const before = await stockOf(c.id);
    const cancelled = await call<Order>('POST', `/api/v1/orders/${cardOrder.id}/cancel`, {
      token: customer,
      body: { reason: 'changed my mind' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.data).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' });

    // payment-service refunds at the provider, and payment.refunded is recorded on the order.
    const refunded = await eventually(async () => {
      const order = await orderOf(cardOrder.id);
      return order.refundedAmount.amount === cardOrder.pricing.total.amount && order;
    }, 30_000);
    expect(refunded.status).toBe('CANCELLED');
    const payment = await eventually(async () => {
      const current = await paymentOf(cardPayment.paymentId);
      return current.refunds.some((r) => r.status === 'SUCCEEDED') && current;
    }, 30_000);
    expect(payment).toMatchObject({ refundedAmount: cardOrder.pricing.total, refunds: [{ destination: 'original', status: 'SUCCEEDED' }] });

    await eventually(async () => (await stockOf(c.id)).onHand === before.onHand + 3, 20_000);
    expect(await movementsOf(c.id)).toContainEqual(expect.objectContaining({ delta: 3, orderId: cardOrder.id }));
  }, 60_000);

  it('when the paid WALLET order is cancelled, then the wallet has its money back and the stock is back on the shelf', async () => {
    const [a, b] = products;
    const before = { a: await stockOf(a!.id), b: await stockOf(b!.id) };
    const cancelled = await call<Order>('POST', `/api/v1/orders/${walletOrder.id}/cancel`, { token: customer, body: {} });
    expect(cancelled.data).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' });

    const wallet = await eventually(async () => {
      const current = await walletOf();
      return current.balance.amount === walletTopup && current;
    }, 30_000);
    expect(wallet.entries[0]).toMatchObject({ kind: 'REFUND', amount: walletOrder.pricing.total });
    await eventually(async () => (await orderOf(walletOrder.id)).refundedAmount.amount === walletOrder.pricing.total.amount, 30_000);
    await eventually(async () => {
      const [stockA, stockB] = [await stockOf(a!.id), await stockOf(b!.id)];
      return stockA.onHand === before.a.onHand + 2 && stockB.onHand === before.b.onHand + 1;
    }, 20_000);
  }, 60_000);

  it('when the card is declined, then the order is CANCELLED (PAYMENT_FAILED), its stock released and the cart kept', async () => {
    const e = products[4]!;
    const before = await stockOf(e.id);
    await fillCart([{ productId: e.id, quantity: 2 }]);
    const order = await placeOrder('CARD');
    await orderReaches(order.id, 'AWAITING_PAYMENT');
    expect((await stockOf(e.id)).reserved).toBe(before.reserved + 2);

    const { payment, psp } = await payByCard(order.id, CARD_DECLINED);
    expect(psp.status).toBe('failed');
    const cancelled = await orderReaches(order.id, 'CANCELLED');
    expect(cancelled.cancellationReason).toBe('PAYMENT_FAILED');
    expect(await paymentOf(payment.paymentId)).toMatchObject({
      status: 'FAILED',
      capturedAmount: inr(0),
      failureReason: expect.any(String),
    });
    // Released, not sold: on hand as it was, nothing held.
    await eventually(async () => {
      const stock = await stockOf(e.id);
      return stock.reserved === before.reserved && stock.onHand === before.onHand;
    }, 20_000);
    // A failed payment leaves the cart as it was, to try again.
    expect((await cartOf()).items.map((i) => [i.productId, i.quantity])).toEqual([[e.id, 2]]);
  }, 60_000);

  /** The customer's side of a tracking stream through the gateway: the events parsed as they arrive. */
  async function followDelivery(orderId: string, token: string) {
    const stop = new AbortController();
    const res = await fetch(`${fut.gateway}/api/v1/deliveries/${orderId}/stream`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: stop.signal,
    });
    const events: { event: string; data: Record<string, unknown> }[] = [];
    const read = async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const event =
            lines
              .find((l) => l.startsWith('event:'))
              ?.slice(6)
              .trim() ?? 'message';
          const data = lines.find((l) => l.startsWith('data:'))?.slice(5);
          if (data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    };
    // Ends with an AbortError when the test closes the stream.
    read().catch(() => undefined);
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      events,
      next: (type: string) => eventually(async () => events.find((e) => e.event === type), 30_000, 100),
      close: () => stop.abort(),
    };
  }

  it('when an admin makes a user a delivery partner and they deliver a paid order, then the customer follows it live, the order is DELIVERED and the customer has one confirmation and one delivered email', async () => {
    // The earlier scenarios' COD order still waits for a partner at this store: out of the way first.
    const waiting = await call<Order[]>('GET', '/api/v1/orders?status=CONFIRMED', { token: customer });
    for (const leftover of waiting.data) {
      expect((await call('POST', `/api/v1/orders/${leftover.id}/cancel`, { token: admin, body: {} })).status).toBe(200);
      await eventually(async () => {
        const delivery = await call<{ status: string }>('GET', `/api/v1/deliveries/${leftover.id}`, { token: customer });
        return delivery.status === 200 && delivery.data.status === 'CANCELLED';
      }, 20_000);
    }

    // The partner: a user the admin gives the delivery_partner role, onboarded at the store.
    const partnerEmail = `e2e-rider-${randomUUID()}@example.com`;
    const signup = await call<{ user: { id: string } }>('POST', '/api/v1/auth/register', {
      body: { email: partnerEmail, password: 'a rider passphrase', name: 'Ravi Rider' },
    });
    expect(signup.status).toBe(201);
    const partnerUserId = signup.data.user.id;
    expect((await call('PATCH', `/api/v1/users/${partnerUserId}/role`, { token: admin, body: { role: 'delivery_partner' } })).status).toBe(
      200,
    );
    const onboarded = await call<{ id: string; status: string }>('POST', '/api/v1/partners', {
      token: admin,
      body: { userId: partnerUserId, name: 'Ravi Rider', phone: '+919812345678', storeId: KORAMANGALA_STORE, vehicle: 'EV_SCOOTER' },
    });
    expect(onboarded.status).toBe(201);
    // The role change ended the partner's first session: they log in again, as a partner.
    const rider = (
      await call<{ accessToken: string }>('POST', '/api/v1/auth/login', { body: { email: partnerEmail, password: 'a rider passphrase' } })
    ).data.accessToken;

    // A paid order, waiting at the store for a partner.
    const f = products[5]!;
    await fillCart([{ productId: f.id, quantity: 1 }]);
    const order = await placeOrder('CARD');
    await orderReaches(order.id, 'AWAITING_PAYMENT');
    expect((await payByCard(order.id, CARD_OK)).psp.status).toBe('succeeded');
    await orderReaches(order.id, 'CONFIRMED');
    await eventually(async () => (await call('GET', `/api/v1/deliveries/${order.id}`, { token: customer })).status === 200, 20_000);

    const stream = await followDelivery(order.id, customer);
    expect({ status: stream.status, contentType: stream.contentType }).toEqual({
      status: 200,
      contentType: 'text/event-stream; charset=utf-8',
    });
    expect((await stream.next('snapshot')).data).toMatchObject({ status: 'QUEUED', partner: null });

    // Online at the store: offered the order at once.
    expect((await call('POST', '/api/v1/partners/me/online', { token: rider, body: {} })).status).toBe(200);
    expect((await stream.next('scheduled')).data).toMatchObject({ status: 'ASSIGNED', partner: { id: onboarded.data.id } });
    expect((await call('POST', `/api/v1/deliveries/${order.id}/accept`, { token: rider, body: {} })).status).toBe(200);
    expect((await call('POST', `/api/v1/deliveries/${order.id}/pickup`, { token: rider, body: {} })).status).toBe(200);
    await stream.next('started');
    const out = await orderReaches(order.id, 'OUT_FOR_DELIVERY');
    expect(out.history.at(-1)).toMatchObject({ actor: 'system:delivery-service' });

    const nearer = { lat: KORAMANGALA.lat + 0.002, lng: KORAMANGALA.lng + 0.002 };
    expect((await call('POST', '/api/v1/partners/me/location', { token: rider, body: nearer })).status).toBe(204);
    expect((await stream.next('position')).data).toMatchObject({ status: 'PICKED_UP', position: nearer });

    // The hand-over: the customer's code, which only the customer sees.
    const { otp } = (await call<{ otp: string }>('GET', `/api/v1/deliveries/${order.id}`, { token: customer })).data;
    expect((await call<{ otp: string | null }>('GET', `/api/v1/deliveries/${order.id}`, { token: rider })).data.otp).toBeNull();
    const handedOver = await call('POST', `/api/v1/deliveries/${order.id}/complete`, { token: rider, body: { otp } });
    expect(handedOver.status).toBe(200);
    expect((await stream.next('completed')).data).toMatchObject({ status: 'DELIVERED' });
    stream.close();
    expect(stream.events.map((e) => e.event)).toEqual(['snapshot', 'scheduled', 'started', 'position', 'completed']);

    const delivered = await orderReaches(order.id, 'DELIVERED');
    expect(delivered.history.map((h) => h.status)).toEqual([
      'PENDING',
      'AWAITING_PAYMENT',
      'CONFIRMED',
      'PACKED',
      'OUT_FOR_DELIVERY',
      'DELIVERED',
    ]);

    // notification-service's emails, as the customer's SMTP inbox has them: this order's
    // confirmation and delivered email, exactly one each, and still one each a few seconds on
    // (no redelivered event or retried send adds a second).
    const subjects = [`Order ${orderNumber(order.id)} confirmed`, `Order ${orderNumber(order.id)} delivered`];
    const emailsAbout = async () => {
      const inbox = await fut.mail.inbox(customerEmail);
      return subjects.map((subject) => inbox.filter((email) => email.subject === subject).length);
    };
    await eventually(async () => (await emailsAbout()).every((count) => count >= 1), 30_000, 250);
    expect(await emailsAbout()).toEqual([1, 1]);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await emailsAbout()).toEqual([1, 1]);
  }, 120_000);
});
