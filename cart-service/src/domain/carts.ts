import type { Tx } from '@qc/shared/db';
import type { CloudEvent, Emit } from '@qc/shared/events';
import { AppError } from '@qc/shared/http';
import { createCartIfMissing, deleteLine, deleteLines, findCartOf, lockCartOf, saveCartHeader, saveLine } from '../data/carts.repository';
import type { Cart } from './cart';
import { checkLineQuantity } from './cart-limits';
import { priceCart, type PricedCart, type ProductQuote, type StockAnswer } from './cart-pricing';
import { addressNotFound, addressNotServiceable, cartStoreChanged, lineNotFound, productNotFound, productUnavailable } from './cart.errors';
import type { CartContext } from './context';
import { cartCleared, cartUpdated, type ClearReason } from './events';

/**
 * The customer's cart, re-priced: today's prices from product-service and stock at the cart's
 * store from inventory-service, with what changed on each line. Without product-service there is
 * no price to show, so the read is a 503; without inventory-service the cart is shown with its
 * availability unknown (stock is checked again when the order reserves it).
 */
export async function viewCart(ctx: CartContext, userId: string): Promise<PricedCart> {
  return reprice(ctx, await currentCart(ctx, userId));
}

/** Adds `quantity` units of a product (the line is created, or grows). */
export async function addItem(ctx: CartContext, userId: string, productId: string, quantity: number): Promise<PricedCart> {
  return setLine(ctx, userId, productId, (current) => current + quantity);
}

/** Sets a line to `quantity` units (creating it if needed); 0 removes it. */
export async function setItemQuantity(ctx: CartContext, userId: string, productId: string, quantity: number): Promise<PricedCart> {
  if (quantity > 0) return setLine(ctx, userId, productId, () => quantity);
  const quotes = await quotesFor(ctx, (await currentCart(ctx, userId)).lines);
  const cart = await changeCart(ctx, userId, async (tx, locked) => {
    if (!locked.lines.some((line) => line.productId === productId)) return false;
    await deleteLine(tx, locked.id, productId);
    return true;
  });
  return reprice(ctx, cart, quotes);
}

export async function removeItem(ctx: CartContext, userId: string, productId: string): Promise<PricedCart> {
  const quotes = await quotesFor(ctx, (await currentCart(ctx, userId)).lines);
  const cart = await changeCart(ctx, userId, async (tx, locked) => {
    if (!locked.lines.some((line) => line.productId === productId)) throw lineNotFound(productId);
    await deleteLine(tx, locked.id, productId);
    return true;
  });
  return reprice(ctx, cart, quotes);
}

/** Empties the cart (its address and store stay). `cart.cleared` only when there was something to clear. */
export async function clearCart(ctx: CartContext, userId: string): Promise<void> {
  await changeCart(
    ctx,
    userId,
    async (tx, locked) => {
      if (locked.lines.length === 0) return false;
      await deleteLines(tx, locked.id);
      return true;
    },
    'CUSTOMER',
  );
}

/**
 * Delivers the cart to one of the customer's addresses (read from user-service with their own
 * token, so nobody can pick another customer's address). The cart belongs to the store that serves
 * the address; when that is another store, the answer is already re-checked against its stock.
 */
export async function chooseAddress(ctx: CartContext, userId: string, addressId: string, authorization: string): Promise<PricedCart> {
  const address = await ctx.addresses.addressOf(addressId, authorization);
  if (!address) throw addressNotFound(addressId);
  const storeId = await ctx.stores.storeServing(address.lat, address.lng);
  if (!storeId) throw addressNotServiceable(addressId);
  const quotes = await quotesFor(ctx, (await currentCart(ctx, userId)).lines);
  const cart = await changeCart(ctx, userId, async (_tx, locked) => {
    if (locked.addressId === addressId && locked.storeId === storeId) return false;
    locked.addressId = addressId;
    locked.storeId = storeId;
    return true;
  });
  return reprice(ctx, cart, quotes);
}

/**
 * order.confirmed: the order placed from the cart is paid for (or cash on delivery), so the cart
 * is emptied, in the consumer's transaction. Only the cart of the order's store is: a customer who
 * moved their cart to another store since has a new cart there. Redis gets the emptied cart before
 * the commit, since a consumer has no after-commit step; were the commit to fail, the handler runs
 * again, and the next change of the cart (a newer version) replaces the cached one anyway.
 */
export async function clearCartForOrder(
  ctx: Pick<CartContext, 'cache'>,
  tx: Tx,
  emit: Emit,
  order: { userId: string; storeId: string },
  causedBy: CloudEvent,
): Promise<'cleared' | 'ignored'> {
  const cart = await lockCartOf(tx, order.userId, false);
  if (!cart || cart.lines.length === 0 || cart.storeId !== order.storeId) return 'ignored';
  await deleteLines(tx, cart.id);
  await saveCartHeader(tx, cart);
  const cleared = (await lockCartOf(tx, order.userId, false))!;
  emit(cartCleared(cleared, 'ORDER_CONFIRMED', causedBy));
  await ctx.cache.put(cleared);
  return 'cleared';
}

/**
 * Sets one line to `quantityFrom(current units)` after checking the product is sold, the limits,
 * and the stock at the cart's store. The catalog and stock are read before the cart is locked, so
 * no row lock is held across HTTP calls; a cart that moved store in between is a 409 to retry.
 *
 * Every change reads the prices it will answer with before it commits: with product-service away
 * it is a 503 that changed nothing, never a change made whose answer then fails.
 */
