import { NOTHING_KNOWN, learnSale, saleLines, windowStart, type OrderFact, type OrderSale } from '../../src/domain/sales';

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
