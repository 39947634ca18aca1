// Proves the handshake's pieces: a hello round-trips and anything else fails with
// PEER_MESSAGE_INVALID, and a proof depends on the secret, the role and every byte of both
// hellos, so that it can be neither reflected back nor replayed on another connection.
import { describe, expect, it } from 'vitest';
import { TideError } from '../../../services/base/errors.js';
import { decodeHello, encodeHello, handshakeProof, newNonce, proofMatches } from '../../../services/raft/transport/handshake-messages.js';

const secret = Buffer.from('a cluster secret of some length');
const dialerHello = encodeHello({ clusterId: 'cluster-ä', from: 1, to: 2, nonce: newNonce() });
const acceptorHello = encodeHello({ clusterId: 'cluster-ä', from: 2, to: 1, nonce: newNonce() });

describe('handshake messages', () => {
  it('round-trips a hello, cluster id in UTF-8 included', () => {
    const nonce = newNonce();
    expect(decodeHello(encodeHello({ clusterId: 'cluster-ä', from: 7, to: 0xffff_ffff, nonce }))).toEqual({ clusterId: 'cluster-ä', from: 7, to: 0xffff_ffff, nonce: new Uint8Array(nonce) });
  });

  it('refuses a cut, lengthened or foreign hello with PEER_MESSAGE_INVALID', () => {
    const foreign = Buffer.from(dialerHello);
    foreign[0] = 0x47; // "GET " is what an HTTP client would send
    const newerFormat = Buffer.from(dialerHello);
    newerFormat[4] = 2;
    for (const bytes of [dialerHello.subarray(0, dialerHello.length - 1), Buffer.concat([dialerHello, Buffer.of(0)]), foreign, newerFormat, Buffer.alloc(0)]) {
      expect(() => decodeHello(bytes)).toThrow(TideError);
      expect(() => decodeHello(bytes)).toThrow(expect.objectContaining({ code: 'PEER_MESSAGE_INVALID' }));
    }
  });

  it('makes a proof that changes with the secret, the role and any byte of either hello', () => {
    const proof = handshakeProof(secret, 'dialer', dialerHello, acceptorHello);
    expect(proofMatches(proof, handshakeProof(secret, 'dialer', dialerHello, acceptorHello))).toBe(true);
    expect(proofMatches(proof, handshakeProof(Buffer.from('another secret of some length'), 'dialer', dialerHello, acceptorHello))).toBe(false);
    expect(proofMatches(proof, handshakeProof(secret, 'acceptor', dialerHello, acceptorHello))).toBe(false); // reflected
    expect(proofMatches(proof, handshakeProof(secret, 'dialer', acceptorHello, dialerHello))).toBe(false); // roles swapped
    for (let at = 0; at < acceptorHello.length; at++) {
      const changed = Buffer.from(acceptorHello);
      changed[at]! ^= 1;
      expect(proofMatches(proof, handshakeProof(secret, 'dialer', dialerHello, changed)), `byte ${at}`).toBe(false);
    }
    expect(proofMatches(proof, proof.subarray(0, 31))).toBe(false);
  });
});
