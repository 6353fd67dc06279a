/**
 * The order simulator (issue 16): a handful of customers shopping through the gateway, as the apps
 * would, on a running fleet. Each signs up, adds an address at one of the demo city's stores (a
 * point in a seeded zone), tops up the wallet at the sandbox PSP when a wallet order needs it, and
 * places orders with an Idempotency-Key: the first from the cart, the rest with explicit lines
 * (cart-service empties the cart on any confirmed order, so a cart refilled meanwhile could be
 * emptied under a later order). Each order follows a planned fate: paid by wallet, card or UPI (a
 * share declined at the PSP) or cash on delivery; cancelled by the customer before paying, after
 * confirmation (refunded when paid), or by an admin once packed; the rest packed, dispatched and
 * delivered by an admin (order-service's admin moves). delivery-service follows those ends: a
 * delivery a demo rider (`npm run demo:riders`) still holds is cancelled, returned or closed from the
 * order, and the rider freed for the next one (delivery-service's README).
 *
 * Nothing is written behind the services' backs: every figure the dashboard shows afterwards comes
 * from their own events. The orders are stamped now, so a run fills the current hour only.
 *
 * Used by `npm run demo:orders` (run.ts, which `make run` starts once the fleet is up) and by the
 * end-to-end reconciliation test. Plain TypeScript that Node runs as is (type stripping): `.ts`
 * imports, no enums or parameter properties.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Where a customer lives: a point in a seeded zone. */
export interface Place {
  name: string;
  city: string;
  pincode: string;
  lat: number;
  lng: number;
}

export interface SimulationOptions {
  /** The gateway's base URL. */
  gateway: string;
  /** An admin's access token, for the pack/dispatch/deliver moves and the admin cancellations. */
  adminToken: string;
  /** How many orders to place. */
  orders: number;
  places: Place[];
  /** How many customers share the orders (default: one per 10 orders, 2 to 8). */
  customers?: number;
  /** How many customers shop at once (default: all of them). */
  concurrency?: number;
  /** Seeds the plan (methods, fates, lines), so a run can be repeated. */
  seed?: number;
  /** How long to wait for an order to move, or a top-up or refund to land (default 30 s). */
  waitMs?: number;
  log?: (line: string) => void;
}

export type Method = 'WALLET' | 'CARD' | 'UPI' | 'COD';
/** What the simulator does with an order once placed. */
export type Fate = 'deliver' | 'decline' | 'cancel-unpaid' | 'cancel-confirmed' | 'cancel-packed';

export interface SimulationSummary {
  /** Orders created (201). */
  placed: number;
  /** Orders refused at placement (a 4xx), by error code; NO_STOCK_LEFT when the simulator had nothing left to ask for. */
  refused: Record<string, number>;
  byMethod: Record<Method, number>;
  /** Orders delivered, their totals (paise) and units. */
  delivered: { orders: number; gmv: number; units: number };
  /** Cancelled orders by reason. */
  cancelled: Record<string, number>;
  /** Units of the orders that reached CONFIRMED (their stock left the shelf: inventory's `sale`). */
  unitsSold: number;
  /** Units of those that were cancelled afterwards (back on the shelf: `order_cancelled`). */
  unitsReturned: number;
  /** Paid orders cancelled and refunded in full (order-service's refundedAmount), paise. */
  refunds: { orders: number; amount: number; toWallet: number };
  /** Orders that did not end as planned, and steps that failed, one line each. */
  unexpected: string[];
  storeIds: string[];
  /** Why nothing was simulated (every store closed at this hour, say). */
  skipped: string | null;
  seconds: number;
}

interface Money {
  amount: number;
  currency: 'INR';
}
interface Order {
  id: string;
  status: string;
  storeId: string;
  paymentMethod: Method;
  items: { productId: string; quantity: number }[];
  pricing: { total: Money };
  refundedAmount: Money;
  cancellationReason: string | null;
}
interface Product {
  id: string;
  price: Money;
  /** Units the simulator may still ask for at this place's store (the listing's, less what it ordered). */
  available: number;
}
interface Line {
  productId: string;
  quantity: number;
}
interface Answer<T> {
  status: number;
  data: T;
  errorCode: string | undefined;
}
interface PlannedOrder {
  method: Method;
  fate: Fate;
}

