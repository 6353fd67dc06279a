import { AppError } from '@qc/shared/http';
import { inr, type CartLine } from '../../src/domain/cart';
import { checkLineQuantity, type CartLimits } from '../../src/domain/cart-limits';

const limits: CartLimits = { maxLineQuantity: 10, maxLines: 3, maxUnits: 20 };
const line = (productId: string, quantity: number): CartLine => ({
  productId,
  quantity,
  name: productId,
  price: inr(100),
  mrp: inr(100),
  addedAt: '2025-12-01T10:00:00.000Z',
});

function refusal(check: () => void): { code: string; kind: string } | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { code: err.code, kind: err.kind };
  }
}

describe('how much a cart line may hold', () => {
  const full = [line('a', 8), line('b', 8), line('c', 2)];

  it('when the change stays within every limit and the stock, then it passes', () => {
    expect(refusal(() => checkLineQuantity([line('a', 1)], 'a', 10, limits, 10))).toBeUndefined();
  });

  it('when a line would pass the per-line maximum, then LINE_QUANTITY_LIMIT (422)', () => {
    expect(refusal(() => checkLineQuantity([], 'a', 11, limits, undefined))).toEqual({
      code: 'LINE_QUANTITY_LIMIT',
      kind: 'rule_violation',
    });
  });

  it('when a new product would pass the number of lines, then CART_LINES_LIMIT; an existing line may still grow', () => {
    expect(refusal(() => checkLineQuantity(full, 'd', 1, limits, undefined))?.code).toBe('CART_LINES_LIMIT');
    expect(refusal(() => checkLineQuantity(full, 'c', 3, limits, undefined))).toBeUndefined();
  });

  it('when the cart would hold more units than allowed in all, then CART_UNITS_LIMIT', () => {
    expect(refusal(() => checkLineQuantity(full, 'c', 5, limits, undefined))?.code).toBe('CART_UNITS_LIMIT');
    expect(refusal(() => checkLineQuantity(full, 'c', 4, limits, undefined))).toBeUndefined();
  });

  it('when the store has fewer than asked, then STOCK_INSUFFICIENT, or OUT_OF_STOCK when it has none', () => {
    expect(refusal(() => checkLineQuantity([], 'a', 3, limits, 2))?.code).toBe('STOCK_INSUFFICIENT');
    expect(refusal(() => checkLineQuantity([], 'a', 1, limits, 0))?.code).toBe('OUT_OF_STOCK');
  });

  it('when the stock is not known, then only the cart’s own limits apply', () => {
    expect(refusal(() => checkLineQuantity([], 'a', 10, limits, undefined))).toBeUndefined();
  });

  it('when a line over a limit or over the stock is lowered, then it passes: lowering only brings it closer', () => {
    expect(refusal(() => checkLineQuantity([line('a', 15)], 'a', 12, limits, 1))).toBeUndefined();
    expect(refusal(() => checkLineQuantity([line('a', 5)], 'a', 5, limits, 0))).toBeUndefined();
  });
});
