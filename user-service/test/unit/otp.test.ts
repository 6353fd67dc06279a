import { isServedPhone, newCode } from '../../src/domain/otp';

describe('login codes', () => {
  it('when codes are made, then each is six digits, leading zeros kept, and they vary', () => {
    const codes = Array.from({ length: 2_000 }, newCode);
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(new Set(codes).size).toBeGreaterThan(1_990);
    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
  });
});

describe('served countries', () => {
  it.each([
    ['+919812345678', ['91'], true],
    ['+14155550123', ['91'], false],
    ['+971501234567', ['91', '971'], true],
    ['+9715', ['91'], false],
  ])('when the phone is %s and the countries are %j, then it is served: %s', (phone, countries, served) => {
    expect(isServedPhone(phone, countries)).toBe(served);
  });
});
