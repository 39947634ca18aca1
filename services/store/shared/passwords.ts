// Passwords are kept only as salted scrypt hashes (node:crypto), in one self-describing text:
// `scrypt$<N>$<r>$<p>$<salt>$<hash>` (salt and hash in base64), so a hash made with other cost
// parameters (the seed's cheaper ones) still verifies after the defaults change.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

// Node's recommended interactive cost: about 50 ms of CPU and 16 MiB per hash.
export const loginCost: ScryptCost = { N: 16_384, r: 8, p: 1 };
const saltBytes = 16;
const hashBytes = 32;

export async function hashPassword(password: string, cost: ScryptCost = loginCost, salt: Buffer = randomBytes(saltBytes)): Promise<string> {
  const hash = await scryptAsync(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), { N: Number(N), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function scryptAsync(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  // maxmem above 128·N·r, or scrypt refuses the default cost's 16 MiB.
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) => scrypt(password, salt, hashBytes, options, (error, key) => (error === null ? resolve(key) : reject(error))));
}
