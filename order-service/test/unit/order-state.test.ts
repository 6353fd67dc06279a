import { AppError } from '@qc/shared/http';
import { ORDER_STATUSES, assertMove, canMove, isCancellable, type OrderStatus } from '../../src/domain/order-state';

const codeOf = (move: () => void): string | undefined => {
  try {
    move();
  } catch (err) {
    if (err instanceof AppError) return `${err.kind}:${err.code}`;
    throw err;
  }
  return undefined;
};

describe('order state machine', () => {
  it('when an order goes the happy path, then every step is legal', () => {
    const path: OrderStatus[] = ['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED', 'PACKED', 'OUT_FOR_DELIVERY', 'DELIVERED'];
    for (let i = 1; i < path.length; i++) expect(canMove(path[i - 1]!, path[i]!)).toBe(true);
  });

  it('when a step would skip ahead, go back or leave a final state, then it is illegal', () => {
    expect(canMove('PENDING', 'CONFIRMED')).toBe(false);
    expect(canMove('CONFIRMED', 'AWAITING_PAYMENT')).toBe(false);
    expect(canMove('PACKED', 'DELIVERED')).toBe(false);
    for (const to of ORDER_STATUSES) {
      expect(canMove('DELIVERED', to)).toBe(false);
      expect(canMove('CANCELLED', to)).toBe(false);
    }
  });

  it('when the rider has not picked the order up, then it can be cancelled; after, it cannot', () => {
    expect(ORDER_STATUSES.filter(isCancellable)).toEqual(['PENDING', 'AWAITING_PAYMENT', 'CONFIRMED', 'PACKED']);
  });

  it('when a command asks for an illegal move, then it is a 409 that says which', () => {
    expect(codeOf(() => assertMove('o', 'OUT_FOR_DELIVERY', 'CANCELLED'))).toBe('conflict:ORDER_NOT_CANCELLABLE');
    expect(codeOf(() => assertMove('o', 'CANCELLED', 'CANCELLED'))).toBe('conflict:ORDER_NOT_CANCELLABLE');
    expect(codeOf(() => assertMove('o', 'PENDING', 'PACKED'))).toBe('conflict:ILLEGAL_TRANSITION');
    expect(codeOf(() => assertMove('o', 'CONFIRMED', 'PACKED'))).toBeUndefined();
  });
});
