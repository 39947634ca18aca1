// The accounts of a node that has no users yet (the replicated catalog's users are not there):
// the rule for a node without a root password. Clients on the loopback interface are root,
// whatever password they give; every other address is refused before the handshake (1130).
// Nothing here is a placeholder for checking passwords: with no password set there is none to
// check, and only someone already on the machine can connect.
import type { AccountCredentials, AccountSource } from './accounts.js';

export function isLoopback(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

export class LoopbackRootAccounts implements AccountSource {
  constructor(private readonly onLogin: (user: string, remoteAddress: string, succeeded: boolean) => void) {}

  admitsHost(remoteAddress: string): boolean {
    return isLoopback(remoteAddress);
  }

  credentialsFor(_user: string, remoteAddress: string): AccountCredentials | undefined {
    if (!isLoopback(remoteAddress)) return undefined;
    return { user: 'root', host: 'localhost', plugin: 'mysql_native_password', nativeHash: null, sha2Hash: null, trustedWithoutPassword: true };
  }

  admitLogin(): boolean {
    return true;
  }

  loginFailed(user: string, remoteAddress: string): void {
    this.onLogin(user, remoteAddress, false);
  }

  loginSucceeded(user: string, remoteAddress: string): void {
    this.onLogin(user, remoteAddress, true);
  }
}
