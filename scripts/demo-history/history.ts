/**
 * The demo's history (issue 16): a few past days of the demo city's orders as the fleet's own events
 * would have told them, for analytics-service's import of past events (`POST
 * /api/v1/analytics/events/import`), so the dashboard shows days, not only the hour `make run`
 * places its live orders in. The services stamp what they do with the time they do it, and the
 * fleet's topics are read by services that would act on past orders (capture, assign a rider, send
 * an email): history goes to analytics only, imported like a previous system's.
 *
 * Pure: the same stores, products, zones, days and clock give the same events. Each day is planned
 * from its date alone (orders, their times, customers, fates), and every id is derived from the day
 * and the order's number in it (UUIDv7 with the event's own time, the rest from a hash), so running
 * it again, the same day or the next, imports nothing twice.
 *
 * The rhythm: more orders at lunch and in the evening, more at weekends, only while a store is open.
 * The chain of an order: a cart, the order, its payment (card and UPI through the PSP, some declined
 * or never paid; wallet; cash on delivery collected at the door), the confirmation, a rider of the
 * store assigned when free (so peaks wait), picked up after the store's preparation time and handed
 * over a ride later (sometimes after the promised time), the completion, and the customer's
 * notifications; or a cancellation with its reason and, when money was taken, its refund. Stock-outs
 * at the stores cancel the orders that ask for the missing product until it is restocked. Customers
 * come back: a share of each day's orders are by customers who registered on one of the week before.
 *
 * Plain TypeScript that Node runs as is (type stripping): `.ts` imports, no enums or parameter properties.
 */
import { createHash } from 'node:crypto';
import { catalog, ownerOf, type CatalogEvent, type EventData, type EventType } from '@qc/shared/events';
import { seededRandom } from '../demo-orders/simulator.ts';

export interface HistoryZone {
  id: string;
  /** The zone's outer ring, GeoJSON order: [lng, lat]. */
  ring: [number, number][];
}

export interface HistoryStore {
  id: string;
  lat: number;
  lng: number;
  /** Local `HH:MM`; `closesAt` at or before `opensAt` means after midnight. */
  opensAt: string;
  closesAt: string;
  preparationMinutes: number;
  zones: HistoryZone[];
}

export interface HistoryProduct {
  id: string;
  /** Paise. */
  price: number;
  popularity: number;
}

/** What the history is made of: the fleet's stores (with their zones) and catalog, read once. */
export interface HistoryWorld {
  stores: HistoryStore[];
  products: HistoryProduct[];
  /** The stores' time zone (demo/city.json): opening hours and the daily rhythm are local. */
  timeZone: string;
}

export interface HistoryOptions {
  /** Whole local days before today. */
  days: number;
  /** Orders on an ordinary weekday; weekends have more. */
  ordersPerDay: number;
  /** Nothing later is made: an order whose story would end after it is left for a later run. */
  now: Date;
}

export type Fate =
  'delivered' | 'out-of-stock' | 'declined' | 'cancelled-unpaid' | 'payment-timeout' | 'cancelled-by-customer' | 'cancelled-by-store';

export interface History {
  /** The local days, oldest first (`YYYY-MM-DD`). */
  days: string[];
  events: CatalogEvent[];
  /** Orders per fate. */
  orders: Record<Fate, number>;
  /** Every order's id with its fate, for whoever checks a chain. */
  orderFates: Map<string, Fate>;
}

type Method = 'WALLET' | 'CARD' | 'UPI' | 'COD';

interface Customer {
  id: string;
  /** `YYYY-MM-DD/n`: the day they registered and their number among that day's new customers. */
  key: string;
  registeredAt: Date;
  addressId: string;
  home: { lat: number; lng: number };
  zoneId: string | undefined;
}

/** One order as a day's plan places it, before its story is told. */
interface PlannedOrder {
  number: number;
  at: Date;
  storeIndex: number;
  /** Set when the order is a new customer's first. */
  newCustomer: number | null;
}

interface StockOut {
  storeIndex: number;
  productId: string;
  from: Date;
  to: Date;
  number: number;
}

