// A node's internal HTTP requests to another (a transaction's commit and id reservations, sent
// to the leader) carry an HMAC of their body under the cluster's shared secret, which the peer
// links prove too: those routes write row changes without running SQL, so only a member may
// call them.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const peerSignatureHeader = 'x-tidedb-peer-signature';

export function signPeerBody(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

export function verifyPeerBody(secret: string, body: string, signature: string | undefined): boolean {
  if (signature === undefined) return false;
  const expected = Buffer.from(signPeerBody(secret, body), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
