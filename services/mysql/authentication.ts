// The authentication plugins' exchanges after the handshake response: an AuthSwitchRequest
// when the client answered for another plugin than the account's, then mysql_native_password's
// check, or caching_sha2_password's fast path or full authentication (accounts.ts says how each
// proof is checked).
import { constants as cryptoConstants, privateDecrypt } from 'node:crypto';
import { checkNativeToken, checkSha2Password, checkSha2Token, unscrambleRsaPassword } from './accounts.js';
import type { AccountCredentials } from './accounts.js';
import { nativePlugin } from './handshake-response.js';
import type { HandshakeResponse } from './handshake-response.js';
import { authMoreDataPacket, authSwitchPacket } from './packets.js';

// The connection's side of the exchange.
export interface AuthExchange {
  readonly scramble: Buffer;
  readonly secure: boolean;
  send(payload: Buffer): void;
  // The client's next packet; an empty one if the connection ends first.
  next(): Promise<Buffer>;
}

// What caching_sha2_password keeps per node: the RSA key pair for the password exchange over
// plain TCP, and the accounts that proved their password in full since the node started, to
// which the fast path is open (keyed by user, host pattern and hash, so a new password closes it).
export interface Sha2State {
  // Made on the thread pool as the port opens (a second of CPU on a slow machine): a client
  // that needs it before it is ready waits for it.
  readonly keys: Promise<{ readonly publicKeyPem: string; readonly privateKeyPem: string }>;
  readonly cache: Set<string>;
}

export async function authenticate(account: AccountCredentials, response: HandshakeResponse, exchange: AuthExchange, sha2: Sha2State): Promise<boolean> {
  if (account.trustedWithoutPassword) return true;
  let token = response.authToken;
  if (response.plugin !== account.plugin) {
    exchange.send(authSwitchPacket(account.plugin, exchange.scramble));
    token = await exchange.next();
  }
  if (account.plugin === nativePlugin) return checkNativeToken(token, exchange.scramble, account.nativeHash);
  return authenticateSha2(account, token, exchange, sha2);
}

async function authenticateSha2(account: AccountCredentials, token: Buffer, exchange: AuthExchange, sha2: Sha2State): Promise<boolean> {
  if (account.sha2Hash === null) return token.length === 0;
  const cacheKey = `${account.user}\u0000${account.host}\u0000${account.sha2Hash.toString('hex')}`;
  if (sha2.cache.has(cacheKey)) {
    if (!checkSha2Token(token, exchange.scramble, account.sha2Hash)) return false;
    exchange.send(authMoreDataPacket(Buffer.from([0x03]))); // fast_auth_success
    return true;
  }
  exchange.send(authMoreDataPacket(Buffer.from([0x04]))); // perform_full_authentication
  let answer = await exchange.next();
  let password: Buffer;
  if (exchange.secure) {
    password = answer;
  } else {
    const keys = await sha2.keys;
    // The client asks for the public key (0x02), or sends the password encrypted at once with
    // a key it already has (pinned, as --server-public-key-path does). A cleartext password
    // over plain TCP does not decrypt, and is refused.
    if (answer.length === 1 && answer[0] === 0x02) {
      exchange.send(authMoreDataPacket(Buffer.from(keys.publicKeyPem, 'ascii')));
      answer = await exchange.next();
    }
    try {
      password = unscrambleRsaPassword(privateDecrypt({ key: keys.privateKeyPem, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, answer), exchange.scramble);
    } catch {
      return false;
    }
  }
  if (!checkSha2Password(password, account.sha2Hash)) return false;
  sha2.cache.add(cacheKey);
  return true;
}