async function setLine(
  ctx: CartContext,
  userId: string,
  productId: string,
  quantityFrom: (current: number) => number,
): Promise<PricedCart> {
  const before = await currentCart(ctx, userId);
  const [quotes, available] = await Promise.all([
    quotesFor(ctx, [...before.lines, { productId }]),
    stockOf(ctx, before.storeId, productId),
  ]);
  const quote = quotes.get(productId);
  const cart = await changeCart(ctx, userId, async (tx, locked) => {
    if (locked.storeId !== before.storeId) throw cartStoreChanged();
    const current = locked.lines.find((line) => line.productId === productId);
    if (!quote) throw current ? productUnavailable(productId) : productNotFound(productId);
    const quantity = quantityFrom(current?.quantity ?? 0);
    checkLineQuantity(locked.lines, productId, quantity, ctx.limits, available);
    await saveLine(tx, locked.id, { productId, quantity, name: quote.name, price: quote.price, mrp: quote.mrp });
    return true;
  });
  return reprice(ctx, cart, quotes);
}

/**
 * Runs `change` on the customer's cart under its row lock; when it reports a change, the cart gets
 * its next version and `cart.updated` (or `cart.cleared` with `clearReason`) in the same
 * transaction. The committed cart then goes to Redis.
 */
async function changeCart(
  ctx: CartContext,
  userId: string,
  change: (tx: Tx, locked: Cart) => Promise<boolean>,
  clearReason?: ClearReason,
): Promise<Cart> {
  const { cart, changed } = await ctx.outbox.transaction(async (tx, emit) => {
    const locked = (await lockCartOf(tx, userId, true))!;
    if (!(await change(tx, locked))) return { cart: locked, changed: false };
    await saveCartHeader(tx, locked);
    const saved = (await lockCartOf(tx, userId, false))!;
    emit(clearReason ? cartCleared(saved, clearReason) : cartUpdated(saved));
    return { cart: saved, changed: true };
  });
  if (changed) await ctx.cache.put(cart);
  return cart;
}

/** Read-through: Redis, else MySQL (creating the empty cart on a first read), then Redis again. */
async function currentCart(ctx: CartContext, userId: string): Promise<Cart> {
  const cached = await ctx.cache.get(userId);
  if (cached) return cached;
  let cart = await findCartOf(ctx.db, userId);
  if (!cart) {
    await createCartIfMissing(ctx.db, userId);
    cart = (await findCartOf(ctx.db, userId))!;
  }
  await ctx.cache.put(cart);
  return cart;
}

/** Today's quote of each product (null: not sold), keeping those already read. */
type Quotes = ReadonlyMap<string, ProductQuote | null>;

async function quotesFor(ctx: CartContext, lines: readonly { productId: string }[], known: Quotes = new Map()): Promise<Quotes> {
  const missing = [...new Set(lines.map((line) => line.productId))].filter((productId) => !known.has(productId));
  if (missing.length === 0) return known;
  const fetched = await ctx.catalog.quotes(missing);
  return new Map([...known, ...missing.map((productId): [string, ProductQuote | null] => [productId, fetched.get(productId) ?? null])]);
}

/** Prices the cart with `known` quotes, reading only those it lacks (lines another change added meanwhile). */
async function reprice(ctx: CartContext, cart: Cart, known?: Quotes): Promise<PricedCart> {
  const productIds = cart.lines.map((line) => line.productId);
  if (productIds.length === 0) return priceCart(cart, new Map(), cart.storeId ? { known: true, available: new Map() } : NO_STORE);
  const [quotes, stock] = await Promise.all([quotesFor(ctx, cart.lines, known), stockAnswer(ctx, cart.storeId, productIds)]);
  const sold = new Map([...quotes].filter((entry): entry is [string, ProductQuote] => entry[1] !== null));
  return priceCart(cart, sold, stock);
}

const NO_STORE: StockAnswer = { known: false, reason: 'NO_STORE' };

/**
 * Stock at the store, or why it is not known: inventory-service being away degrades the cart rather
 * than failing it. A store it does not know (closed down since the address was chosen) cannot be
 * answered for either: availability unknown, not an error of the customer's.
 */
async function stockAnswer(ctx: CartContext, storeId: string | null, productIds: string[]): Promise<StockAnswer> {
  if (!storeId) return NO_STORE;
  let available: Map<string, number> | null;
  try {
    available = await ctx.stock.available(storeId, productIds);
  } catch (err) {
    if (!(err instanceof AppError && err.kind === 'unavailable')) throw err;
    ctx.logger.warn({ err: err.message, storeId }, 'stock unavailable; the cart shows availability unknown');
    return { known: false, reason: 'UNAVAILABLE' };
  }
  if (available) return { known: true, available };
  ctx.logger.warn({ storeId }, 'inventory-service does not know the store; the cart shows availability unknown');
  return { known: false, reason: 'UNAVAILABLE' };
}

/** One product's stock for a change's check; undefined when it cannot be known (no store, inventory away). */
async function stockOf(ctx: CartContext, storeId: string | null, productId: string): Promise<number | undefined> {
  const stock = await stockAnswer(ctx, storeId, [productId]);
  return stock.known ? (stock.available.get(productId) ?? 0) : undefined;
}
