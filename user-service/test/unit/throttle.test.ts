import { attemptVerdict } from '../../src/domain/login-throttle';

describe('attempt verdicts (login lockout, wrong codes, codes sent)', () => {
  it('when the count after this attempt is within the limit, then it may go on', () => {
    expect(attemptVerdict({ count: 1, secondsLeft: 900 }, 5)).toEqual({ allowed: true });
    expect(attemptVerdict({ count: 5, secondsLeft: 900 }, 5)).toEqual({ allowed: true });
  });

  it('when the count passes the limit, then it is refused until the window ends', () => {
    expect(attemptVerdict({ count: 6, secondsLeft: 840 }, 5)).toEqual({ allowed: false, retryAfterSeconds: 840 });
  });

  it('when the window is about to end (or Redis says no expiry), then the wait is at least a second', () => {
    expect(attemptVerdict({ count: 9, secondsLeft: 0 }, 5)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(attemptVerdict({ count: 9, secondsLeft: -1 }, 5)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});
