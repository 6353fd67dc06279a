import { Password, hashPassword, needsRehash, passwordProblem, verifyPassword } from '../../src/domain/passwords';

describe('password policy', () => {
  it.each([
    ['ten characters', 'abcdefghij', true],
    ['nine characters', 'abcdefghi', false],
    ['128 characters', 'ab'.repeat(64), true],
    ['129 characters', `${'ab'.repeat(64)}c`, false],
  ])('when the password has %s, then the schema says %s', (_case, password, valid) => {
    expect(Password.safeParse(password).success).toBe(valid);
  });

  it('when a password is long but uses three characters or fewer, then it is refused', () => {
    expect(passwordProblem('abcabcabcabc', 'x@example.com')).toBe('must use more than three different characters');
    expect(passwordProblem('abcdabcdabcd', 'x@example.com')).toBeUndefined();
  });

  it("when a password contains the email's name part (four characters or more), whatever the case, then it is refused", () => {
    expect(passwordProblem('my ASHARAO password', 'asharao@example.com')).toBe('must not contain your email address');
    expect(passwordProblem('my ash password', 'ash@example.com')).toBeUndefined();
    expect(passwordProblem('a fine passphrase', null)).toBeUndefined();
  });

  it('when no composition rule is met (no digits, no capitals), then a long varied password is still fine (NIST 800-63B)', () => {
    expect(passwordProblem('correct horse battery staple', 'asha@example.com')).toBeUndefined();
  });
});

describe('password hashing', () => {
  it('when a password is hashed, then only that password verifies and the hash needs no upgrade', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery!')).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it('when there is no hash (unknown email or phone-only account), then nothing verifies', async () => {
    expect(await verifyPassword(null, 'anything at all')).toBe(false);
  });
});
