// One authenticated TCP (or TLS) connection between two nodes of a cluster, carrying Raft
// messages one way: from the node that dialed to the node that accepted (tcp-transport.ts says
// why). Nothing but the handshake is read until the peer has proved the cluster secret:
//   dialer → hello;  acceptor → hello;  dialer → proof;  acceptor → proof;  dialer → messages.
// The dialer proves first: the acceptor's port is open to anyone who can reach it, and were it
// to prove first, anyone could collect a proof and try guesses at a weak secret offline; the
// dialer only ever speaks to the address it was configured with.
// Until then frames are bounded by peerHandshakeFrameBytesMax and the whole exchange by a
// timeout, so a stranger costs a few hundred bytes and a timer. Any failure closes the socket
// and names the rule that failed (a PEER_* TideError).
import type { Socket } from 'node:net';
import { assertNever } from '../../base/assert.js';
import { TideError } from '../../base/errors.js';
import { peerFrameBytesMax, peerHandshakeFrameBytesMax } from '../../base/limits.js';
import { FrameReader, frameHeader } from './frame-reader.js';
import type { Hello, HandshakeRole } from './handshake-messages.js';
import { decodeHello, encodeHello, handshakeProof, newNonce, proofMatches } from './handshake-messages.js';

export interface NodeIdentity {
  readonly clusterId: string;
  readonly nodeId: number;
  readonly secret: Uint8Array;
}

export interface PeerConnectionOptions {
  readonly socket: Socket;
  readonly identity: NodeIdentity;
  readonly handshakeTimeoutMs: number;
  // Dialer: the node it dialed, which must answer. Acceptor: whether a node may connect, and
  // where each frame after the handshake goes, in order.
  readonly role:
    | { readonly kind: 'dialer'; readonly peerId: number }
    | { readonly kind: 'acceptor'; readonly accepts: (peerId: number) => boolean; readonly onFrame: (payload: Buffer) => void };
  readonly onOpen: (peerId: number) => void;
  // Once, when the socket is gone. The error says why when this side closed it: a TideError
  // when the peer broke a rule (PEER_*), a socket's own error otherwise; null when the peer
  // or close() ended it.
  readonly onClose: (error: Error | null) => void;
}

type Phase = 'hello' | 'proof' | 'open' | 'closed';

export class PeerConnection {
  private phase: Phase = 'hello';
  private readonly reader = new FrameReader(peerHandshakeFrameBytesMax);
  // The dialer's is sent at once; the acceptor's once it knows whom it answers.
  private ownHello: Buffer | null = null;
  private peerHello: Buffer | null = null;
  private peerIdValue: number | null = null;
  private readonly timer: NodeJS.Timeout;
  private closeError: Error | null = null;
  private reported = false;

  constructor(private readonly options: PeerConnectionOptions) {
    const { socket, identity, role } = options;
    socket.setNoDelay(true);
    this.timer = setTimeout(() => this.fail(new TideError('PEER_AUTH_FAILED', 'the handshake timed out')), options.handshakeTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.closed());
    // Writes before the socket connects are held by Node until it does (and, with TLS, until
    // the TLS handshake is done).
    if (role.kind === 'dialer') this.writeFrame(this.hello(role.peerId));
  }

