import { inr, type Cart, type CartLine } from '../../src/domain/cart';
import { priceCart, type ProductQuote, type StockAnswer } from '../../src/domain/cart-pricing';

const A = '019a0000-0000-7000-8000-00000000000a';
const B = '019a0000-0000-7000-8000-00000000000b';
const STORE = '019a0000-0000-7000-8000-0000000000f1';

const line = (productId: string, quantity: number, price: number, overrides: Partial<CartLine> = {}): CartLine => ({
  productId,
  quantity,
  name: `Product ${productId.slice(-1)}`,
  price: inr(price),
  mrp: inr(price + 500),
  addedAt: '2025-12-01T10:00:00.000Z',
  ...overrides,
});
const cartOf = (lines: CartLine[], storeId: string | null = STORE): Cart => ({
  id: '019a0000-0000-7000-8000-0000000000c1',
  userId: '019a0000-0000-7000-8000-0000000000d1',
  storeId,
  addressId: storeId ? '019a0000-0000-7000-8000-0000000000e1' : null,
  lines,
  version: 3,
  updatedAt: '2025-12-01T10:05:00.000Z',
});
const quote = (productId: string, price: number, name = `Product ${productId.slice(-1)} today`): ProductQuote => ({
  productId,
  name,
  price: inr(price),
  mrp: inr(price + 500),
});
const quotes = (...list: ProductQuote[]) => new Map(list.map((q) => [q.productId, q]));
const stock = (entries: Record<string, number>): StockAnswer => ({ known: true, available: new Map(Object.entries(entries)) });

describe('re-pricing a cart', () => {
  it('when nothing changed, then each line is priced at today’s price, fully available, with no changes', () => {
    const priced = priceCart(
      cartOf([line(A, 2, 4000), line(B, 1, 1500)]),
      quotes(quote(A, 4000), quote(B, 1500)),
      stock({ [A]: 9, [B]: 1 }),
    );
    expect(
      priced.items.map(({ productId, lineTotal, available, availableQuantity, changes }) => ({
        productId,
        lineTotal,
        available,
        availableQuantity,
        changes,
      })),
    ).toEqual([
      { productId: A, lineTotal: inr(8000), available: true, availableQuantity: 9, changes: [] },
      { productId: B, lineTotal: inr(1500), available: true, availableQuantity: 1, changes: [] },
    ]);
    expect(priced).toMatchObject({ itemTotal: inr(9500), itemCount: 3, availability: 'LIVE', version: 3 });
  });

  it('when the price rose or fell since the quantity was chosen, then the line carries today’s price and says from and to', () => {
    const priced = priceCart(
      cartOf([line(A, 2, 4000), line(B, 1, 1500)]),
      quotes(quote(A, 4500), quote(B, 1200)),
      stock({ [A]: 9, [B]: 9 }),
    );
    expect(priced.items[0]).toMatchObject({
      price: inr(4500),
      mrp: inr(5000),
      lineTotal: inr(9000),
      changes: [{ kind: 'PRICE_UP', from: inr(4000), to: inr(4500) }],
    });
    expect(priced.items[1]).toMatchObject({
      price: inr(1200),
      lineTotal: inr(1200),
      changes: [{ kind: 'PRICE_DOWN', from: inr(1500), to: inr(1200) }],
    });
    expect(priced.itemTotal).toEqual(inr(10_200));
  });

  it('when the catalog renamed the product, then the line shows today’s name', () => {
    const priced = priceCart(cartOf([line(A, 1, 4000)]), quotes(quote(A, 4000, 'Renamed')), stock({ [A]: 1 }));
    expect(priced.items[0]!.name).toBe('Renamed');
  });

  it('when the store has none left, then the line is out of stock and adds nothing to the total', () => {
    const priced = priceCart(cartOf([line(A, 2, 4000), line(B, 1, 1500)]), quotes(quote(A, 4000), quote(B, 1500)), stock({ [B]: 3 }));
    expect(priced.items[0]).toMatchObject({
      available: false,
      availableQuantity: 0,
      lineTotal: inr(0),
      changes: [{ kind: 'OUT_OF_STOCK' }],
    });
    expect(priced).toMatchObject({ itemTotal: inr(1500), itemCount: 3 });
  });

  it('when the store has fewer than asked, then the quantity is capped: the total counts what can be delivered', () => {
    const priced = priceCart(cartOf([line(A, 5, 1000)]), quotes(quote(A, 1000)), stock({ [A]: 2 }));
    expect(priced.items[0]).toMatchObject({
      quantity: 5,
      available: true,
      availableQuantity: 2,
      lineTotal: inr(2000),
      changes: [{ kind: 'QUANTITY_CAPPED', requested: 5, available: 2 }],
    });
  });

  it('when the price rose and the stock fell, then the line says both', () => {
    const priced = priceCart(cartOf([line(A, 5, 1000)]), quotes(quote(A, 1100)), stock({ [A]: 0 }));
    expect(priced.items[0]!.changes.map((c) => c.kind)).toEqual(['PRICE_UP', 'OUT_OF_STOCK']);
  });

  it('when the catalog no longer sells the product, then the line is unavailable at its last known price and name', () => {
    const priced = priceCart(cartOf([line(A, 2, 4000), line(B, 1, 1500)]), quotes(quote(B, 1500)), stock({ [A]: 9, [B]: 9 }));
    expect(priced.items[0]).toMatchObject({
      name: 'Product a',
      price: inr(4000),
      mrp: inr(4500),
      lineTotal: inr(0),
      available: false,
      availableQuantity: 0,
      changes: [{ kind: 'UNAVAILABLE' }],
    });
    expect(priced.itemTotal).toEqual(inr(1500));
  });

  it('when stock could not be read, then lines are priced in full with availability unknown, and no stock change is claimed', () => {
    const priced = priceCart(cartOf([line(A, 2, 4000)]), quotes(quote(A, 4000)), { known: false, reason: 'UNAVAILABLE' });
    expect(priced.items[0]).toMatchObject({
      available: false,
      availabilityKnown: false,
      availableQuantity: 0,
      lineTotal: inr(8000),
      changes: [],
    });
    expect(priced).toMatchObject({ availability: 'UNKNOWN', itemTotal: inr(8000) });
  });

  it('when no address is chosen yet, then the cart says NO_STORE', () => {
    const priced = priceCart(cartOf([line(A, 1, 4000)], null), quotes(quote(A, 4000)), { known: false, reason: 'NO_STORE' });
    expect(priced).toMatchObject({ storeId: null, availability: 'NO_STORE', itemTotal: inr(4000) });
  });

  it('when the cart is empty, then it totals zero', () => {
    expect(priceCart(cartOf([]), new Map(), stock({}))).toMatchObject({ items: [], itemTotal: inr(0), itemCount: 0 });
  });
});
