// RaftTransport over TCP (or TLS): length-prefixed binary frames, authenticated by the cluster
// secret before anything else is read, with a bounded queue and a redialing link per peer.
//
// Who dials: each node dials every peer for its own outbound messages, so a pair of nodes has
// one connection per direction, each used one way. Each connection then has a single owner that
// dials, queues and redials it, with no rule to break a tie when both nodes dial at once and no
// connection handed from one owner to the other; a restarted node sends as soon as it is up,
// rather than waiting for the lower-numbered side's backoff to come round; and a node sends
// only to the address it was given for a peer, never back over a socket some host opened to
// it. The cost, a second socket per pair, is small for a cluster of a handful of nodes.
//
// Messages from unknown or removed nodes are dropped: a node that is not a peer fails the
// handshake, setPeers closes the links of nodes it removes, and every message is checked
// against the node that authenticated its link.
import type { Server, Socket } from 'node:net';
import { assert } from '../../base/assert.js';
import { TideError } from '../../base/errors.js';
import {
  peerFrameBytesMax,
  peerHandshakeTimeoutMs,
  peerReconnectDelayMsMax,
  peerReconnectDelayMsMin,
  peerSendQueueBytesMax,
  peerSendQueueMessagesMax,
} from '../../base/limits.js';
import type { RaftMessage } from '../core/types.js';
import { clusterIdBytesMax } from './handshake-messages.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import type { LinkSettings } from './outbound-link.js';
import { OutboundLink } from './outbound-link.js';
import { parsePeerAddress, sameAddress } from './peer-address.js';
import type { PeerAddress } from './peer-address.js';
import { PeerConnection } from './peer-connection.js';
import type { PeerTlsOptions } from './peer-sockets.js';
import { checkPeerTls, createPeerServer } from './peer-sockets.js';
import type { RaftTransport } from './raft-transport.js';
import type { TransportEvent } from './transport-events.js';

export interface TcpTransportOptions {
  readonly nodeId: number;
  // Names the cluster: nodes of another cluster that happen to share the secret are refused.
  readonly clusterId: string;
  // Every node of the cluster holds it; at least 16 bytes (a string is taken as UTF-8).
  readonly secret: Uint8Array | string;
  // Where this node accepts its peers' links; port 0 picks a free one (see `port`).
  readonly listen: { readonly host: string; readonly port: number };
  // Node id → "host:port" of its peer link. This node's own id, if present, is skipped.
  readonly peers?: ReadonlyMap<number, string>;
  readonly tls?: PeerTlsOptions;
  readonly handshakeTimeoutMs?: number;
  readonly sendQueueMessagesMax?: number;
  readonly sendQueueBytesMax?: number;
  // Spreads redials (jitter); tests may pass a seeded generator.
  readonly random?: () => number;
  readonly onEvent?: (event: TransportEvent) => void;
}

const secretBytesMin = 16;
const nodeIdMax = 0xffff_ffff;

export class TcpTransport implements RaftTransport {
  private readonly links = new Map<number, OutboundLink>();
  // The authenticated inbound connection of each peer: a newer one replaces it (the peer
  // redialed, and the old socket may be half-open).
  private readonly inboundByPeer = new Map<number, PeerConnection>();
  private readonly inboundClosed = new Set<Promise<void>>();
  private readonly rawSockets = new Set<Socket>();
  private receive: ((message: RaftMessage) => void) | null = null;
  private closing: Promise<void> | null = null;
  private listenPort = 0;

  private constructor(
    private readonly nodeId: number,
    private readonly server: Server,
    private readonly settings: LinkSettings,
  ) {}

