import {
  NOTHING_KNOWN,
  PAIRED_PRODUCTS_PER_ORDER,
  boughtTogether,
  learnSale,
  saleLines,
  windowStart,
  type OrderFact,
  type OrderSale,
} from '../../src/domain/sales';

const confirmed: OrderFact = {
  kind: 'confirmed',
  lines: [
    { productId: 'b', quantity: 1 },
    { productId: 'a', quantity: 2 },
    { productId: 'b', quantity: 3 },
  ],
};
const delivered: OrderFact = { kind: 'delivered', deliveredAt: new Date('2026-03-01T23:30:00.000Z') };
const cancelled: OrderFact = { kind: 'cancelled' };

/** Applies facts in turn; returns the final sale and the units it counted overall (+1 add, -1 remove). */
function replay(facts: OrderFact[]): { sale: OrderSale; net: number } {
  let sale = NOTHING_KNOWN;
  let net = 0;
  for (const fact of facts) {
    const result = learnSale(sale, fact);
    sale = result.sale;
    net += result.units === 'add' ? 1 : result.units === 'remove' ? -1 : 0;
  }
  return { sale, net };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe("an order's sale", () => {
  it('when an order is confirmed and delivered, in either order, then it counts once, its lines merged per product on its UTC day', () => {
    for (const facts of permutations([confirmed, delivered])) {
      const { sale, net } = replay(facts);
      expect(net).toBe(1);
      expect(sale).toEqual({
        lines: [
          { productId: 'a', quantity: 2 },
          { productId: 'b', quantity: 4 },
        ],
        deliveredOn: '2026-03-01',
        cancelled: false,
        counted: true,
      });
    }
  });

  it('when a fact comes again, then nothing more is counted', () => {
    for (const facts of permutations([confirmed, delivered, confirmed, delivered])) expect(replay(facts).net).toBe(1);
  });

  it('when an order is cancelled, then it never counts, whatever came before or after', () => {
    for (const facts of permutations([confirmed, delivered, cancelled])) {
      const { sale, net } = replay(facts);
      expect(net).toBe(0);
      expect(sale.counted).toBe(false);
    }
  });

  it('when only the lines or only the delivery is known, then nothing counts yet', () => {
    expect(learnSale(NOTHING_KNOWN, confirmed).units).toBe('none');
    expect(learnSale(NOTHING_KNOWN, delivered).units).toBe('none');
  });

  it('when a second delivery time arrives, then the first day stays', () => {
    const { sale } = replay([delivered, { kind: 'delivered', deliveredAt: new Date('2026-03-05T10:00:00.000Z') }, confirmed]);
    expect(sale.deliveredOn).toBe('2026-03-01');
  });

  it('when lines repeat a product, then they are added up and sorted by product', () => {
    expect(
      saleLines([
        { productId: 'z', quantity: 1 },
        { productId: 'y', quantity: 1 },
        { productId: 'z', quantity: 2 },
      ]),
    ).toEqual([
      { productId: 'y', quantity: 1 },
      { productId: 'z', quantity: 3 },
    ]);
  });

  it('when the window is asked for, then it is the 30 UTC days ending today', () => {
    expect(windowStart(new Date('2026-03-30T23:59:59.000Z'))).toBe('2026-03-01');
    expect(windowStart(new Date('2026-03-31T00:00:00.000Z'))).toBe('2026-03-02');
  });
});

describe('the products an order bought together', () => {
  const line = (productId: string, quantity = 1) => ({ productId, quantity });

  it('when an order has n distinct products, then each unordered pair comes once, smaller id first, in id order', () => {
    expect(boughtTogether([line('c', 5), line('a'), line('b', 2)])).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ]);
  });

  it('when a product is listed twice or in any quantity, then it still makes one pair with each other product', () => {
    expect(boughtTogether([line('b', 3), line('a'), line('b', 1)])).toEqual([['a', 'b']]);
  });

  it('when an order has one product or none, then it has no pairs', () => {
    expect(boughtTogether([line('a', 4)])).toEqual([]);
    expect(boughtTogether([])).toEqual([]);
  });

  it('when an order has more distinct products than the cap, then only the first ones by id are paired', () => {
    const ids = Array.from({ length: PAIRED_PRODUCTS_PER_ORDER + 5 }, (_, i) => `p${String(i).padStart(3, '0')}`);
    const pairs = boughtTogether([...ids].reverse().map((id) => line(id)));
    expect(pairs).toHaveLength((PAIRED_PRODUCTS_PER_ORDER * (PAIRED_PRODUCTS_PER_ORDER - 1)) / 2);
    const paired = new Set(pairs.flat());
    expect([...paired].sort()).toEqual(ids.slice(0, PAIRED_PRODUCTS_PER_ORDER));
    expect(new Set(pairs.map((pair) => pair.join())).size).toBe(pairs.length);
  });
});
