import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { address, userOrAddress } from '../../src/rate-limit';

function requestFrom(ip: string | undefined, userId?: string): Request {
  return { ip, principal: userId ? { userId } : undefined } as unknown as Request;
}

describe('who a request counts against', () => {
  it('when the client is signed in, then it counts against the user, whatever its address', () => {
    expect(userOrAddress(requestFrom('203.0.113.7', 'user-1'))).toBe('user:user-1');
    expect(userOrAddress(requestFrom('2001:db8::1', 'user-1'))).toBe('user:user-1');
  });

  it('when the client is anonymous, then it counts against its address', () => {
    expect(userOrAddress(requestFrom('203.0.113.7'))).toBe('ip:203.0.113.7');
  });

  it.each([
    ['an IPv4 address', '203.0.113.7', 'ip:203.0.113.7'],
    ['an IPv6 address, by its /56', '2001:db8:1:2ff:abcd::1', 'ip:2001:db8:1:200::/56'],
    ['another address in the same /56', '2001:db8:1:2aa::9', 'ip:2001:db8:1:200::/56'],
    ['an IPv4-mapped IPv6 address, as its IPv4 address', '::ffff:203.0.113.7', 'ip:203.0.113.7'],
  ])('when the address is %s, then that is the key, the one ipKeyGenerator gives', (_case, ip, key) => {
    expect(address(requestFrom(ip))).toBe(key);
    // The key is the library's: these cases pin down what it answers.
    expect(key).toBe(`ip:${ipKeyGenerator(ip)}`);
  });
});
