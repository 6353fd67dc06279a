import { randomUUID } from 'node:crypto';
import { demoQuantity } from '../../src/cli/demo-seeder';

describe('demo quantities', () => {
  it('when asked twice for the same store and product, then the quantity is the same', () => {
    const store = randomUUID();
    const product = randomUUID();
    expect(demoQuantity(store, product)).toBe(demoQuantity(store, product));
  });

  it('when spread over many products, then a few are out of stock, some low and most well stocked', () => {
    const store = randomUUID();
    const quantities = Array.from({ length: 5_000 }, () => demoQuantity(store, randomUUID()));
    const share = (test: (q: number) => boolean) => quantities.filter(test).length / quantities.length;
    expect(share((q) => q === 0)).toBeGreaterThan(0.02);
    expect(share((q) => q === 0)).toBeLessThan(0.07);
    expect(share((q) => q > 0 && q <= 10)).toBeGreaterThan(0.03);
    expect(share((q) => q > 0 && q <= 10)).toBeLessThan(0.1);
    expect(Math.min(...quantities.filter((q) => q > 10))).toBeGreaterThanOrEqual(15);
    expect(Math.max(...quantities)).toBeLessThanOrEqual(100);
  });
});