const CARD_OK = '4242424242424242';
const CARD_DECLINED = '4000000000000002';
const UPI_OK = 'success@upi';
const UPI_DECLINED = 'failure@upi';
/** The sandbox PSP takes top-ups of ₹1–₹10,000. */
const MAX_TOPUP = 1_000_000;
/** Products chosen: in stock well above their low-stock line, and at most ₹400 each. */
const MIN_AVAILABLE = 30;
const MAX_PRICE = 40_000;
/** More than any order's fees (delivery, small cart, handling), so a wallet order is never short. */
const FEES_MARGIN = 10_000;
const FINAL = new Set(['DELIVERED', 'CANCELLED']);
const NAMES = ['Asha Rao', 'Vikram Iyer', 'Meera Nair', 'Arjun Shetty', 'Divya Menon', 'Rahul Gowda', 'Priya Hegde', 'Kiran Reddy'];

/** The demo city's stores (demo/city.json) as places: each store's own point lies in the zone it serves. */
export function demoCityPlaces(cityJsonPath: string): Place[] {
  const city = JSON.parse(readFileSync(cityJsonPath, 'utf8')) as {
    city: string;
    stores: { name: string; pincode: string; lat: number; lng: number }[];
  };
  return city.stores.map((s) => ({ name: s.name, city: city.city, pincode: s.pincode, lat: s.lat, lng: s.lng }));
}

/** mulberry32: a small seeded generator, so a seed gives the same plan (the demo history's too). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The mix: 30 % wallet, 35 % card, 10 % UPI, 25 % cash on delivery; about 62 % delivered, 10 %
 * cancelled by the customer once confirmed, 5 % by an admin once packed; of the card and UPI orders,
 * another 10 % declined at the PSP and 13 % cancelled before paying (wallet and COD orders, which
 * are never waiting for the customer, are delivered instead).
 */
