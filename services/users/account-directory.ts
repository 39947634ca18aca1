// Logins, for the HTTP API (Basic auth) and the MySQL front end alike: which account a user
// name from an address logs in as, with what it proves its password, and the bound on failed
// attempts. Accounts come from the replicated catalog; this keeps nothing of them itself, so a
// CREATE USER or DROP USER is in force on a node as soon as the node has applied it.
//
// A node started without a root password whose catalog has no root account is "loopback
// only": it refuses every client beyond loopback, and a loopback client logging in as root is
// root whatever its password (users/DESIGN.md). Once the catalog has a root account (from
// --root-password on the leader, or CREATE USER root), that account's password counts.
import { timingSafeEqual } from 'node:crypto';
import { passwordHashes } from '../sql/accounts/account-statements.js';
import type { AccountDef, AuthPlugin } from '../storage/types.js';
import { hostMatches, hostSpecificity, isLoopback, plainAddress } from './host-match.js';
import { LoginLimiter, loginLimitDefaults } from './login-limiter.js';
import type { Principal } from './privilege-check.js';

export interface AccountCredentials {
  readonly user: string;
  // The account's host pattern ('%', 'localhost', …).
  readonly host: string;
  readonly plugin: AuthPlugin;
  // SHA1(SHA1(password)); null: no password.
  readonly nativeHash: Buffer | null;
  // SHA256(SHA256(password)); null: no password.
  readonly sha2Hash: Buffer | null;
  // A node without a root password: loopback clients are root, any password.
  readonly trustedWithoutPassword: boolean;
}

// What the directory reads of the catalog: the applied accounts.
export interface AccountCatalog {
  allAccounts(): readonly AccountDef[];
}

// Where logins are reported: failures and refusals as warnings.
export interface LoginLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface AccountDirectoryOptions {
  // Whether the node was given --root-password (TIDE_ROOT_PASSWORD).
  readonly rootPasswordGiven: boolean;
  readonly log: LoginLog;
  readonly limiter?: LoginLimiter;
  // Told of every login's outcome here, for the node's other processes to count it too
  // (session-processes/DESIGN.md): the failure bound is the node's.
  readonly onOutcome?: (outcome: LoginOutcome, address: string) => void;
}

export type LoginOutcome = 'failed' | 'succeeded';

// The outcome of an HTTP login: the principal to run as (undefined: root, unchecked), or why not.
export type HttpLogin =
  | { readonly kind: 'ok'; readonly principal: Principal | undefined }
  | { readonly kind: 'refused'; readonly code: 'LOGIN_FAILED' | 'LOGIN_RATE_LIMITED' | 'LOOPBACK_ONLY'; readonly message: string };

export class AccountDirectory {
  private readonly limiter: LoginLimiter;
  // Refusals that come before any password check (beyond loopback on a loopback-only node,
  // past the failure bound) are logged once per address and window, not once per request: a
  // client retrying in a loop would otherwise fill the log.
  private readonly refusalsLogged = new LoginLimiter({ ...loginLimitDefaults, failuresMax: 1 });

  constructor(
    private readonly catalog: AccountCatalog,
    private readonly options: AccountDirectoryOptions,
  ) {
    this.limiter = options.limiter ?? new LoginLimiter();
  }

  // True while the node has no root password and its catalog no root account.
  loopbackOnly(): boolean {
    return !this.options.rootPasswordGiven && !this.catalog.allAccounts().some((account) => account.user === 'root');
  }

  // The most specific account of `user` whose host pattern matches the address.
  credentialsFor(user: string, remoteAddress: string): AccountCredentials | undefined {
    if (this.loopbackOnly()) {
      if (!isLoopback(remoteAddress)) return undefined;
      if (user === 'root') return { user, host: 'localhost', plugin: 'caching_sha2_password', nativeHash: null, sha2Hash: null, trustedWithoutPassword: true };
    }
    const account = this.accountFor(user, remoteAddress);
    if (account === undefined) return undefined;
    return { user: account.user, host: account.host, plugin: account.plugin, nativeHash: asBuffer(account.nativeHash), sha2Hash: asBuffer(account.sha2Hash), trustedWithoutPassword: false };
  }

