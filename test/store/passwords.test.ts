// The store's password hashes: salted scrypt in a self-describing text, verified with the cost
// parameters it names, never containing the password, and different for the same password.
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../services/store/shared/passwords.js';

const cheap = { N: 1_024, r: 8, p: 1 };

describe('password hashes', () => {
  it('verify the right password and refuse a wrong one', async () => {
    const stored = await hashPassword('correct horse', cheap);
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct horsE', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salt each hash, and keep verifying one made with another cost', async () => {
    const [first, second] = [await hashPassword('same', cheap), await hashPassword('same', cheap)];
    expect(first).not.toBe(second);
    const stronger = await hashPassword('same', { N: 2_048, r: 8, p: 1 });
    expect(await verifyPassword('same', stronger)).toBe(true);
  });

  it('refuse a stored text that is not a scrypt hash', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});
