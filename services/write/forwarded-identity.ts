// Who a forwarded request runs as. A follower sends a write (or an admin request) on to the
// leader with the client's identity, which the leader checks privileges against; the leader
// must not take a node's word for it from a header anyone could send, so the identity is
// signed with the cluster secret (--cluster-secret, which only nodes hold): an HMAC-SHA256
// over the forwarding node's id, the method and path, the identity, the time and the body. A
// request that says it was forwarded and lacks a valid signature is refused
// (FORWARD_UNAUTHENTICATED). The signed time bounds replay of a captured request to
// forwardedIdentitySkewMsMax (nodes' clocks are assumed within that of each other).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TideError } from '../base/errors.js';
import { forwardedIdentitySkewMsMax } from '../base/limits.js';

export const forwardedUserHeader = 'x-tidedb-forwarded-user';
export const forwardedAtHeader = 'x-tidedb-forwarded-at';
export const forwardedSignatureHeader = 'x-tidedb-forwarded-signature';

// The account a request runs as; null: the node itself, or root on a node without accounts.
export type ForwardedPrincipal = { readonly user: string; readonly host: string } | null;

export interface SignedRequest {
  readonly forwardedBy: string;
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

// The headers a forwarder adds.
export function identityHeaders(secret: string, request: SignedRequest, principal: ForwardedPrincipal, nowMs: number = Date.now()): Record<string, string> {
  const user = encodePrincipal(principal);
  const at = String(nowMs);
  return { [forwardedUserHeader]: user, [forwardedAtHeader]: at, [forwardedSignatureHeader]: timedSignature(secret, signedParts(request, user, at)) };
}

// The principal a forwarded request carries, once its signature holds; throws
// FORWARD_UNAUTHENTICATED otherwise.
export function verifiedPrincipal(secret: string, request: SignedRequest, headers: Readonly<Record<string, unknown>>, nowMs: number = Date.now()): ForwardedPrincipal {
  const user = headers[forwardedUserHeader];
  const at = headers[forwardedAtHeader];
  const given = headers[forwardedSignatureHeader];
  const malformed = 'a forwarded request must carry its identity signed with the cluster secret';
  if (typeof user !== 'string' || typeof at !== 'string' || typeof given !== 'string') throw new TideError('FORWARD_UNAUTHENTICATED', malformed);
  checkTimedSignature(secret, signedParts(request, user, at), at, given, nowMs, { malformed, signature: 'the forwarded identity does not carry a valid signature of the cluster secret', time: 'the forwarded request was signed' });
  return decodePrincipal(user);
}

// An HMAC-SHA256, in hex, of `parts` (among them the time `at` it was made, in ms) under the
// secret: how a node signs what it vouches for in a header (this identity, a passed-on
// client's address, http/passed-on-address.ts).
export function timedSignature(secret: string, parts: readonly string[]): string {
  return createHmac('sha256', secret).update(parts.join('\n')).digest('hex');
}

// Throws FORWARD_UNAUTHENTICATED unless `given` is the signature of `parts` and `at` is within
// forwardedIdentitySkewMsMax of `nowMs`; `refusals` name what failed.
export function checkTimedSignature(secret: string, parts: readonly string[], at: string, given: string, nowMs: number, refusals: { readonly malformed: string; readonly signature: string; readonly time: string }): void {
  if (!/^[0-9a-f]{64}$/.test(given)) throw new TideError('FORWARD_UNAUTHENTICATED', refusals.malformed);
  const expected = Buffer.from(timedSignature(secret, parts), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) throw new TideError('FORWARD_UNAUTHENTICATED', refusals.signature);
  if (!/^[0-9]{1,16}$/.test(at) || Math.abs(nowMs - Number(at)) > forwardedIdentitySkewMsMax) {
    throw new TideError('FORWARD_UNAUTHENTICATED', `${refusals.time} more than ${forwardedIdentitySkewMsMax} ms from this node's time`);
  }
}

function signedParts(request: SignedRequest, user: string, at: string): string[] {
  return [request.forwardedBy, request.method, request.path, user, at, request.body];
}

// '-' for the node itself; else the user and host, each percent-encoded (headers are ASCII).
function encodePrincipal(principal: ForwardedPrincipal): string {
  return principal === null ? '-' : `${encodeURIComponent(principal.user)}@${encodeURIComponent(principal.host)}`;
}

function decodePrincipal(text: string): ForwardedPrincipal {
  if (text === '-') return null;
  const at = text.indexOf('@');
  if (at < 0) throw new TideError('FORWARD_UNAUTHENTICATED', 'the forwarded identity is malformed');
  return { user: decodeURIComponent(text.slice(0, at)), host: decodeURIComponent(text.slice(at + 1)) };
}
