/**
 * The sandbox's test values, as a real PSP's test mode documents them: what the customer types
 * decides what happens. Anything else is refused, so a typo never passes for a success.
 */
export type Outcome =
  | { kind: 'succeeds' }
  | { kind: 'declines'; code: string; message: string }
  /** The payment is `processing` at first and settles `afterMs` later (a bank's own confirmation, a UPI app's approval). */
  | { kind: 'settles_later'; then: 'succeeds' | 'declines'; code?: string };

export const TEST_CARDS: Record<string, Outcome> = {
  '4242424242424242': { kind: 'succeeds' },
  '5555555555554444': { kind: 'succeeds' },
  '4000000000000002': { kind: 'declines', code: 'card_declined', message: 'Your card was declined' },
  '4000000000009995': { kind: 'declines', code: 'insufficient_funds', message: 'Your card has insufficient funds' },
  '4000000000003220': { kind: 'settles_later', then: 'succeeds' },
  '4000000000003063': { kind: 'settles_later', then: 'declines', code: 'authentication_failed' },
};

export const TEST_UPI_IDS: Record<string, Outcome> = {
  'success@upi': { kind: 'succeeds' },
  'failure@upi': { kind: 'declines', code: 'upi_declined', message: 'The payment was declined in the UPI app' },
  'pending@upi': { kind: 'settles_later', then: 'succeeds' },
  'pending-failure@upi': { kind: 'settles_later', then: 'declines', code: 'upi_timeout' },
};

export type PaymentDetails = { card: { number: string } } | { upi: { vpa: string } };

/** What a confirmation with these details does; undefined for a value that is not a test value. */
export function outcomeOf(details: PaymentDetails): Outcome | undefined {
  if ('card' in details) return TEST_CARDS[details.card.number.replace(/[\s-]/g, '')];
  return TEST_UPI_IDS[details.upi.vpa.trim().toLowerCase()];
}