/** How far back returning customers come from. */
const RETURNING_FROM_DAYS = 7;
const NEW_CUSTOMER_SHARE = 0.4;
const RIDERS_PER_STORE = 5;
const MINUTE = 60_000;
/** Order-service's default fees (paise): what an order's total adds to its items. */
const FEES = { delivery: 2_500, deliveryFreeAbove: 19_900, smallCart: 1_500, smallCartBelow: 9_900, handling: 500 };
/** Orders per local hour, relative: breakfast, a lunch peak and a larger evening one. */
const HOURLY = [0.35, 0.2, 0.1, 0.05, 0.05, 0.1, 0.35, 0.7, 1, 1, 0.9, 1.1, 1.6, 1.7, 1.2, 0.9, 0.9, 1.1, 1.5, 2, 2.2, 1.8, 1.2, 0.7];
/** Local hours when riding is slower (traffic). */
const RUSH_HOURS = new Set([8, 9, 10, 18, 19, 20, 21]);
const DECLINE_REASONS: Record<'CARD' | 'UPI', string[]> = { CARD: ['CARD_DECLINED', 'INSUFFICIENT_FUNDS'], UPI: ['UPI_DECLINED'] };
const NAMES = ['Asha', 'Vikram', 'Meera', 'Arjun', 'Divya', 'Rahul', 'Priya', 'Kiran', 'Sneha', 'Rohan', 'Anjali', 'Nikhil'];

const digest = (key: string): Buffer => createHash('sha256').update(`qc-demo-history/${key}`).digest();

/** A UUIDv7 whose time is `at` and whose other bits come from `key`: the same key and time, the same id. */
export function historyId(key: string, at: Date): string {
  const bytes = digest(key);
  bytes.writeUIntBE(at.getTime(), 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A generator seeded from a key: each day, order and customer draws from its own sequence. */
const randomFor = (key: string): (() => number) => seededRandom(digest(key).readUInt32BE(0));

const between = (random: () => number, low: number, high: number) => low + random() * (high - low);

function weighted<T>(random: () => number, items: readonly T[], weight: (item: T) => number): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let r = random() * total;
  for (const item of items) {
    r -= weight(item);
    if (r < 0) return item;
  }
  return items[items.length - 1]!;
}

// --- local time -----------------------------------------------------------------------------

function offsetMinutes(timeZone: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName');
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name?.value ?? '');
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/** The local calendar day of an instant, `YYYY-MM-DD`. */
export function localDay(at: Date, timeZone: string): string {
  return new Date(at.getTime() + offsetMinutes(timeZone, at) * MINUTE).toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 1_440 * MINUTE).toISOString().slice(0, 10);
}

/** The instant of a local day's minute. */
function atLocal(day: string, minute: number, timeZone: string): Date {
  const naive = Date.parse(`${day}T00:00:00Z`) + minute * MINUTE;
  return new Date(naive - offsetMinutes(timeZone, new Date(naive)) * MINUTE);
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether a store is open at a local minute of the day (0–1439), its evening may run past midnight. */
function isOpen(store: HistoryStore, minute: number): boolean {
  const opens = minutesOf(store.opensAt);
  let closes = minutesOf(store.closesAt);
  if (closes <= opens) closes += 1_440;
  return (minute >= opens && minute < closes) || (minute + 1_440 >= opens && minute + 1_440 < closes);
}

// --- geometry --------------------------------------------------------------------------------

function inside(ring: [number, number][], lng: number, lat: number): boolean {
  let within = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) within = !within;
  }
  return within;
}

/** A point in one of the store's zones (the store's own surroundings when it has none known). */
function homeIn(store: HistoryStore, random: () => number): { lat: number; lng: number; zoneId: string | undefined } {
  if (store.zones.length > 0) {
    const zone = store.zones[Math.floor(random() * store.zones.length)]!;
    const lngs = zone.ring.map((p) => p[0]);
    const lats = zone.ring.map((p) => p[1]);
    for (let attempt = 0; attempt < 50; attempt++) {
      const lng = between(random, Math.min(...lngs), Math.max(...lngs));
      const lat = between(random, Math.min(...lats), Math.max(...lats));
      if (inside(zone.ring, lng, lat)) return { lat: round(lat), lng: round(lng), zoneId: zone.id };
    }
  }
  return { lat: round(store.lat + between(random, -0.01, 0.01)), lng: round(store.lng + between(random, -0.01, 0.01)), zoneId: undefined };
}