  admitLogin(remoteAddress: string): boolean {
    return this.limiter.admits(plainAddress(remoteAddress));
  }

  loginFailed(user: string, remoteAddress: string): void {
    const address = plainAddress(remoteAddress);
    const failures = this.limiter.failed(address);
    this.options.log.warn({ user, remote_address: address, recent_failures: failures }, 'login failed');
    this.options.onOutcome?.('failed', address);
  }

  loginSucceeded(_user: string, remoteAddress: string): void {
    const address = plainAddress(remoteAddress);
    // The other processes hear of it only when there were failures to forget: with HTTP's
    // Basic auth a success is every request, and a message each would cost more than the login.
    if (this.limiter.succeeded(address)) this.options.onOutcome?.('succeeded', address);
  }

  // A login's outcome in another process of the node: counted here as if it were this one's.
  mirror(outcome: LoginOutcome, address: string): void {
    if (outcome === 'failed') this.limiter.failed(address);
    else this.limiter.succeeded(address);
  }

  // A loopback-only node's refusal of a client beyond loopback (logged), before any login;
  // null when the address may go on.
  refusedAddress(remoteAddress: string): Extract<HttpLogin, { kind: 'refused' }> | null {
    if (isLoopback(remoteAddress) || !this.loopbackOnly()) return null;
    const address = plainAddress(remoteAddress);
    if (this.refusalsLogged.admits(address)) {
      this.refusalsLogged.failed(address);
      this.options.log.warn({ remote_address: address }, 'refused a client beyond loopback: this node has no root password (--root-password)');
    }
    return { kind: 'refused', code: 'LOOPBACK_ONLY', message: 'this node has no root password and accepts loopback clients only; start it with --root-password' };
  }

  // Basic auth of one HTTP request. `user` null: the request sent no credentials.
  loginHttp(user: string | null, password: string, remoteAddress: string): HttpLogin {
    const refused = this.refusedAddress(remoteAddress);
    if (refused !== null) return refused;
    if (this.loopbackOnly() && (user === null || user === 'root')) return { kind: 'ok', principal: undefined };
    if (!this.admitLogin(remoteAddress)) {
      // Logged once per window, as the loopback refusal is: the failures before it were each logged.
      const key = `limited ${plainAddress(remoteAddress)}`;
      if (this.refusalsLogged.admits(key)) {
        this.refusalsLogged.failed(key);
        this.options.log.warn({ user, remote_address: plainAddress(remoteAddress) }, 'login refused: too many recent failures from this address');
      }
      return { kind: 'refused', code: 'LOGIN_RATE_LIMITED', message: 'too many failed logins from this address; wait and try again' };
    }
    const credentials = user === null ? undefined : this.credentialsFor(user, remoteAddress);
    if (user === null || credentials === undefined || !passwordMatches(credentials, password)) {
      if (user !== null) this.loginFailed(user, remoteAddress);
      return { kind: 'refused', code: 'LOGIN_FAILED', message: `Access denied for user '${user ?? ''}' (using password: ${password === '' ? 'NO' : 'YES'})` };
    }
    this.loginSucceeded(user, remoteAddress);
    return { kind: 'ok', principal: { user: credentials.user, host: credentials.host } };
  }

  private accountFor(user: string, remoteAddress: string): AccountDef | undefined {
    const matching = this.catalog.allAccounts().filter((account) => account.user === user && hostMatches(account.host, remoteAddress));
    return matching.sort((a, b) => hostSpecificity(a.host) - hostSpecificity(b.host))[0];
  }
}

// A password in clear (HTTP Basic) against the stored hashes: SHA256(SHA256(pw)), or for an
// account that has only the other, SHA1(SHA1(pw)). An account without a password takes only
// an empty one.
export function passwordMatches(credentials: AccountCredentials, password: string): boolean {
  if (credentials.trustedWithoutPassword) return true;
  if (credentials.sha2Hash === null && credentials.nativeHash === null) return password === '';
  const hashes = passwordHashes(password);
  if (credentials.sha2Hash !== null) return sameBytes(hashes.sha2Hash, credentials.sha2Hash);
  return sameBytes(hashes.nativeHash, credentials.nativeHash!);
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function asBuffer(bytes: Uint8Array | null): Buffer | null {
  return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