export function planOrders(count: number, random: () => number): PlannedOrder[] {
  return Array.from({ length: count }, () => {
    const m = random();
    const method: Method = m < 0.3 ? 'WALLET' : m < 0.65 ? 'CARD' : m < 0.75 ? 'UPI' : 'COD';
    const f = random();
    const paysLater = method === 'CARD' || method === 'UPI';
    const fate: Fate =
      f < 0.62
        ? 'deliver'
        : f < 0.72
          ? 'cancel-confirmed'
          : f < 0.77
            ? 'cancel-packed'
            : !paysLater
              ? 'deliver'
              : f < 0.87
                ? 'decline'
                : 'cancel-unpaid';
    return { method, fate };
  });
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function simulateOrders(options: SimulationOptions): Promise<SimulationSummary> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const waitMs = options.waitMs ?? 30_000;
  const random = seededRandom(options.seed ?? Date.now());
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const summary: SimulationSummary = {
    placed: 0,
    refused: {},
    byMethod: { WALLET: 0, CARD: 0, UPI: 0, COD: 0 },
    delivered: { orders: 0, gmv: 0, units: 0 },
    cancelled: {},
    unitsSold: 0,
    unitsReturned: 0,
    refunds: { orders: 0, amount: 0, toWallet: 0 },
    unexpected: [],
    storeIds: [],
    skipped: null,
    seconds: 0,
  };

  /**
   * One call through the gateway. A 429 or 503 is waited out (Retry-After, at most 5 s) and the
   * same request sent again, with the same Idempotency-Key: the key makes that safe.
   */
  async function call<T>(method: string, path: string, request: { token?: string; body?: unknown; key?: string } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    if (request.key) headers['idempotency-key'] = request.key;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${options.gateway}${path}`, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
      const text = await res.text();
      if ((res.status === 429 || res.status === 503) && attempt < 6) {
        await sleep(Math.min(5, Number(res.headers.get('retry-after') ?? 1)) * 1000);
        continue;
      }
      const body = (text ? JSON.parse(text) : {}) as { data?: T; errorCode?: string };
      return { status: res.status, data: body.data as T, errorCode: body.errorCode };
    }
  }

  /** The call's data when its status is `expected`; otherwise an error naming the step and the answer. */
  async function must<T>(expected: number, step: string, ...args: Parameters<typeof call>): Promise<T> {
    const answer = await call<T>(...args);
    if (answer.status !== expected) throw new Error(`${step}: ${answer.status} ${answer.errorCode ?? ''}`.trim());
    return answer.data;
  }

  /** Polls until `check` gives a value, for at most waitMs. */
  async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(200);
    }
  }

  // The places whose store is open now, and what sells there.
  const stocked: { place: Place; storeId: string; products: Product[] }[] = [];
  for (const place of options.places) {
    const here = await must<{ serviceable: boolean; open: boolean; storeId: string | null }>(
      200,
      'serviceability',
      'GET',
      `/api/v1/locations/serviceability?lat=${place.lat}&lng=${place.lng}`,
    );
    if (!here.serviceable || !here.open || !here.storeId) continue;
    const listing = await must<{ id: string; price: Money; available?: number }[]>(
      200,
      'products',
      'GET',
      `/api/v1/products?lat=${place.lat}&lng=${place.lng}&limit=100`,
    );
    const products = listing
      .filter((p) => (p.available ?? 0) >= MIN_AVAILABLE && p.price.amount <= MAX_PRICE)
      .map((p) => ({ id: p.id, price: p.price, available: p.available! }));
    if (products.length >= 3) stocked.push({ place, storeId: here.storeId, products });
  }
  summary.storeIds = [...new Set(stocked.map((s) => s.storeId))];
  if (stocked.length === 0) {
    summary.skipped = 'no store of the demo city is open now (or none has stock to sell): no order placed';
    summary.seconds = Math.round((Date.now() - started) / 1000);
    return summary;
  }

  const plan = planOrders(options.orders, random);
  const customerCount = Math.max(1, Math.min(options.customers ?? Math.min(8, Math.max(2, Math.ceil(options.orders / 10))), plan.length));
  const runTag = randomUUID().slice(0, 8);
  const shares = Array.from({ length: customerCount }, (_, i) => ({
    index: i,
    shop: stocked[i % stocked.length]!,
    orders: plan.filter((_, n) => n % customerCount === i),
  }));
  const paidThenCancelled: { order: Order; token: string }[] = [];
  let done = 0;
  const progressEvery = Math.max(1, Math.ceil(plan.length / 10));

  /** A customer's whole session: sign up, address, then their orders one after another. */
  async function shopAs(share: (typeof shares)[number]): Promise<void> {
    const { shop } = share;
    const name = NAMES[share.index % NAMES.length]!;
    const email = `demo-${runTag}-${share.index + 1}@example.com`;
    let token: string;
    let addressId: string;
    try {
      token = (
        await must<{ accessToken: string }>(201, 'sign-up', 'POST', '/api/v1/auth/register', {
          body: { email, password: randomUUID(), name },
        })
      ).accessToken;
      addressId = (
        await must<{ id: string }>(201, 'address', 'POST', '/api/v1/users/me/addresses', {
          token,
          body: {
            label: 'Home',
            line1: `${share.index + 10}, near ${shop.place.name}`,
            city: shop.place.city,
            pincode: shop.place.pincode,
            lat: shop.place.lat,
            lng: shop.place.lng,
          },
        })
      ).id;
    } catch (err) {
      summary.unexpected.push(`customer ${email}: ${(err as Error).message}; their ${share.orders.length} orders not placed`);
      return;
    }

    const orderOf = (orderId: string) => must<Order>(200, 'order', 'GET', `/api/v1/orders/${orderId}`, { token });
    /** Waits until the order is in `status` or final. */
    const reaches = (orderId: string, status: string) =>
      until(`order ${orderId} to be ${status}`, async () => {
        const order = await orderOf(orderId);
        return order.status === status || FINAL.has(order.status) ? order : undefined;
      });
    const adminMove = (orderId: string, move: string) =>
      must<Order>(200, move, 'POST', `/api/v1/orders/${orderId}/${move}`, { token: options.adminToken, body: {} });

    /** Lines the store can still sell, within what the simulator has not asked for already. */
    function chooseLines(): Line[] {
      const lines: Line[] = [];
      const count = 1 + Math.floor(random() * 3);
      for (let attempt = 0; attempt < 10 && lines.length < count; attempt++) {
        const product = pick(shop.products);
        if (product.available < MIN_AVAILABLE / 3 || lines.some((l) => l.productId === product.id)) continue;
        const quantity = 1 + Math.floor(random() * 2);
        product.available -= quantity;
        lines.push({ productId: product.id, quantity });
      }
      return lines;
    }
    const priceOf = (lines: Line[]) =>
      lines.reduce((sum, l) => sum + shop.products.find((p) => p.id === l.productId)!.price.amount * l.quantity, 0);

    /** Tops the wallet up at the PSP with a test card, unless it holds `needed`, and waits until payment-service credits it. */
    async function topUp(needed: number): Promise<void> {
      const before = (await must<{ balance: Money }>(200, 'wallet', 'GET', '/api/v1/wallet', { token })).balance.amount;
      if (before >= needed) return;
      const amount = Math.min(MAX_TOPUP, Math.max(200_000, (needed - before) * 3));
      const topup = await must<{ clientSecret: string; nextAction: { url: string } }>(201, 'top-up', 'POST', '/api/v1/wallet/topups', {
        token,
        key: randomUUID(),
        body: { amount: { amount, currency: 'INR' } },
      });
      await confirmAtPsp(topup.nextAction.url, topup.clientSecret, { card: { number: CARD_OK } });
      await until('the top-up to be credited', async () => {
        const balance = (await must<{ balance: Money }>(200, 'wallet', 'GET', '/api/v1/wallet', { token })).balance.amount;
        return balance >= before + amount || undefined;
      });
    }

    /** What the customer's app does with a client secret: confirm at the provider itself (our services never see the card). */
    async function confirmAtPsp(url: string, clientSecret: string, instrument: object): Promise<void> {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientSecret, ...instrument }),
      });
      if (res.status !== 200) throw new Error(`confirm at the PSP: ${res.status}`);
    }

    /** Places one order; null when it was refused (counted). */
    async function place(planned: PlannedOrder, fromCart: boolean): Promise<{ order: Order; lines: Line[] } | null> {
      const lines = chooseLines();
      if (lines.length === 0) {
        summary.refused.NO_STOCK_LEFT = (summary.refused.NO_STOCK_LEFT ?? 0) + 1;
        return null;
      }
      if (planned.method === 'WALLET') await topUp(priceOf(lines) + FEES_MARGIN);
      if (fromCart) {
        await call('DELETE', '/api/v1/carts/me', { token });
        await must(200, 'cart address', 'PUT', '/api/v1/carts/me', { token, body: { addressId } });
        for (const line of lines) await must(200, 'cart line', 'POST', '/api/v1/carts/me/items', { token, body: line });
      }
      const placed = await call<Order>('POST', '/api/v1/orders', {
        token,
        key: randomUUID(),
        body: { addressId, paymentMethod: planned.method, ...(fromCart ? {} : { items: lines }) },
      });
      if (placed.status !== 201) {
        const code = placed.errorCode ?? String(placed.status);
        summary.refused[code] = (summary.refused[code] ?? 0) + 1;
        return null;
      }
      summary.placed += 1;
      summary.byMethod[planned.method] += 1;
      return { order: placed.data, lines };
    }

    /** Takes a placed order through its planned fate; the order as it ended. */
    async function follow(placed: Order, planned: PlannedOrder): Promise<{ order: Order; confirmed: boolean }> {
      const paysLater = planned.method === 'CARD' || planned.method === 'UPI';
      let order = await reaches(placed.id, paysLater ? 'AWAITING_PAYMENT' : 'CONFIRMED');
      if (paysLater && order.status === 'AWAITING_PAYMENT') {
        if (planned.fate === 'cancel-unpaid') {
          order = await must<Order>(200, 'cancel', 'POST', `/api/v1/orders/${order.id}/cancel`, {
            token,
            body: { reason: 'ordered by mistake' },
          });
          return { order, confirmed: false };
        }
        // The first try succeeds: payment-service reads an order whose events it has not seen yet
        // from order-service. A 404 or 409 is still tried again, with a new key (a stored answer
        // belongs to its key), as a guard the flow does not rely on.
        const payment = await until(`payment-service to take order ${order.id}'s payment`, async () => {
          const started = await call<{ clientSecret: string; nextAction: { url: string } }>('POST', '/api/v1/payments', {
            token,
            key: randomUUID(),
            body: { orderId: order.id },
          });
          if (started.status === 201) return started.data;
          if (started.errorCode === 'ORDER_NOT_FOUND' || started.errorCode === 'ORDER_NOT_AWAITING_PAYMENT') return undefined;
          throw new Error(`payment: ${started.status} ${started.errorCode ?? ''}`.trim());
        });
        const declined = planned.fate === 'decline';
        const instrument =
          planned.method === 'CARD'
            ? { card: { number: declined ? CARD_DECLINED : CARD_OK } }
            : { upi: { vpa: declined ? UPI_DECLINED : UPI_OK } };
        await confirmAtPsp(payment.nextAction.url, payment.clientSecret, instrument);
        order = await reaches(order.id, 'CONFIRMED');
      }
      if (order.status !== 'CONFIRMED') return { order, confirmed: false };
      if (planned.fate === 'cancel-confirmed') {
        order = await must<Order>(200, 'cancel', 'POST', `/api/v1/orders/${order.id}/cancel`, {
          token,
          body: { reason: 'changed my mind' },
        });
      } else if (planned.fate === 'cancel-packed') {
        await adminMove(order.id, 'pack');
        order = await must<Order>(200, 'admin cancel', 'POST', `/api/v1/orders/${order.id}/cancel`, {
          token: options.adminToken,
          body: { reason: 'damaged in packing' },
        });
      } else {
        for (const move of ['pack', 'dispatch', 'deliver']) order = await adminMove(order.id, move);
      }
      return { order, confirmed: true };
    }

    for (const [n, planned] of share.orders.entries()) {
      let orderId = '(not placed)';
      try {
        const placed = await place(planned, n === 0);
        if (!placed) continue;
        orderId = placed.order.id;
        const { order, confirmed } = await follow(placed.order, planned);
        const units = placed.lines.reduce((sum, l) => sum + l.quantity, 0);
        if (confirmed) summary.unitsSold += units;
        if (order.status === 'DELIVERED') {
          summary.delivered.orders += 1;
          summary.delivered.gmv += order.pricing.total.amount;
          summary.delivered.units += units;
        } else if (order.status === 'CANCELLED') {
          const reason = order.cancellationReason ?? 'UNKNOWN';
          summary.cancelled[reason] = (summary.cancelled[reason] ?? 0) + 1;
          if (confirmed) summary.unitsReturned += units;
          if (confirmed && planned.method !== 'COD') paidThenCancelled.push({ order, token });
        }
        const plannedEnd = planned.fate === 'deliver' ? 'DELIVERED' : 'CANCELLED';
        if (order.status !== plannedEnd) {
          summary.unexpected.push(
            `order ${order.id} (${planned.method}, ${planned.fate}): ended ${order.status} ${order.cancellationReason ?? ''}`.trim(),
          );
        }
      } catch (err) {
        summary.unexpected.push(`order ${orderId} (${planned.method}, ${planned.fate}): ${(err as Error).message}`);
      }
      done += 1;
      if (done % progressEvery === 0) log(`demo orders: ${done}/${plan.length} done`);
    }
  }

  log(
    `demo orders: ${plan.length} orders by ${customerCount} customers at ${summary.storeIds.length} store(s), ` +
      `${Math.min(options.concurrency ?? customerCount, customerCount)} shopping at once`,
  );
  await inPool(shares, options.concurrency ?? customerCount, shopAs);

  // Refunds: payment-service refunds a paid order on its cancellation (to the wallet at once, to a
  // card or UPI once the PSP takes it), and order-service records payment.refunded on the order.
  for (const { order, token } of paidThenCancelled) {
    try {
      const refunded = await until(`order ${order.id}'s refund`, async () => {
        const current = await must<Order>(200, 'order', 'GET', `/api/v1/orders/${order.id}`, { token });
        return current.refundedAmount.amount >= current.pricing.total.amount ? current : undefined;
      });
      summary.refunds.orders += 1;
      summary.refunds.amount += refunded.refundedAmount.amount;
      if (refunded.paymentMethod === 'WALLET') summary.refunds.toWallet += refunded.refundedAmount.amount;
    } catch (err) {
      summary.unexpected.push(`order ${order.id}: ${(err as Error).message}`);
    }
  }
  summary.seconds = Math.round((Date.now() - started) / 1000);
  return summary;
}

