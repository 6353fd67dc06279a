import { AppError } from '@qc/shared/http';
import type { CartLine } from './cart';

/** How much one cart may hold (settings CART_MAX_LINE_QUANTITY, CART_MAX_LINES, CART_MAX_UNITS). */
export interface CartLimits {
  maxLineQuantity: number;
  maxLines: number;
  maxUnits: number;
}

/**
 * Checks that a line may go to `quantity` units: the per-line, per-cart and stock limits, as a 422
 * with a code a client can act on. Only increases are checked: lowering a line that is over a limit
 * (the limits were lowered, or the stock fell since) always goes through, since it brings it closer.
 * `available` is the store's stock of the product, undefined when it is not known.
 */
export function checkLineQuantity(
  lines: readonly CartLine[],
  productId: string,
  quantity: number,
  limits: CartLimits,
  available: number | undefined,
): void {
  const current = lines.find((line) => line.productId === productId);
  const before = current?.quantity ?? 0;
  if (quantity <= before) return;
  if (quantity > limits.maxLineQuantity) {
    throw new AppError('rule_violation', 'LINE_QUANTITY_LIMIT', `At most ${limits.maxLineQuantity} units of one product per cart`, {
      details: [{ path: 'body.quantity', message: `at most ${limits.maxLineQuantity}`, max: limits.maxLineQuantity, requested: quantity }],
    });
  }
  if (!current && lines.length >= limits.maxLines) {
    throw new AppError('rule_violation', 'CART_LINES_LIMIT', `A cart holds at most ${limits.maxLines} different products`, {
      details: [{ path: 'body.productId', message: `at most ${limits.maxLines} products`, max: limits.maxLines }],
    });
  }
  const units = lines.reduce((sum, line) => sum + line.quantity, 0) - before + quantity;
  if (units > limits.maxUnits) {
    throw new AppError('rule_violation', 'CART_UNITS_LIMIT', `A cart holds at most ${limits.maxUnits} units in all`, {
      details: [{ path: 'body.quantity', message: `the cart would hold ${units} units`, max: limits.maxUnits, requested: units }],
    });
  }
  if (available !== undefined && quantity > available) {
    throw new AppError(
      'rule_violation',
      available === 0 ? 'OUT_OF_STOCK' : 'STOCK_INSUFFICIENT',
      available === 0
        ? `Product ${productId} is out of stock at your store`
        : `Only ${available} units of product ${productId} are available`,
      { details: [{ path: 'body.quantity', message: `${available} available`, available, requested: quantity }] },
    );
  }
}