  // Starts listening; resolves once the port is bound, so that peers can dial it.
  static async listen(options: TcpTransportOptions): Promise<TcpTransport> {
    const settings = linkSettings(options);
    const peers = options.peers ?? new Map<number, string>();
    peerAddresses(options.nodeId, peers); // a bad peer set fails before a port is taken
    let transport: TcpTransport | null = null;
    const server = createPeerServer(
      options.tls ?? null,
      settings.handshakeTimeoutMs,
      (socket) => transport!.accept(socket),
      (socket) => transport!.track(socket),
    );
    transport = new TcpTransport(options.nodeId, server, settings);
    // A TLS server only: a dialer whose certificate failed, refused before any PeerConnection.
    server.on('tlsClientError', (error: Error) => settings.emit({ kind: 'linkDown', peerId: null, direction: 'inbound', opened: false, error }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listen.port, options.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    assert(address !== null && typeof address === 'object');
    transport.listenPort = address.port;
    transport.setPeers(peers);
    return transport;
  }

  // The port this node listens on (the one picked, when port 0 was asked for).
  get port(): number {
    return this.listenPort;
  }

  // Replaces the peer set: links to new peers are dialed, links to removed peers (both ways)
  // closed, and a peer whose address changed is redialed there. The whole map is checked
  // before anything changes, so a bad entry leaves the old set in place.
  setPeers(peers: ReadonlyMap<number, string>): void {
    if (this.closing !== null) return;
    const next = peerAddresses(this.nodeId, peers);
    for (const [id, link] of this.links) {
      const address = next.get(id);
      if (address !== undefined && sameAddress(address, link.address)) continue;
      this.links.delete(id);
      void link.close();
      if (address === undefined) this.inboundByPeer.get(id)?.close();
    }
    for (const [id, address] of next) {
      if (!this.links.has(id)) this.links.set(id, new OutboundLink(id, address, this.settings));
    }
  }

  send(message: RaftMessage): void {
    const link = this.links.get(message.to);
    if (link === undefined) {
      this.settings.emit({ kind: 'dropped', peerId: message.to, direction: 'outbound', reason: 'unknownPeer' });
      return;
    }
    const payload = encodeMessage(message);
    // The core bounds an append well below a frame (limits.ts asserts it). A bigger one would
    // close the link at the peer on every resend, a livelock far from its cause: stop here.
    assert(payload.length <= peerFrameBytesMax, `a ${message.kind} of ${payload.length} bytes exceeds a peer frame`);
    if (!link.send(payload)) {
      this.settings.emit({ kind: 'dropped', peerId: message.to, direction: 'outbound', reason: 'queueFull' });
    }
  }

  onMessage(receive: (message: RaftMessage) => void): void {
    this.receive = receive;
  }

  // Messages waiting for a peer, for tests and status.
  queuedMessages(peerId: number): number {
    return this.links.get(peerId)?.queuedMessages ?? 0;
  }

  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const linksClosed = [...this.links.values()].map((link) => link.close());
    this.links.clear();
    // Every accepted socket, authenticated, mid-handshake or mid-TLS-handshake.
    for (const socket of this.rawSockets) socket.destroy();
    await Promise.all([serverClosed, ...linksClosed, ...this.inboundClosed]);
  }

  private track(socket: Socket): void {
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    this.rawSockets.add(socket);
    socket.once('close', () => this.rawSockets.delete(socket));
  }

  private accept(socket: Socket): void {
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    let peerId: number | null = null;
    let closed!: () => void;
    const whenClosed = new Promise<void>((resolve) => (closed = resolve));
    this.inboundClosed.add(whenClosed);
    const connection: PeerConnection = new PeerConnection({
      socket,
      identity: this.settings.identity,
      handshakeTimeoutMs: this.settings.handshakeTimeoutMs,
      role: { kind: 'acceptor', accepts: (id) => this.links.has(id), onFrame: (payload) => this.deliver(peerId!, decodeMessage(payload)) },
      onOpen: (id) => {
        peerId = id;
        this.inboundByPeer.get(id)?.close();
        this.inboundByPeer.set(id, connection);
        this.settings.emit({ kind: 'linkUp', peerId: id, direction: 'inbound' });
      },
      onClose: (error) => {
        if (peerId !== null && this.inboundByPeer.get(peerId) === connection) this.inboundByPeer.delete(peerId);
        this.settings.emit({ kind: 'linkDown', peerId: peerId ?? connection.peerId, direction: 'inbound', opened: peerId !== null, error });
        this.inboundClosed.delete(whenClosed);
        closed();
      },
    });
  }

  // A message whose sender is not the authenticated peer, or is no longer a peer, or that is
  // addressed to another node, is dropped, not delivered: only the authenticated node may speak
  // for itself, and a removed node must not sway elections or commits.
  private deliver(peerId: number, message: RaftMessage): void {
    const fromPeer = message.from === peerId && message.to === this.nodeId && this.links.has(peerId);
    const receive = this.receive;
    if (!fromPeer || receive === null) {
      this.settings.emit({ kind: 'dropped', peerId, direction: 'inbound', reason: fromPeer ? 'noReceiver' : 'notFromPeer' });
      return;
    }
    receive(message);
  }
}

function linkSettings(options: TcpTransportOptions): LinkSettings {
  checkNodeId(options.nodeId);
  const secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : options.secret;
  if (secret.length < secretBytesMin) {
    throw new TideError('PEER_CONFIG_INVALID', `the cluster secret has ${secret.length} bytes, fewer than ${secretBytesMin}`);
  }
  const clusterIdBytes = Buffer.byteLength(options.clusterId, 'utf8');
  if (clusterIdBytes === 0 || clusterIdBytes > clusterIdBytesMax) {
    throw new TideError('PEER_CONFIG_INVALID', `the cluster id must have 1 to ${clusterIdBytesMax} bytes, not ${clusterIdBytes}`);
  }
  if (options.tls !== undefined) checkPeerTls(options.tls);
  const onEvent = options.onEvent;
  return {
    identity: { clusterId: options.clusterId, nodeId: options.nodeId, secret },
    tls: options.tls ?? null,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? peerHandshakeTimeoutMs,
    queueBounds: {
      messagesMax: options.sendQueueMessagesMax ?? peerSendQueueMessagesMax,
      bytesMax: options.sendQueueBytesMax ?? peerSendQueueBytesMax,
    },
    reconnectDelayMsMin: peerReconnectDelayMsMin,
    reconnectDelayMsMax: peerReconnectDelayMsMax,
    random: options.random ?? Math.random,
    emit: onEvent === undefined ? () => undefined : onEvent,
  };
}

function peerAddresses(nodeId: number, peers: ReadonlyMap<number, string>): Map<number, PeerAddress> {
  const addresses = new Map<number, PeerAddress>();
  for (const [id, text] of peers) {
    checkNodeId(id);
    if (id !== nodeId) addresses.set(id, parsePeerAddress(text));
  }
  return addresses;
}

function checkNodeId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > nodeIdMax) {
    throw new TideError('PEER_CONFIG_INVALID', `node id ${id} is not an integer from 1 to ${nodeIdMax}`);
  }
}