  get peerId(): number | null {
    return this.peerIdValue;
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  // Whether the socket's buffer is past its mark: the sender waits for 'drain' before more.
  get needsDrain(): boolean {
    return this.options.socket.writableNeedDrain;
  }

  onDrain(callback: () => void): void {
    this.options.socket.once('drain', callback);
  }

  // Writes a batch of frames in one system call where the platform allows (cork/uncork).
  writeFrames(payloads: readonly Buffer[]): void {
    const socket = this.options.socket;
    socket.cork();
    for (const payload of payloads) this.writeFrame(payload);
    socket.uncork();
  }

  close(error: Error | null = null): void {
    if (this.phase === 'closed') return;
    this.closeError ??= error;
    this.phase = 'closed';
    clearTimeout(this.timer);
    this.reader.stop();
    this.options.socket.destroy();
  }

  private writeFrame(payload: Buffer): void {
    this.options.socket.write(frameHeader(payload.length));
    this.options.socket.write(payload);
  }

  // A TideError is the peer's fault (a bad frame, a failed check): the connection closes.
  // Anything else is this node's bug, thrown from a receiver, and must stop it, not a link.
  private receive(chunk: Buffer): void {
    try {
      this.reader.push(chunk, (payload) => this.frame(payload));
    } catch (error) {
      if (!(error instanceof TideError)) throw error;
      this.fail(error);
    }
  }

  private frame(payload: Buffer): void {
    switch (this.phase) {
      case 'hello':
        this.peerHelloFrame(payload);
        return;
      case 'proof':
        this.proof(payload);
        return;
      case 'open':
        if (this.options.role.kind === 'dialer') throw new TideError('PEER_MESSAGE_INVALID', 'a frame on a send-only link');
        this.options.role.onFrame(payload);
        return;
      case 'closed':
        return;
      default:
        assertNever(this.phase);
    }
  }

  private hello(to: number): Buffer {
    const { clusterId, nodeId } = this.options.identity;
    this.ownHello = encodeHello({ clusterId, from: nodeId, to, nonce: newNonce() });
    return this.ownHello;
  }

  private peerHelloFrame(payload: Buffer): void {
    const hello = decodeHello(payload);
    this.checkHello(hello);
    this.peerHello = payload;
    this.peerIdValue = hello.from;
    this.phase = 'proof';
    if (this.options.role.kind === 'acceptor') this.writeFrame(this.hello(hello.from));
    else this.writeFrame(this.proofOf('dialer'));
  }

  private checkHello(hello: Hello): void {
    const { identity, role } = this.options;
    if (hello.clusterId !== identity.clusterId) {
      throw new TideError('PEER_AUTH_FAILED', `node ${hello.from} is of cluster '${hello.clusterId}', not '${identity.clusterId}'`);
    }
    if (hello.to !== identity.nodeId) throw new TideError('PEER_AUTH_FAILED', `node ${hello.from} meant to reach node ${hello.to}`);
    if (role.kind === 'dialer') {
      if (hello.from !== role.peerId) throw new TideError('PEER_AUTH_FAILED', `dialed node ${role.peerId}, node ${hello.from} answered`);
    } else if (!role.accepts(hello.from)) {
      throw new TideError('PEER_AUTH_FAILED', `node ${hello.from} is not a peer of this node`);
    }
  }

  private proof(payload: Buffer): void {
    const peerRole: HandshakeRole = this.options.role.kind === 'dialer' ? 'acceptor' : 'dialer';
    if (!proofMatches(this.proofOf(peerRole), payload)) {
      throw new TideError('PEER_AUTH_FAILED', `node ${this.peerIdValue} did not prove the cluster secret`);
    }
    if (this.options.role.kind === 'acceptor') this.writeFrame(this.proofOf('acceptor'));
    this.phase = 'open';
    clearTimeout(this.timer);
    this.reader.setFrameBytesMax(peerFrameBytesMax);
    this.options.onOpen(this.peerIdValue!);
  }

  private proofOf(role: HandshakeRole): Buffer {
    const [dialerHello, acceptorHello] = this.options.role.kind === 'dialer' ? [this.ownHello!, this.peerHello!] : [this.peerHello!, this.ownHello!];
    return handshakeProof(this.options.identity.secret, role, dialerHello, acceptorHello);
  }

  // A rule broken by the peer (a TideError from the codecs or checks above) or a socket error.
  private fail(error: unknown): void {
    this.close(error instanceof Error ? error : new Error(String(error)));
  }

  private closed(): void {
    this.close();
    if (this.reported) return;
    this.reported = true;
    this.options.onClose(this.closeError);
  }
}

