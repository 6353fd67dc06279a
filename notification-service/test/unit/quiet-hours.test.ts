import { quietUntil } from '../../src/domain/quiet-hours';
import { retryDelay } from '../../src/domain/retry-delay';

describe('quiet hours', () => {
  const kolkata = 'Asia/Kolkata'; // UTC+05:30
  const at = (utc: string) => new Date(`2026-03-10T${utc}Z`);

  it('when a message is due inside an overnight window, then it waits until the window ends, local time', () => {
    // 23:30 in Kolkata is 18:00 UTC; the window ends at 07:00 Kolkata = 01:30 UTC next day.
    expect(quietUntil(at('18:00:20.000'), { start: '22:00', end: '07:00' }, kolkata)).toEqual(new Date('2026-03-11T01:30:00.000Z'));
    // 02:00 Kolkata (20:30 UTC): after midnight, still quiet.
    expect(quietUntil(at('20:30:00.000'), { start: '22:00', end: '07:00' }, kolkata)).toEqual(new Date('2026-03-11T01:30:00.000Z'));
  });

  it('when a message is due outside the window, or at its very end, then it goes now', () => {
    expect(quietUntil(at('06:30:00.000'), { start: '22:00', end: '07:00' }, kolkata)).toBeUndefined(); // 12:00 local
    expect(quietUntil(at('01:30:00.000'), { start: '22:00', end: '07:00' }, kolkata)).toBeUndefined(); // 07:00 local
    expect(quietUntil(at('16:30:00.000'), { start: '22:00', end: '07:00' }, kolkata)).not.toBeUndefined(); // 22:00 local is quiet
  });

  it('when the window lies within one day, then only that stretch is quiet', () => {
    expect(quietUntil(at('08:30:00.000'), { start: '13:00', end: '15:00' }, kolkata)).toEqual(at('09:30:00.000')); // 14:00 local
    expect(quietUntil(at('10:00:00.000'), { start: '13:00', end: '15:00' }, kolkata)).toBeUndefined(); // 15:30 local
  });
});

describe('retry delay', () => {
  it('when sends keep failing, then the wait doubles from the base up to the cap, spread ±20 %', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 10].map((attempt) => retryDelay(attempt, 1_000, 10_000, middle))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000]);
    expect(retryDelay(3, 1_000, 10_000, () => 0)).toBe(3_200);
    expect(retryDelay(3, 1_000, 10_000, () => 0.999)).toBeLessThanOrEqual(4_800);
    expect(retryDelay(20, 1_000, 10_000, () => 0.999)).toBe(10_000);
  });
});
