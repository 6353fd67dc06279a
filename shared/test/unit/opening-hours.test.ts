import { isOpenAt, isTimeZone, isValidTimeOfDay, localMinutes } from '@qc/shared/time';

const hm = (h: number, m = 0) => h * 60 + m;

describe('isOpenAt', () => {
  const day = { opensAt: '07:00', closesAt: '23:00' };
  const overnight = { opensAt: '06:00', closesAt: '02:00' };

  it('when hours are within one day, then it is open between them and closed at closing time', () => {
    expect(isOpenAt(day, hm(7))).toBe(true);
    expect(isOpenAt(day, hm(22, 59))).toBe(true);
    expect(isOpenAt(day, hm(23))).toBe(false);
    expect(isOpenAt(day, hm(6, 59))).toBe(false);
  });

  it('when it closes after midnight, then it is open late at night and closed before opening', () => {
    expect(isOpenAt(overnight, hm(1, 30))).toBe(true);
    expect(isOpenAt(overnight, hm(23, 30))).toBe(true);
    expect(isOpenAt(overnight, hm(2))).toBe(false);
    expect(isOpenAt(overnight, hm(5, 59))).toBe(false);
    expect(isOpenAt(overnight, hm(6))).toBe(true);
  });

  it('when it closes at midnight written 00:00 or 24:00, then it is open until midnight', () => {
    for (const closesAt of ['00:00', '24:00']) {
      expect(isOpenAt({ opensAt: '06:00', closesAt }, hm(23, 59))).toBe(true);
      expect(isOpenAt({ opensAt: '06:00', closesAt }, hm(0, 30))).toBe(false);
    }
  });

  it('when opening and closing are equal, then it never closes', () => {
    expect(isOpenAt({ opensAt: '00:00', closesAt: '00:00' }, hm(3))).toBe(true);
  });
});

describe('time of day and time zones', () => {
  it('when a value is HH:MM within the day, then it is valid; otherwise not', () => {
    expect(['00:00', '06:30', '23:59', '24:00'].every(isValidTimeOfDay)).toBe(true);
    expect(['24:01', '25:00', '7:00', '12:60', 'noon'].some(isValidTimeOfDay)).toBe(false);
  });

  it('when it is 20:45 UTC, then it is 02:15 the next day in Kolkata (UTC+5:30)', () => {
    expect(localMinutes(new Date('2026-03-01T20:45:00Z'), 'Asia/Kolkata')).toBe(hm(2, 15));
  });

  it('when it is 18:29 UTC, then it is 23:59 in Kolkata, and midnight a minute later', () => {
    expect(localMinutes(new Date('2026-03-01T18:29:00Z'), 'Asia/Kolkata')).toBe(hm(23, 59));
    expect(localMinutes(new Date('2026-03-01T18:30:00Z'), 'Asia/Kolkata')).toBe(0);
  });

  it('when a time zone name is unknown, then it is refused', () => {
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
