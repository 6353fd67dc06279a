import { isOpenAt, localMinutes } from '../../src/domain/opening-hours';

const at = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

describe('opening hours', () => {
  it('when a store opens and closes on the same day, then it is open from opening up to (not including) closing', () => {
    const hours = { opensAt: '07:00', closesAt: '23:00' };
    expect(isOpenAt(hours, at('06:59'))).toBe(false);
    expect(isOpenAt(hours, at('07:00'))).toBe(true);
    expect(isOpenAt(hours, at('22:59'))).toBe(true);
    expect(isOpenAt(hours, at('23:00'))).toBe(false);
  });

  it('when a store closes after midnight, then it is open late at night and closed in the early morning', () => {
    const hours = { opensAt: '06:00', closesAt: '02:00' };
    expect(isOpenAt(hours, at('23:30'))).toBe(true);
    expect(isOpenAt(hours, at('01:59'))).toBe(true);
    expect(isOpenAt(hours, at('02:00'))).toBe(false);
    expect(isOpenAt(hours, at('05:59'))).toBe(false);
    expect(isOpenAt(hours, at('06:00'))).toBe(true);
  });

  it('when opening and closing times are equal, then the store is open around the clock', () => {
    expect(isOpenAt({ opensAt: '00:00', closesAt: '00:00' }, at('03:17'))).toBe(true);
  });

  it('when an instant is read in Asia/Kolkata, then it is UTC plus 5:30', () => {
    expect(localMinutes(new Date('2025-11-21T20:45:00Z'), 'Asia/Kolkata')).toBe(at('02:15'));
    expect(localMinutes(new Date('2025-11-21T00:00:00Z'), 'UTC')).toBe(0);
  });
});