const ranks = (world: HistoryWorld) => world.products.map((_, rank) => rank);

const round = (degrees: number) => Math.round(degrees * 1e6) / 1e6;

function kilometres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lng - a.lng) * rad) / 2) ** 2;
  return 2 * 6_371 * Math.asin(Math.sqrt(h));
}

/** Minutes to ride a distance: the road is longer than the crow flies, at a rider's 20 km/h, plus the hand-over. */
const rideMinutes = (km: number) => (km * 1.4 * 60) / 20 + 2;

// --- the plan of a day -------------------------------------------------------------------------

/** A day's orders, from its date alone: how many, when, at which store, by a new customer or not. */
function planDay(world: HistoryWorld, day: string, ordersPerDay: number): PlannedOrder[] {
  const random = randomFor(`${day}/plan`);
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  const count = Math.round(ordersPerDay * (weekday === 0 || weekday === 6 ? 1.25 : between(random, 0.85, 1.05)));
  const storeWeight = world.stores.map((s) => 0.7 + digest(s.id).readUInt8(0) / 425);
  const slots = Array.from({ length: 96 }, (_, slot) => {
    const minute = slot * 15 + 7;
    const open = world.stores.map((_, i) => i).filter((i) => isOpen(world.stores[i]!, minute));
    return {
      slot,
      open,
      weight: open.length === 0 ? 0 : HOURLY[Math.floor(minute / 60)]! * open.reduce((sum, i) => sum + storeWeight[i]!, 0),
    };
  });
  if (slots.every((s) => s.weight === 0)) return [];
  const drafts = Array.from({ length: count }, () => {
    const slot = weighted(random, slots, (s) => s.weight);
    const minute = slot.slot * 15 + random() * 15;
    return {
      at: atLocal(day, minute, world.timeZone),
      storeIndex: weighted(random, slot.open, (i) => storeWeight[i]!),
      isNew: random() < NEW_CUSTOMER_SHARE,
    };
  }).sort((a, b) => a.at.getTime() - b.at.getTime());
  let newCustomers = 0;
  return drafts.map((d, i) => ({ number: i + 1, at: d.at, storeIndex: d.storeIndex, newCustomer: d.isNew ? newCustomers++ : null }));
}

/** A customer who registered shortly before the order that made them one; `key` names them in the history. */
function customerOf(world: HistoryWorld, key: string, order: PlannedOrder): Customer {
  const random = randomFor(`${key}/customer`);
  const registeredAt = new Date(order.at.getTime() - between(random, 4, 40) * MINUTE);
  const home = homeIn(world.stores[order.storeIndex]!, random);
  return {
    id: historyId(`${key}/user`, registeredAt),
    key,
    registeredAt,
    addressId: historyId(`${key}/address`, new Date(registeredAt.getTime() + 30_000)),
    home: { lat: home.lat, lng: home.lng },
    zoneId: home.zoneId,
  };
}

/** The customers who registered in the week before `day`, by the store they shop at, with how many days ago. */
function regularsBefore(
  world: HistoryWorld,
  day: string,
  planOf: (day: string) => PlannedOrder[],
): { customer: Customer; back: number }[][] {
  const regulars: { customer: Customer; back: number }[][] = world.stores.map(() => []);
  for (let back = RETURNING_FROM_DAYS; back >= 1; back--) {
    const earlier = addDays(day, -back);
    for (const order of planOf(earlier)) {
      if (order.newCustomer !== null) {
        regulars[order.storeIndex]!.push({ customer: customerOf(world, `${earlier}/${order.newCustomer}`, order), back });
      }
    }
  }
  return regulars;
}

