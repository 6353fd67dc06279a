import { mergeLines } from '../../src/domain/reservations';

describe('reservation lines', () => {
  it('when an order names a product twice, then its quantities are summed into one line', () => {
    const a = '019a3ea5-22e2-7cb6-9526-4c6b3884b738';
    const b = '019a3ea5-1e9d-71d7-9252-ab5bb4020b3a';
    expect(
      mergeLines([
        { productId: a, quantity: 2 },
        { productId: b, quantity: 1 },
        { productId: a.toUpperCase(), quantity: 3 },
      ]),
    ).toEqual([
      { productId: b, quantity: 1 },
      { productId: a, quantity: 5 },
    ]);
  });
});
