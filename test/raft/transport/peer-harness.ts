// Real transports on 127.0.0.1 with ephemeral ports for the transport tests: each node records
// what it received and what its transport reported, and a raw client speaks the handshake by
// hand, to send what a well-behaved node never would.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { RaftMessage } from '../../../services/raft/core/types.js';
import { FrameReader, frameHeader } from '../../../services/raft/transport/frame-reader.js';
import { decodeHello, encodeHello, handshakeProof, newNonce } from '../../../services/raft/transport/handshake-messages.js';
import type { TcpTransportOptions } from '../../../services/raft/transport/tcp-transport.js';
import { TcpTransport } from '../../../services/raft/transport/tcp-transport.js';
import type { TransportEvent } from '../../../services/raft/transport/transport-events.js';

export const clusterId = 'test-cluster';
export const secret = 'a cluster secret of some length';

export interface TestNode {
  readonly id: number;
  readonly transport: TcpTransport;
  readonly received: RaftMessage[];
  readonly events: TransportEvent[];
}

export type NodeOverrides = Partial<Omit<TcpTransportOptions, 'nodeId' | 'onEvent'>>;

const started: TcpTransport[] = [];

export async function startNode(id: number, overrides: NodeOverrides = {}): Promise<TestNode> {
  const received: RaftMessage[] = [];
  const events: TransportEvent[] = [];
  const transport = await TcpTransport.listen({
    nodeId: id,
    clusterId,
    secret,
    listen: { host: '127.0.0.1', port: 0 },
    handshakeTimeoutMs: 2_000,
    ...overrides,
    onEvent: (event) => events.push(event),
  });
  transport.onMessage((message) => received.push(message));
  started.push(transport);
  return { id, transport, received, events };
}

// Nodes that know each other as peers.
export async function startCluster(count: number, overrides: NodeOverrides = {}): Promise<TestNode[]> {
  const nodes: TestNode[] = [];
  for (let id = 1; id <= count; id++) nodes.push(await startNode(id, overrides));
  const peers = new Map(nodes.map((node) => [node.id, `127.0.0.1:${node.transport.port}`]));
  for (const node of nodes) node.transport.setPeers(peers);
  return nodes;
}

export async function closeAll(): Promise<void> {
  await Promise.all(started.splice(0).map((transport) => transport.close()));
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function heartbeat(from: number, to: number, commit: bigint): RaftMessage {
  return { kind: 'heartbeat', from, to, term: 1n, commit, round: 0n };
}

export function commits(messages: readonly RaftMessage[]): bigint[] {
  return messages.map((message) => (message.kind === 'heartbeat' ? message.commit : -1n));
}

// The PEER_* code of each link the node saw go down, in order (null for a clean close).
export function downCodes(node: TestNode, direction: 'inbound' | 'outbound'): (string | null)[] {
  return node.events.flatMap((event) => {
    if (event.kind !== 'linkDown' || event.direction !== direction) return [];
    const code = (event.error as { code?: unknown } | null)?.code;
    return [typeof code === 'string' ? code : null];
  });
}

// A hand-driven dialer: it sends frames as given and reports whether the other side closed.
export class RawPeer {
  readonly frames: Buffer[] = [];
  closed = false;
  private readonly reader = new FrameReader(1 << 20);

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk, (frame) => this.frames.push(Buffer.from(frame))));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RawPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawPeer(socket);
  }

  sendFrame(payload: Uint8Array): void {
    this.socket.write(frameHeader(payload.length));
    this.socket.write(payload);
  }

  // Runs the dialer's side of the handshake as node `from`, with `proofSecret` for its proof;
  // resolves once the proof is sent (the acceptor's answer lands in `frames`).
  async handshake(from: number, to: number, proofSecret: string = secret): Promise<void> {
    const hello = encodeHello({ clusterId, from, to, nonce: newNonce() });
    this.sendFrame(hello);
    await waitFor(() => this.frames.length >= 1 || this.closed, 'the acceptor hello');
    const acceptorHello = this.frames[0];
    if (acceptorHello === undefined) throw new Error('the acceptor closed the connection');
    decodeHello(acceptorHello);
    this.sendFrame(handshakeProof(Buffer.from(proofSecret), 'dialer', hello, acceptorHello));
  }

  close(): void {
    this.socket.destroy();
  }
}