/** A day's stock-outs: about one in two stores runs out of one of its best sellers for an hour or three. */
function stockOutsOf(world: HistoryWorld, day: string): StockOut[] {
  const random = randomFor(`${day}/stock-outs`);
  const bestSellers = world.products.slice(0, 5);
  const outs: StockOut[] = [];
  world.stores.forEach((store, storeIndex) => {
    if (random() > 0.5) return;
    const start = atLocal(day, minutesOf(store.opensAt) + between(random, 180, 840), world.timeZone);
    outs.push({
      storeIndex,
      productId: bestSellers[Math.floor(random() * bestSellers.length)]!.id,
      from: start,
      to: new Date(start.getTime() + between(random, 60, 180) * MINUTE),
      number: outs.length + 1,
    });
  });
  return outs;
}

/** A product's share of baskets falls with its rank by popularity (Zipf-like): the best sellers are in many. */
const basketWeight = (rank: number) => 1 / (rank + 4);

// --- the stories -------------------------------------------------------------------------------

/** Builds the history of the `days` local days before `now`'s, every event checked against the catalog. */
export function buildHistory(world: HistoryWorld, options: HistoryOptions): History {
  if (world.stores.length === 0 || world.products.length === 0) throw new Error('the history needs at least one store and one product');
  const ranked = { ...world, products: [...world.products].sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id)) };
  const today = localDay(options.now, world.timeZone);
  const days = Array.from({ length: options.days }, (_, i) => addDays(today, i - options.days));
  const history: History = {
    days,
    events: [],
    orders: {
      delivered: 0,
      'out-of-stock': 0,
      declined: 0,
      'cancelled-unpaid': 0,
      'payment-timeout': 0,
      'cancelled-by-customer': 0,
      'cancelled-by-store': 0,
    },
    orderFates: new Map(),
  };
  const plans = new Map<string, PlannedOrder[]>();
  const planOf = (day: string) => plans.get(day) ?? plans.set(day, planDay(world, day, options.ordersPerDay)).get(day)!;
  for (const day of days) tellDay(ranked, day, planOf, options.now, history);
  history.events.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id));
  return history;
}

function tellDay(world: HistoryWorld, day: string, planOf: (day: string) => PlannedOrder[], until: Date, history: History): void {
  const now = until.getTime();
  const stockOuts = stockOutsOf(world, day);
  for (const out of stockOuts) {
    if (out.to.getTime() > now) continue;
    const store = world.stores[out.storeIndex]!;
    const key = `${day}/stock-out/${out.number}`;
    const onHand = 24 + Math.floor(randomFor(key)() * 36);
    history.events.push(
      event('inventory.out_of_stock', { storeId: store.id, productId: out.productId }, out.from, `${key}/out`, out.productId),
      event(
        'inventory.updated',
        { storeId: store.id, productId: out.productId, onHand, reserved: 0, reason: 'restock' },
        out.to,
        `${key}/restocked`,
        out.productId,
      ),
    );
  }
  // Riders of each store (the previous system's, so ids of their own, with a fixed time), free again
  // at these times; a new day starts with all of them free.
  const riders = world.stores.map((store) =>
    Array.from({ length: RIDERS_PER_STORE }, (_, k) => ({
      id: historyId(`${store.id}/rider/${k}`, new Date(Date.UTC(2025, 0, 1))),
      freeAt: 0,
    })),
  );
  const plan = planOf(day);
  const regulars = regularsBefore(world, day, planOf);
  for (const planned of plan) {
    const storeRegulars = regulars[planned.storeIndex]!;
    const random = randomFor(`${day}/order/${planned.number}/customer`);
    // A returning customer when the store has any, the recent ones likelier (each day back halves
    // the chance); otherwise, and for a new customer's order, one registering now.
    const customer =
      planned.newCustomer === null && storeRegulars.length > 0
        ? weighted(random, storeRegulars, (r) => 0.5 ** r.back).customer
        : customerOf(world, `${day}/${planned.newCustomer ?? `walk-in-${planned.number}`}`, planned);
    const story = tellOrder(world, day, planned, customer, stockOuts, riders[planned.storeIndex]!);
    if (story.events.some((e) => Date.parse(e.time) > now)) continue;
    history.events.push(...story.events);
    history.orders[story.fate] += 1;
    history.orderFates.set(story.orderId, story.fate);
  }
  // Carts changed by people who did not order that time: the funnel's first step is wider than the second.
  const random = randomFor(`${day}/carts`);
  for (let n = 1; n <= Math.round(plan.length * 0.45); n++) {
    const like = plan[Math.floor(random() * plan.length)]!;
    const at = new Date(like.at.getTime() + between(random, -90, 90) * MINUTE);
    if (at.getTime() > now) continue;
    const key = `${day}/abandoned-cart/${n}`;
    const userId = historyId(`${key}/user`, new Date(at.getTime() - 86_400_000));
    const product = world.products[weighted(random, ranks(world), basketWeight)]!;
    const cartId = historyId(`${key}/cart`, at);
    history.events.push(
      event(
        'cart.updated',
        { cartId, userId, storeId: world.stores[like.storeIndex]!.id, items: [{ productId: product.id, quantity: 1 }] },
        at,
        key,
        cartId,
      ),
    );
  }
}

