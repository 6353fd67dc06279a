import { configProblems } from '@qc/shared/testing';
import { loadConfig } from '@qc/shared/config';
import { userSettings } from '../../src/config';

describe('user-service settings', () => {
  it('when nothing is set, then codes go to +91 only, with the documented caps', () => {
    expect(loadConfig(userSettings, {})).toMatchObject({
      OTP_COUNTRY_CODES: ['91'],
      OTP_MAX_CODES_PER_HOUR: 5,
      OTP_MAX_CODES_PER_DAY: 10,
      OTP_MAX_FAILURES: 10,
      OTP_LOCKOUT_SECONDS: 86_400,
      LOGIN_MAX_FAILURES: 5,
      AUTH_RATE_LIMIT_MAX: 20,
    });
  });

  it('when several countries are listed, then each is kept', () => {
    expect(loadConfig(userSettings, { OTP_COUNTRY_CODES: '91, 971' }).OTP_COUNTRY_CODES).toEqual(['91', '971']);
  });

  it('when a country code is written with its + or is not a number, then the problem names the variable', () => {
    expect(configProblems(() => loadConfig(userSettings, { OTP_COUNTRY_CODES: '+91,india' }))).toEqual([
      expect.stringMatching(/^OTP_COUNTRY_CODES/),
      expect.stringMatching(/^OTP_COUNTRY_CODES/),
    ]);
  });
});