const rupees = (paise: number) => `₹${(paise / 100).toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .filter(([, n]) => n > 0)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';

/** The summary a person reads: one line per figure. */
export function describeSimulation(s: SimulationSummary): string {
  if (s.skipped) return `demo orders: ${s.skipped}`;
  const cancelled = Object.values(s.cancelled).reduce((a, b) => a + b, 0);
  return [
    `demo orders: ${s.placed} placed in ${s.seconds} s at ${s.storeIds.length} store(s) (by method: ${counts(s.byMethod)})`,
    `  refused at placement  ${counts(s.refused)}`,
    `  delivered             ${s.delivered.orders} orders, GMV ${rupees(s.delivered.gmv)}, ${s.delivered.units} units`,
    `  cancelled             ${cancelled} (${counts(s.cancelled)})`,
    `  refunded              ${s.refunds.orders} orders, ${rupees(s.refunds.amount)} (${rupees(s.refunds.toWallet)} to wallets)`,
    `  units                 ${s.unitsSold} left the shelf, ${s.unitsReturned} came back`,
    ...(s.unexpected.length === 0
      ? ['  every order ended as planned']
      : [`  not as planned (${s.unexpected.length}):`, ...s.unexpected.map((u) => `    ${u}`)]),
  ].join('\n');
}