/** An event with the time it happened and an id from its place in the history; its data checked against the catalog. */
function event<T extends EventType>(
  type: T,
  data: EventData<T>,
  at: Date,
  key: string,
  subject: string,
  correlationId = subject,
): CatalogEvent<T> {
  const parsed = catalog[type].safeParse(data);
  if (!parsed.success) throw new Error(`${type} of ${key} breaks its contract: ${parsed.error.message}`);
  return {
    specversion: '1.0',
    id: historyId(key, at),
    source: `/${ownerOf(type)}`,
    type,
    subject,
    time: at.toISOString(),
    datacontenttype: 'application/json',
    dataversion: '1',
    correlationid: correlationId,
    data: parsed.data as EventData<T>,
  };
}

interface OrderStory {
  orderId: string;
  fate: Fate;
  events: CatalogEvent[];
}

function tellOrder(
  world: HistoryWorld,
  day: string,
  planned: PlannedOrder,
  customer: Customer,
  stockOuts: StockOut[],
  riders: { id: string; freeAt: number }[],
): OrderStory {
  const key = `${day}/order/${planned.number}`;
  const random = randomFor(key);
  const store = world.stores[planned.storeIndex]!;
  const isNew = customer.key.startsWith(`${day}/`);

  const t0 = planned.at.getTime();
  const at = (minutes: number) => new Date(t0 + minutes * MINUTE);
  const orderId = historyId(`${key}/order`, planned.at);
  const events: CatalogEvent[] = [];
  let n = 0;
  const add = <T extends EventType>(type: T, data: EventData<T>, when: Date, subject = orderId) => {
    events.push(event(type, data, when, `${key}/${n++}`, subject, orderId));
  };
  const notify = (template: string, channel: 'email' | 'sms' | 'push', when: Date) => {
    const notificationId = historyId(`${key}/notification/${n}`, when);
    add('notification.sent', { notificationId, userId: customer.id, channel, template }, when, notificationId);
  };

  if (isNew) {
    const name = NAMES[Math.floor(random() * NAMES.length)]!;
    add('user.registered', { userId: customer.id, name, role: 'customer' }, customer.registeredAt, customer.id);
    notify('welcome.v1', 'email', new Date(customer.registeredAt.getTime() + 4_000));
  }

  // The basket: one to five products, the popular ones more often, mostly one of each.
  const lineCount = weighted(random, [1, 2, 3, 4, 5], (c) => [30, 30, 20, 12, 8][c - 1]!);
  const lines: { product: HistoryProduct; quantity: number }[] = [];
  for (let attempt = 0; attempt < 20 && lines.length < lineCount; attempt++) {
    const product = world.products[weighted(random, ranks(world), basketWeight)]!;
    if (lines.some((l) => l.product.id === product.id)) continue;
    const q = random();
    lines.push({ product, quantity: q < 0.7 ? 1 : q < 0.92 ? 2 : 3 });
  }
  const itemTotal = lines.reduce((sum, l) => sum + l.product.price * l.quantity, 0);
  const total =
    itemTotal +
    (itemTotal >= FEES.deliveryFreeAbove ? 0 : FEES.delivery) +
    (itemTotal < FEES.smallCartBelow ? FEES.smallCart : 0) +
    FEES.handling;
  const money = (amount: number) => ({ amount, currency: 'INR' as const });
  const items = lines.map((l) => ({ productId: l.product.id, quantity: l.quantity }));
  const m = random();
  const method: Method = m < 0.25 ? 'WALLET' : m < 0.55 ? 'CARD' : m < 0.85 ? 'UPI' : 'COD';
  const dropoff = customer.home;
  const cartId = historyId(`${customer.key}/cart`, customer.registeredAt);

  add('cart.updated', { cartId, userId: customer.id, storeId: store.id, items }, at(-between(random, 1, 6)), cartId);
  add(
    'order.created',
    {
      orderId,
      userId: customer.id,
      storeId: store.id,
      items: lines.map((l) => ({ productId: l.product.id, quantity: l.quantity, unitPrice: money(l.product.price) })),
      total: money(total),
      paymentMethod: method,
      addressId: customer.addressId,
      dropoff,
      ...(customer.zoneId ? { zoneId: customer.zoneId } : {}),
    },
    planned.at,
  );
  const cancel = (reason: string, paid: boolean, when: Date) => {
    add('order.cancelled', { orderId, userId: customer.id, reason, paid, storeId: store.id }, when);
    notify('order-cancelled.v1', 'push', new Date(when.getTime() + 3_000));
    notify('order-cancelled.v1', 'email', new Date(when.getTime() + 6_000));
  };
  const done = (fate: Fate): OrderStory => ({ orderId, fate, events });

  // Reserved at the store, or not: a product out of stock there cancels the order at once.
  const missing = stockOuts.some(
    (o) =>
      o.storeIndex === planned.storeIndex &&
      o.from.getTime() <= t0 &&
      t0 < o.to.getTime() &&
      items.some((i) => i.productId === o.productId),
  );
  if (missing) {
    cancel('OUT_OF_STOCK', false, at(0.05));
    return done('out-of-stock');
  }

  const paymentId = historyId(`${key}/payment`, at(0.1));
  const r = random();
  let confirmedAt: Date;
  if (method === 'CARD' || method === 'UPI') {
    add('payment.initiated', { paymentId, orderId, amount: money(total), method, userId: customer.id }, at(between(random, 0.3, 1)));
    if (r < 0.06) {
      const reasons = DECLINE_REASONS[method];
      const failedAt = at(between(random, 1.2, 2.5));
      add(
        'payment.failed',
        { paymentId, orderId, reason: reasons[Math.floor(random() * reasons.length)]!, method, userId: customer.id },
        failedAt,
      );
      cancel('PAYMENT_FAILED', false, new Date(failedAt.getTime() + 1_000));
      return done('declined');
    }
    if (r < 0.09) {
      cancel('CUSTOMER_CANCELLED', false, at(between(random, 1.5, 4)));
      return done('cancelled-unpaid');
    }
    if (r < 0.11) {
      cancel('PAYMENT_TIMEOUT', false, at(10));
      return done('payment-timeout');
    }
    confirmedAt = at(between(random, 1.2, 3));
    add('payment.completed', { paymentId, orderId, amount: money(total), method, userId: customer.id }, confirmedAt);
  } else if (method === 'WALLET') {
    if (r < 0.02) {
      add('payment.failed', { paymentId, orderId, reason: 'INSUFFICIENT_BALANCE', method, userId: customer.id }, at(0.05));
      cancel('PAYMENT_FAILED', false, at(0.07));
      return done('declined');
    }
    confirmedAt = at(0.05);
    add('payment.completed', { paymentId, orderId, amount: money(total), method, userId: customer.id }, confirmedAt);
  } else {
    confirmedAt = at(0.05);
  }
  const confirmed = confirmedAt.getTime() + 1_000;
  const since = (ms: number) => new Date(confirmed + ms);
  add(
    'order.confirmed',
    { orderId, userId: customer.id, storeId: store.id, items, total: money(total), paymentMethod: method, dropoff },
    new Date(confirmed),
  );
  notify('order-confirmed.v1', 'push', since(3_000));
  notify('order-confirmed.v1', 'email', since(7_000));

  // Cancelled once confirmed, by the customer or by the store once packed: what was paid goes back.
  const s = random();
  if (s < 0.07) {
    const byCustomer = s < 0.05;
    const cancelledAt = since(between(random, byCustomer ? 0.5 : 3, byCustomer ? 3 : 6) * MINUTE);
    const paid = method !== 'COD';
    cancel(byCustomer ? 'CUSTOMER_CANCELLED' : 'ADMIN_CANCELLED', paid, cancelledAt);
    if (paid) {
      const refundedAt = new Date(cancelledAt.getTime() + (method === 'WALLET' ? 1_000 : between(random, 0.5, 3) * MINUTE));
      const refundId = historyId(`${key}/refund`, refundedAt);
      add(
        'payment.refunded',
        { paymentId, orderId, refundId, amount: money(total), userId: customer.id, destination: 'original', refundedTotal: money(total) },
        refundedAt,
      );
      notify('order-refunded.v1', 'email', new Date(refundedAt.getTime() + 5_000));
    }
    return done(byCustomer ? 'cancelled-by-customer' : 'cancelled-by-store');
  }

  // The delivery: the store's first free rider, the order picked up once prepared, then the ride.
  const rider = riders.reduce((first, r2) => (r2.freeAt < first.freeAt ? r2 : first));
  const scheduled = Math.max(confirmed + between(random, 10, 50) * 1_000, rider.freeAt);
  const km = kilometres(store, dropoff);
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: world.timeZone, hour: '2-digit', hourCycle: 'h23' }).format(planned.at));
  const traffic = RUSH_HOURS.has(hour) ? between(random, 1, 1.6) : between(random, 0.85, 1.2);
  // The promise has some slack; rush-hour traffic or a slow pick-up still breaks it now and then.
  const etaMinutes = Math.ceil(store.preparationMinutes * 1.2 + rideMinutes(km) * 1.15 + 1);
  const started = Math.max(
    scheduled + between(random, 1, 3) * MINUTE,
    confirmed + store.preparationMinutes * between(random, 0.8, 1.4) * MINUTE,
  );
  const delivered = started + rideMinutes(km) * traffic * MINUTE;
  rider.freeAt = delivered + rideMinutes(km) * MINUTE;
  const deliveryId = historyId(`${key}/delivery`, new Date(scheduled));
  const partnerId = rider.id;
  const deliveredAt = new Date(delivered).toISOString();
  add(
    'delivery.scheduled',
    {
      deliveryId,
      orderId,
      partnerId,
      etaMinutes,
      userId: customer.id,
      storeId: store.id,
      etaAt: new Date(scheduled + etaMinutes * MINUTE).toISOString(),
    },
    new Date(scheduled),
  );
  add('delivery.started', { deliveryId, orderId, partnerId, userId: customer.id }, new Date(started));
  notify('order-out-for-delivery.v1', random() < 0.3 ? 'sms' : 'push', new Date(started + 3_000));
  add(
    'delivery.completed',
    { deliveryId, orderId, partnerId, deliveredAt, userId: customer.id, ...(method === 'COD' ? { codCollected: money(total) } : {}) },
    new Date(delivered),
  );
  if (method === 'COD') {
    add('payment.completed', { paymentId, orderId, amount: money(total), method: 'COD', userId: customer.id }, new Date(delivered + 2_000));
  }
  add('order.completed', { orderId, userId: customer.id, deliveredAt }, new Date(delivered + 1_000));
  notify('order-delivered.v1', 'push', new Date(delivered + 4_000));
  notify('order-delivered.v1', 'email', new Date(delivered + 8_000));
  return done('delivered');
}
