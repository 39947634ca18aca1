// The client's address on a request a session process passed on to its main process
// (elsewhere-routes.ts). The main process sees such a request arrive from loopback, yet logs
// it in as the client it came from: the account an address matches ('app'@'10.0.0.%'), the
// loopback-only rule and the failed-login bound all go by the client's address. So the
// session process sends that address, signed with the secret the main process gave it (an
// HMAC-SHA256 over the address, the method, the path and the time, which bounds replay to
// forwardedIdentitySkewMsMax); credentials travel as the client sent them, checked again.
import { TideError } from '../base/errors.js';
import { checkTimedSignature, timedSignature } from '../write/forwarded-identity.js';

export const clientAddressHeader = 'x-tidedb-client-address';
export const clientAtHeader = 'x-tidedb-client-at';
export const clientSignatureHeader = 'x-tidedb-client-signature';

export function clientAddressHeaders(secret: string, address: string, method: string, path: string, nowMs: number = Date.now()): Record<string, string> {
  const at = String(nowMs);
  return { [clientAddressHeader]: encodeURIComponent(address), [clientAtHeader]: at, [clientSignatureHeader]: timedSignature(secret, signedParts(address, method, path, at)) };
}

// The address a passed-on request names, once its signature holds; null when the request
// names none; throws FORWARD_UNAUTHENTICATED for a name without a valid signature.
export function verifiedClientAddress(secret: string | undefined, method: string, path: string, headers: Readonly<Record<string, unknown>>, nowMs: number = Date.now()): string | null {
  const encoded = headers[clientAddressHeader];
  if (encoded === undefined) return null;
  const at = headers[clientAtHeader];
  const given = headers[clientSignatureHeader];
  const malformed = "a request may name its client's address only when passed on by one of this node's session processes";
  if (secret === undefined || typeof encoded !== 'string' || typeof at !== 'string' || typeof given !== 'string') throw new TideError('FORWARD_UNAUTHENTICATED', malformed);
  const address = decodeURIComponent(encoded);
  checkTimedSignature(secret, signedParts(address, method, path, at), at, given, nowMs, { malformed, signature: "the client's address does not carry a valid signature", time: "the client's address was signed" });
  return address;
}

function signedParts(address: string, method: string, path: string, at: string): string[] {
  return ['client-address', address, method, path, at];
}
