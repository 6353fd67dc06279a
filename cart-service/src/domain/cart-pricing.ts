import { inr, type Cart, type Money } from './cart';

/** A product as the catalog sells it today; products it no longer sells have none. */
export interface ProductQuote {
  productId: string;
  name: string;
  price: Money;
  mrp: Money;
}

/** Units available per product at the cart's store, or why they are not known. */
export type StockAnswer = { known: true; available: ReadonlyMap<string, number> } | { known: false; reason: 'NO_STORE' | 'UNAVAILABLE' };

/** What changed for a line since the customer last chose its quantity. */
export type LineChange =
  | { kind: 'PRICE_UP' | 'PRICE_DOWN'; from: Money; to: Money }
  | { kind: 'OUT_OF_STOCK' }
  | { kind: 'QUANTITY_CAPPED'; requested: number; available: number }
  /** The catalog no longer sells the product (deleted or made inactive). */
  | { kind: 'UNAVAILABLE' };

export interface PricedLine {
  productId: string;
  name: string;
  /** What the customer asked for. */
  quantity: number;
  price: Money;
  mrp: Money;
  /** Price × the units that can be delivered: all of them, those in stock when capped, none when out of stock or not sold. */
  lineTotal: Money;
  /** Known to be sold and in stock at the cart's store right now. */
  available: boolean;
  availableQuantity: number;
  /** False when stock could not be checked (no address chosen yet, or inventory-service did not answer). */
  availabilityKnown: boolean;
  changes: LineChange[];
  addedAt: string;
}

/** `LIVE`: stock checked at the store; `UNKNOWN`: inventory-service did not answer; `NO_STORE`: no address chosen. */
export type CartAvailability = 'LIVE' | 'UNKNOWN' | 'NO_STORE';

export interface PricedCart {
  id: string;
  userId: string;
  storeId: string | null;
  addressId: string | null;
  items: PricedLine[];
  /** The sum of the line totals. */
  itemTotal: Money;
  /** Units in the cart, available or not. */
  itemCount: number;
  availability: CartAvailability;
  version: number;
  updatedAt: string;
}

/**
 * Re-prices a stored cart with today's catalog and stock (the rules every read applies): the price
 * is the catalog's, never the stored one, and each line says what changed since its quantity was
 * chosen. Pure, so the rules are tested without any service running.
 */
export function priceCart(cart: Cart, quotes: ReadonlyMap<string, ProductQuote>, stock: StockAnswer): PricedCart {
  const items = cart.lines.map((line): PricedLine => {
    const quote = quotes.get(line.productId);
    if (!quote) {
      return {
        productId: line.productId,
        name: line.name,
        quantity: line.quantity,
        price: line.price,
        mrp: line.mrp,
        lineTotal: inr(0),
        available: false,
        availableQuantity: 0,
        availabilityKnown: stock.known,
        changes: [{ kind: 'UNAVAILABLE' }],
        addedAt: line.addedAt,
      };
    }
    const changes: LineChange[] = [];
    if (quote.price.amount > line.price.amount) changes.push({ kind: 'PRICE_UP', from: line.price, to: quote.price });
    if (quote.price.amount < line.price.amount) changes.push({ kind: 'PRICE_DOWN', from: line.price, to: quote.price });
    let deliverable = line.quantity;
    let availableQuantity = 0;
    if (stock.known) {
      availableQuantity = stock.available.get(line.productId) ?? 0;
      if (availableQuantity === 0) changes.push({ kind: 'OUT_OF_STOCK' });
      else if (availableQuantity < line.quantity)
        changes.push({ kind: 'QUANTITY_CAPPED', requested: line.quantity, available: availableQuantity });
      deliverable = Math.min(line.quantity, availableQuantity);
    }
    return {
      productId: line.productId,
      name: quote.name,
      quantity: line.quantity,
      price: quote.price,
      mrp: quote.mrp,
      lineTotal: inr(quote.price.amount * deliverable),
      available: stock.known && availableQuantity > 0,
      availableQuantity,
      availabilityKnown: stock.known,
      changes,
      addedAt: line.addedAt,
    };
  });
  return {
    id: cart.id,
    userId: cart.userId,
    storeId: cart.storeId,
    addressId: cart.addressId,
    items,
    itemTotal: inr(items.reduce((sum, item) => sum + item.lineTotal.amount, 0)),
    itemCount: cart.lines.reduce((sum, line) => sum + line.quantity, 0),
    availability: stock.known ? 'LIVE' : stock.reason === 'NO_STORE' ? 'NO_STORE' : 'UNKNOWN',
    version: cart.version,
    updatedAt: cart.updatedAt,
  };
}
