// The client's address on a request a session process passed on to its main process
// (elsewhere-routes.ts). The main process sees such a request arrive from loopback, yet logs
// it in as the client it came from: the account an address matches ('app'@'10.0.0.%'), the
// loopback-only rule and the failed-login bound all go by the client's address. So the
// session process sends that address, signed with the secret the main process gave it (an
// HMAC-SHA256 over the address, the method, the path and the time, which bounds replay to
// forwardedIdentitySkewMsMax); credentials travel as the client sent them, checked again.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TideError } from '../base/errors.js';
import { forwardedIdentitySkewMsMax } from '../base/limits.js';

export const clientAddressHeader = 'x-tidedb-client-address';
export const clientAtHeader = 'x-tidedb-client-at';
export const clientSignatureHeader = 'x-tidedb-client-signature';

export function clientAddressHeaders(secret: string, address: string, method: string, path: string, nowMs: number = Date.now()): Record<string, string> {
  const at = String(nowMs);
  return { [clientAddressHeader]: encodeURIComponent(address), [clientAtHeader]: at, [clientSignatureHeader]: signature(secret, address, method, path, at) };
}

// The address a passed-on request names, once its signature holds; null when the request
// names none; throws FORWARD_UNAUTHENTICATED for a name without a valid signature.
export function verifiedClientAddress(secret: string | undefined, method: string, path: string, headers: Readonly<Record<string, unknown>>, nowMs: number = Date.now()): string | null {
  const encoded = headers[clientAddressHeader];
  if (encoded === undefined) return null;
  const at = headers[clientAtHeader];
  const given = headers[clientSignatureHeader];
  if (secret === undefined || typeof encoded !== 'string' || typeof at !== 'string' || typeof given !== 'string' || !/^[0-9a-f]{64}$/.test(given)) {
    throw new TideError('FORWARD_UNAUTHENTICATED', "a request may name its client's address only when passed on by one of this node's session processes");
  }
  const address = decodeURIComponent(encoded);
  const expected = Buffer.from(signature(secret, address, method, path, at), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) throw new TideError('FORWARD_UNAUTHENTICATED', "the client's address does not carry a valid signature");
  if (!/^[0-9]{1,16}$/.test(at) || Math.abs(nowMs - Number(at)) > forwardedIdentitySkewMsMax) {
    throw new TideError('FORWARD_UNAUTHENTICATED', `the client's address was signed more than ${forwardedIdentitySkewMsMax} ms from this node's time`);
  }
  return address;
}

function signature(secret: string, address: string, method: string, path: string, at: string): string {
  return createHmac('sha256', secret).update(['client-address', address, method, path, at].join('\n')).digest('hex');
}
