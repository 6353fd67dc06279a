import { decideCapture, decideCollection, decideFailure, decideOrderCancelled, refundableOf } from '../../src/domain/payment-state';
import { outcomeOf } from '../../src/sandbox-psp/test-values';

describe('payment state', () => {
  it('when a capture arrives, then a pending payment completes, a duplicate is ignored, and a capture after cancel or failure is refunded', () => {
    expect(decideCapture('PENDING', false)).toBe('complete');
    expect(decideCapture('PENDING', true)).toBe('complete_and_refund');
    expect(decideCapture('FAILED', false)).toBe('complete_and_refund');
    expect(decideCapture('CANCELLED', true)).toBe('complete_and_refund');
    expect(decideCapture('SUCCEEDED', false)).toBe('ignore');
  });

  it('when a failure arrives, then only a pending payment fails (a late failure after success changes nothing)', () => {
    expect(decideFailure('PENDING')).toBe('fail');
    for (const status of ['SUCCEEDED', 'FAILED', 'CANCELLED', 'PENDING_COLLECTION'] as const) expect(decideFailure(status)).toBe('ignore');
  });

  it('when a rider collects cash, then only a payment waiting for collection is captured (a redelivery or a cancelled one changes nothing)', () => {
    expect(decideCollection('PENDING_COLLECTION')).toBe('collect');
    for (const status of ['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const) expect(decideCollection(status)).toBe('ignore');
  });

  it('when the order is cancelled, then unpaid payments are cancelled and what is left of a capture is refunded', () => {
    expect(decideOrderCancelled('PENDING', 0)).toBe('cancel');
    expect(decideOrderCancelled('PENDING_COLLECTION', 0)).toBe('cancel');
    expect(decideOrderCancelled('SUCCEEDED', 500)).toBe('refund');
    expect(decideOrderCancelled('SUCCEEDED', 0)).toBe('ignore');
    expect(decideOrderCancelled('FAILED', 0)).toBe('ignore');
    expect(refundableOf({ capturedAmount: 1_000, refundedAmount: 300 })).toBe(700);
  });

  it('when a customer confirms with a documented test value, then the sandbox knows its outcome; other values have none', () => {
    expect(outcomeOf({ card: { number: '4242 4242 4242 4242' } })).toEqual({ kind: 'succeeds' });
    expect(outcomeOf({ card: { number: '4000-0000-0000-0002' } })).toMatchObject({ kind: 'declines', code: 'card_declined' });
    expect(outcomeOf({ upi: { vpa: 'Pending@UPI' } })).toMatchObject({ kind: 'settles_later', then: 'succeeds' });
    expect(outcomeOf({ upi: { vpa: 'failure@upi' } })).toMatchObject({ kind: 'declines' });
    expect(outcomeOf({ card: { number: '4111111111111111' } })).toBeUndefined();
  });
});
