// The two frames each side of a peer link sends before any Raft message: a hello naming the
// cluster, the sender, the node it means to reach and a fresh random nonce; then a proof, an
// HMAC-SHA256 under the cluster secret over both hellos and the sender's role. A proof binds
// both nonces, so it cannot be replayed on another connection, and the role, so that a node's
// own proof reflected back to it proves nothing. It authenticates the peer, not the bytes
// after it: an attacker on the path could still alter them, which is what TLS is for.
//
// Hello: [magic "TDPL"][format u8][from u32][to u32][nonce 32 bytes][cluster id length u8]
// [cluster id, UTF-8], little-endian.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { assert } from '../../base/assert.js';
import { ByteReader, invalidPeerBytes } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';

export const handshakeFormat = 1;
const magic = Buffer.from('TDPL');
export const nonceBytes = 32;
export const proofBytes = 32;
export const clusterIdBytesMax = 255;

export interface Hello {
  readonly clusterId: string;
  readonly from: number;
  readonly to: number;
  readonly nonce: Uint8Array;
}

export type HandshakeRole = 'dialer' | 'acceptor';

export function newNonce(): Buffer {
  return randomBytes(nonceBytes);
}

export function encodeHello(hello: Hello): Buffer {
  const clusterId = Buffer.from(hello.clusterId, 'utf8');
  assert(clusterId.length <= clusterIdBytesMax);
  assert(hello.nonce.length === nonceBytes);
  const writer = new ByteWriter(magic.length + 1 + 4 + 4 + nonceBytes + 1 + clusterId.length);
  writer.raw(magic);
  writer.u8(handshakeFormat);
  writer.u32(hello.from);
  writer.u32(hello.to);
  writer.raw(hello.nonce);
  writer.u8(clusterId.length);
  writer.raw(clusterId);
  return writer.finish();
}

export function decodeHello(bytes: Uint8Array): Hello {
  const reader = new ByteReader(bytes);
  if (!magic.equals(reader.slice(magic.length))) throw invalidPeerBytes('not a TideDB peer hello');
  const format = reader.u8();
  if (format !== handshakeFormat) throw invalidPeerBytes(`handshake format ${format}, this node speaks ${handshakeFormat}`);
  const from = reader.u32();
  const to = reader.u32();
  const nonce = reader.copy(nonceBytes);
  const clusterId = Buffer.from(reader.slice(reader.u8())).toString('utf8');
  reader.end('a hello');
  return { clusterId, from, to, nonce };
}

// The proof `role` sends on the connection whose hellos (as sent, byte for byte) are given.
export function handshakeProof(secret: Uint8Array, role: HandshakeRole, dialerHello: Uint8Array, acceptorHello: Uint8Array): Buffer {
  const mac = createHmac('sha256', secret);
  mac.update(`tidedb peer ${role} v${handshakeFormat}\n`);
  mac.update(frameOf(dialerHello));
  mac.update(frameOf(acceptorHello));
  return mac.digest();
}

// Length-prefixed inside the MAC too, so that bytes cannot move from one hello to the other.
function frameOf(bytes: Uint8Array): Buffer {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32LE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

// Constant time over the proof's bytes, so that timing reveals nothing of the expected proof.
export function proofMatches(expected: Buffer, received: Uint8Array): boolean {
  return received.length === expected.length && timingSafeEqual(expected, received);
}
