import { alertsCrossing, stockLevel, type StockLevel } from '../../src/domain/stock-levels';

describe('stock levels', () => {
  it('when available is above the threshold, then in stock; at or under it, low; at zero, out', () => {
    expect(stockLevel(11, 10)).toBe('IN_STOCK');
    expect(stockLevel(10, 10)).toBe('LOW');
    expect(stockLevel(1, 10)).toBe('LOW');
    expect(stockLevel(0, 10)).toBe('OUT');
    expect(stockLevel(1, 0)).toBe('IN_STOCK');
    expect(stockLevel(0, 0)).toBe('OUT');
  });

  it.each<[StockLevel, StockLevel, string[]]>([
    ['IN_STOCK', 'LOW', ['inventory.low_stock']],
    ['IN_STOCK', 'OUT', ['inventory.low_stock', 'inventory.out_of_stock']],
    ['LOW', 'OUT', ['inventory.out_of_stock']],
    ['LOW', 'LOW', []],
    ['OUT', 'OUT', []],
    ['OUT', 'LOW', []],
    ['LOW', 'IN_STOCK', []],
    ['IN_STOCK', 'IN_STOCK', []],
  ])('when the level goes from %s to %s, then the alerts are %j', (previous, next, alerts) => {
    expect(alertsCrossing(previous, next)).toEqual(alerts);
  });

  it('when stock falls, recovers only to low and falls again, then low stock fires once and out of stock twice', () => {
    const threshold = 5;
    const fired: string[] = [];
    let level: StockLevel = 'IN_STOCK';
    for (const available of [20, 6, 5, 4, 0, 2, 0, 10, 4]) {
      const next = stockLevel(available, threshold);
      fired.push(...alertsCrossing(level, next).map((alert) => `${alert}@${available}`));
      level = next;
    }
    expect(fired).toEqual(['inventory.low_stock@5', 'inventory.out_of_stock@0', 'inventory.out_of_stock@0', 'inventory.low_stock@4']);
  });
});
