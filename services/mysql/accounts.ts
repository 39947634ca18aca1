// Who may log in over the MySQL protocol, and the checks of what a client sends to prove it.
// The accounts live elsewhere (the replicated catalog's users); this part declares the small
// interface it needs of them (AccountSource), as write/ declares Proposer, and main.ts plugs
// in what exists.
//
// Both plugins prove knowledge of the password against a hash of it, never the password:
// - mysql_native_password: token = SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))); the server,
//   holding SHA1(SHA1(pw)), recovers SHA1(pw) and checks that its SHA1 is the stored hash.
// - caching_sha2_password, fast path: token = SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) +
//   scramble), checked the same way against SHA256(SHA256(pw)). As MySQL's server, the node
//   takes the fast path only for an account that proved its password in full since the node
//   started (authentication.ts); otherwise it asks for the password itself, which the client sends
//   in the clear over TLS, or RSA-encrypted (XORed with the scramble) over plain TCP.
import { createHash, timingSafeEqual } from 'node:crypto';

export interface AccountCredentials {
  readonly user: string;
  readonly host: string;              // the account's host pattern ('%', 'localhost', …)
  readonly plugin: 'mysql_native_password' | 'caching_sha2_password';
  readonly nativeHash: Buffer | null; // SHA1(SHA1(password)); null: no password
  readonly sha2Hash: Buffer | null;   // SHA256(SHA256(password)); null: no password
  readonly trustedWithoutPassword: boolean; // a node without a root password: loopback clients are root, any password
}

export interface AccountSource {
  // The account `user` connecting from `remoteAddress` logs in as; undefined: none (1045).
  credentialsFor(user: string, remoteAddress: string): AccountCredentials | undefined;
  // false: too many failed logins from this address lately; refuse (1129-like or 1045) without checking.
  admitLogin(remoteAddress: string): boolean;
  loginFailed(user: string, remoteAddress: string): void;
  loginSucceeded(user: string, remoteAddress: string): void;
}

function digest(algorithm: 'sha1' | 'sha256', ...parts: Buffer[]): Buffer {
  const hash = createHash(algorithm);
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function xor(left: Buffer, right: Buffer): Buffer {
  const out = Buffer.alloc(left.length);
  for (let index = 0; index < left.length; index++) out[index] = left[index]! ^ right[index % right.length]!;
  return out;
}

function sameBytes(left: Buffer, right: Buffer): boolean {
  return left.length === right.length && timingSafeEqual(left, right);
}

// An account without a password takes an empty token; one with a password the scrambled proof.
export function checkNativeToken(token: Buffer, scramble: Buffer, nativeHash: Buffer | null): boolean {
  if (nativeHash === null) return token.length === 0;
  if (token.length !== 20) return false;
  const stage1 = xor(token, digest('sha1', scramble, nativeHash));
  return sameBytes(digest('sha1', stage1), nativeHash);
}

export function checkSha2Token(token: Buffer, scramble: Buffer, sha2Hash: Buffer | null): boolean {
  if (sha2Hash === null) return token.length === 0;
  if (token.length !== 32) return false;
  const stage1 = xor(token, digest('sha256', sha2Hash, scramble));
  return sameBytes(digest('sha256', stage1), sha2Hash);
}

// caching_sha2_password's full authentication: the password itself (NUL-terminated).
export function checkSha2Password(password: Buffer, sha2Hash: Buffer | null): boolean {
  const text = password.at(-1) === 0 ? password.subarray(0, -1) : password;
  if (sha2Hash === null) return text.length === 0;
  return sameBytes(digest('sha256', digest('sha256', text)), sha2Hash);
}

// The RSA-encrypted form, once decrypted: the NUL-terminated password XORed with the scramble.
export function unscrambleRsaPassword(decrypted: Buffer, scramble: Buffer): Buffer {
  return xor(decrypted, scramble);
}

// The hashes an account store keeps of a password, as the checks above expect them.
export function passwordHashes(password: string): { readonly nativeHash: Buffer; readonly sha2Hash: Buffer } {
  const bytes = Buffer.from(password, 'utf8');
  return { nativeHash: digest('sha1', digest('sha1', bytes)), sha2Hash: digest('sha256', digest('sha256', bytes)) };
}
