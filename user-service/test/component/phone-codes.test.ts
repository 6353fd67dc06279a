import { newPhone, startUserService, type UserServiceUnderTest } from '../fixtures';

let fixture: UserServiceUnderTest;
const api = () => fixture.api();

beforeAll(async () => {
  fixture = await startUserService({
    OTP_RESEND_SECONDS: '1',
    OTP_MAX_ATTEMPTS: '3',
    OTP_MAX_FAILURES: '4',
    OTP_MAX_CODES_PER_HOUR: '3',
  });
}, 60_000);
afterAll(() => fixture?.stop(), 30_000);

const pause = () => new Promise((r) => setTimeout(r, 1_100));
const request = (phone: string) => api().post('/api/v1/auth/otp/request').send({ phone });
const verify = (phone: string, code: string) => api().post('/api/v1/auth/otp/verify').send({ phone, code });

async function sentCode(to: string): Promise<string> {
  const event = (await fixture.outboxEvents('user.otp_requested')).filter((e) => e.data.phone === to).at(-1);
  if (!event) throw new Error(`no code was sent to ${to}`);
  return String(event.data.code);
}
const wrongFor = (code: string) => (code === '000000' ? '000001' : '000000');

describe('wrong codes per phone, across codes', () => {
  it('when wrong codes pass OTP_MAX_FAILURES over several codes, then the phone is locked: even a right code and new codes get 429', async () => {
    const phone = newPhone();
    await request(phone);
    const first = await sentCode(phone);
    for (let i = 0; i < 3; i++) expect((await verify(phone, wrongFor(first))).status).toBe(401);
    await pause();
    expect((await request(phone)).status).toBe(202);
    const second = await sentCode(phone);
    expect((await verify(phone, wrongFor(second))).status).toBe(401);

    const locked = await verify(phone, second);
    expect(locked.status).toBe(429);
    expect(locked.body.errorCode).toBe('OTP_LOCKED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(3_600);
    await pause();
    const again = await request(phone);
    expect(again.status).toBe(429);
    expect(again.body.errorCode).toBe('OTP_LOCKED');
  }, 15_000);

  it('when wrong codes arrive at once, then every one counts against the phone, which is then locked', async () => {
    const phone = newPhone();
    await request(phone);
    const code = await sentCode(phone);
    const guesses = await Promise.all(Array.from({ length: 10 }, () => verify(phone, wrongFor(code))));
    expect(guesses.filter((res) => res.status === 401).length).toBeLessThanOrEqual(3);
    expect(guesses.filter((res) => res.body.errorCode === 'OTP_LOCKED').length).toBeGreaterThanOrEqual(6);
    await pause();
    expect((await request(phone)).body.errorCode).toBe('OTP_LOCKED');
  });

  it('when a right code follows wrong ones, then it signs in and only the wrong ones stay counted', async () => {
    const phone = newPhone();
    await request(phone);
    const code = await sentCode(phone);
    expect((await verify(phone, wrongFor(code))).status).toBe(401);
    expect((await verify(phone, code)).status).toBe(201);
    await pause();
    await request(phone);
    const next = await sentCode(phone);
    for (let i = 0; i < 3; i++) expect((await verify(phone, wrongFor(next))).status).toBe(401);
    expect((await verify(phone, next)).body.errorCode).toBe('OTP_LOCKED');
  });
});

describe('codes per phone', () => {
  it('when OTP_MAX_CODES_PER_HOUR codes went to a phone, then the next one is refused with 429 and Retry-After', async () => {
    const phone = newPhone();
    for (let i = 0; i < 3; i++) {
      if (i > 0) await pause();
      expect((await request(phone)).status).toBe(202);
    }
    await pause();
    const refused = await request(phone);
    expect(refused.status).toBe(429);
    expect(refused.body.errorCode).toBe('OTP_TOO_MANY_CODES');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3_000);
    expect((await fixture.outboxEvents('user.otp_requested')).filter((e) => e.data.phone === phone)).toHaveLength(3);
  }, 15_000);
});

describe('countries', () => {
  it.each([['+14155550123'], ['+447700900123']])(
    'when a code is asked for %s (not in OTP_COUNTRY_CODES), then 400 and nothing is sent',
    async (phone) => {
      const res = await request(phone);
      expect(res.status).toBe(400);
      expect(res.body.errorCode).toBe('PHONE_COUNTRY_NOT_SERVED');
      expect(res.body.details).toEqual([{ path: 'body.phone', message: 'must be a phone number in +91' }]);
      expect((await fixture.outboxEvents('user.otp_requested')).filter((e) => e.data.phone === phone)).toHaveLength(0);
    },
  );
});
