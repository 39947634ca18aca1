// Proves the TCP transport over real sockets on 127.0.0.1: messages arrive in order, links come
// back after a peer restarts, queues stay bounded while a peer is down, and nothing from a node
// without the secret, outside the peer set or breaking the frame bound is ever delivered.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TideError } from '../../../services/base/errors.js';
import { peerFrameBytesMax, peerHandshakeFrameBytesMax } from '../../../services/base/limits.js';
import { encodeMessage } from '../../../services/raft/transport/message-codec.js';
import { FrameReader, frameHeader } from '../../../services/raft/transport/frame-reader.js';
import { decodeHello, encodeHello, newNonce } from '../../../services/raft/transport/handshake-messages.js';
import { TcpTransport } from '../../../services/raft/transport/tcp-transport.js';
import type { TestNode } from './peer-harness.js';
import { closeAll, clusterId, commits, downCodes, heartbeat, RawPeer, secret, startCluster, startNode, waitFor } from './peer-harness.js';

afterEach(closeAll);

function sendHeartbeats(from: TestNode, to: number, first: number, count: number): void {
  for (let commit = first; commit < first + count; commit++) from.transport.send(heartbeat(from.id, to, BigInt(commit)));
}

function range(first: number, count: number): bigint[] {
  return Array.from({ length: count }, (_, i) => BigInt(first + i));
}

describe('tcp transport', () => {
  it('delivers messages in order both ways on a healthy link, appends with their entries intact', async () => {
    const [one, two] = await startCluster(2);
    sendHeartbeats(one!, 2, 0, 2_000);
    sendHeartbeats(two!, 1, 0, 2_000);
    const data = new Uint8Array(300_000).map((_, i) => i % 251);
    const append = { kind: 'append', from: 1, to: 2, term: 3n, prevIndex: 9n, prevTerm: 2n, commit: 9n, entries: [{ index: 10n, term: 3n, kind: 'batch', data }] } as const;
    one!.transport.send(append);
    await waitFor(() => two!.received.length === 2_001 && one!.received.length === 2_000, 'every message');
    expect(commits(two!.received.slice(0, 2_000))).toEqual(range(0, 2_000));
    expect(commits(one!.received)).toEqual(range(0, 2_000));
    // Compared as bytes: an element-wise comparison of 300 kB takes seconds.
    const received = two!.received[2_000]!;
    expect(received.kind === 'append' && Buffer.from(received.entries[0]!.data).equals(data)).toBe(true);
    expect({ ...received, entries: [] }).toEqual({ ...append, entries: [] });
    expect(one!.events.filter((event) => event.kind === 'linkUp').map((event) => event.kind === 'linkUp' && event.direction).sort()).toEqual(['inbound', 'outbound']);
  });

  it('redials a peer that restarted on its address and delivers what was queued meanwhile', async () => {
    const [one, two] = await startCluster(2);
    sendHeartbeats(one!, 2, 0, 5);
    await waitFor(() => two!.received.length === 5, 'the first messages');
    const port = two!.transport.port;
    await two!.transport.close();
    await waitFor(() => downCodes(one!, 'outbound').length === 1, 'node 1 to see its link go down');
    sendHeartbeats(one!, 2, 5, 5); // queued while node 2 is down
    const restarted = await startNode(2, { listen: { host: '127.0.0.1', port }, peers: new Map([[1, `127.0.0.1:${one!.transport.port}`]]) });
    await waitFor(() => restarted.received.length === 5, 'the queued messages after the restart');
    sendHeartbeats(one!, 2, 10, 5);
    await waitFor(() => restarted.received.length === 10, 'messages after the restart');
    expect(commits(restarted.received)).toEqual(range(5, 10));
    expect(one!.events.filter((event) => event.kind === 'linkUp' && event.direction === 'outbound')).toHaveLength(2);
  });

  it('redials a peer at its new address when setPeers moves it', async () => {
    const [one, two] = await startCluster(2);
    await two!.transport.close();
    const moved = await startNode(2, { peers: new Map([[1, `127.0.0.1:${one!.transport.port}`]]) });
    one!.transport.setPeers(new Map([[2, `127.0.0.1:${moved.transport.port}`]]));
    sendHeartbeats(one!, 2, 0, 3);
    await waitFor(() => moved.received.length === 3, 'messages at the new address');
    expect(commits(moved.received)).toEqual(range(0, 3));
  });

  it('keeps one inbound connection per peer: a newer authenticated one closes the older', async () => {
    const one = await startNode(1, { peers: new Map([[2, '127.0.0.1:1']]) });
    const first = await RawPeer.connect(one.transport.port);
    await first.handshake(2, 1);
    await waitFor(() => first.frames.length === 2, 'the first proof');
    const second = await RawPeer.connect(one.transport.port);
    await second.handshake(2, 1);
    await waitFor(() => first.closed, 'the older connection to close');
    second.sendFrame(encodeMessage(heartbeat(2, 1, 5n)));
    await waitFor(() => one.received.length === 1, 'a message on the newer connection');
    expect(second.closed).toBe(false);
    expect(downCodes(one, 'inbound')).toEqual([null]);
  });

  it('holds a down peer\'s queue at its bound, dropping the newest, and delivers the kept ones once it is up', async () => {
    const holder = await startNode(2); // takes a free port, then frees it for node 2 to come up on later
    const port = holder.transport.port;
    await holder.transport.close();
    const one = await startNode(1, { sendQueueMessagesMax: 10, peers: new Map([[2, `127.0.0.1:${port}`]]) });
    sendHeartbeats(one, 2, 0, 50);
    expect(one.transport.queuedMessages(2)).toBe(10);
    expect(one.events.filter((event) => event.kind === 'dropped' && event.reason === 'queueFull')).toHaveLength(40);
    const two = await startNode(2, { listen: { host: '127.0.0.1', port }, peers: new Map([[1, `127.0.0.1:${one.transport.port}`]]) });
    await waitFor(() => two.received.length === 10, 'the queued messages');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(commits(two.received)).toEqual(range(0, 10));
    expect(one.transport.queuedMessages(2)).toBe(0);
  });

  it('refuses a node with another secret: its messages are never delivered', async () => {
    const one = await startNode(1);
    const intruder = await startNode(2, { secret: 'another secret, just as long' });
    one.transport.setPeers(new Map([[2, `127.0.0.1:${intruder.transport.port}`]]));
    intruder.transport.setPeers(new Map([[1, `127.0.0.1:${one.transport.port}`]]));
    sendHeartbeats(intruder, 1, 0, 3);
    sendHeartbeats(one, 2, 0, 3);
    // Each side dials, and each refuses the other's proof as the acceptor (dialers prove first).
    await waitFor(() => downCodes(one, 'inbound').includes('PEER_AUTH_FAILED'), 'node 1 to refuse the intruder');
    await waitFor(() => downCodes(intruder, 'inbound').includes('PEER_AUTH_FAILED'), 'the intruder to refuse node 1');
    expect(one.received).toEqual([]);
    expect(intruder.received).toEqual([]);
    expect(one.events.some((event) => event.kind === 'linkUp')).toBe(false);
  });

  it('closes a connection whose dialer fails its proof, without reading the message it sent after or proving itself', async () => {
    const one = await startNode(1, { peers: new Map([[2, '127.0.0.1:1']]) });
    const raw = await RawPeer.connect(one.transport.port);
    await raw.handshake(2, 1, 'a guess at the cluster secret!');
    raw.sendFrame(encodeMessage(heartbeat(2, 1, 7n)));
    await waitFor(() => raw.closed, 'the connection to close');
    await waitFor(() => downCodes(one, 'inbound').length === 1, 'the refusal');
    expect(downCodes(one, 'inbound')).toEqual(['PEER_AUTH_FAILED']);
    expect(one.received).toEqual([]);
    // The acceptor answered with its hello only: it gives no proof to a dialer that gave none.
    expect(raw.frames).toHaveLength(1);
  });

  it('refuses an acceptor that fails its proof and sends it no message', async () => {
    const frames: Buffer[] = [];
    let closed = false;
    const fake = createServer((socket) => {
      const reader = new FrameReader(1 << 20);
      socket.on('data', (chunk: Buffer) => reader.push(chunk, (frame) => {
        frames.push(Buffer.from(frame));
        if (frames.length === 1) socket.write(Buffer.concat(framed(encodeHello({ clusterId, from: 2, to: 1, nonce: newNonce() }))));
        if (frames.length === 2) socket.write(Buffer.concat(framed(Buffer.alloc(32, 7))));
      }));
      socket.on('close', () => (closed = true));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    try {
      const port = (fake.address() as { port: number }).port;
      const one = await startNode(1, { peers: new Map([[2, `127.0.0.1:${port}`]]) });
      one.transport.send(heartbeat(1, 2, 1n));
      await waitFor(() => downCodes(one, 'outbound').includes('PEER_AUTH_FAILED'), 'node 1 to refuse the fake acceptor');
      await waitFor(() => closed, 'the fake acceptor\'s connection to close');
      expect(frames).toHaveLength(2); // the hello and the proof, no message
      expect(decodeHello(frames[0]!).from).toBe(1);
    } finally {
      await closeAll();
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  it('refuses a node outside the peer set and stops delivering from one removed at runtime', async () => {
    const [one, two] = await startCluster(2);
    const stranger = await startNode(9, { peers: new Map([[1, `127.0.0.1:${one!.transport.port}`]]) });
    sendHeartbeats(stranger, 1, 0, 3);
    await waitFor(() => downCodes(one!, 'inbound').includes('PEER_AUTH_FAILED'), 'the stranger to be refused');
    sendHeartbeats(two!, 1, 0, 3);
    await waitFor(() => one!.received.length === 3, 'messages from node 2');
    one!.transport.setPeers(new Map());
    sendHeartbeats(two!, 1, 3, 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(commits(one!.received)).toEqual(range(0, 3));
    expect(one!.received.every((message) => message.from === 2)).toBe(true);
    one!.transport.send(heartbeat(1, 2, 0n));
    expect(one!.events.at(-1)).toEqual({ kind: 'dropped', peerId: 2, direction: 'outbound', reason: 'unknownPeer' });
  });

  it('drops a message whose sender is not the node that authenticated the link', async () => {
    const [one, two] = await startCluster(3);
    two!.transport.send(heartbeat(3, 1, 1n)); // node 2 speaking for node 3
    two!.transport.send(heartbeat(2, 1, 2n));
    await waitFor(() => one!.received.length === 1, 'the honest message');
    expect(commits(one!.received)).toEqual([2n]);
    expect(one!.events.filter((event) => event.kind === 'dropped')).toEqual([{ kind: 'dropped', peerId: 2, direction: 'inbound', reason: 'notFromPeer' }]);
  });

  it('closes a link on a frame over the bound, before and after the handshake, and on a frame that is no message', async () => {
    const one = await startNode(1, { peers: new Map([[2, '127.0.0.1:1']]) });
    const early = await RawPeer.connect(one.transport.port);
    early.socket.write(frameHeader(peerHandshakeFrameBytesMax + 1));
    await waitFor(() => early.closed, 'an oversized handshake frame to close the link');
    const late = await RawPeer.connect(one.transport.port);
    await late.handshake(2, 1);
    late.sendFrame(encodeMessage(heartbeat(2, 1, 1n)));
    await waitFor(() => one.received.length === 1, 'a message within the bound');
    late.socket.write(frameHeader(peerFrameBytesMax + 1));
    await waitFor(() => late.closed, 'an oversized frame to close the link');
    const garbled = await RawPeer.connect(one.transport.port);
    await garbled.handshake(2, 1);
    garbled.sendFrame(Buffer.from('not a message'));
    await waitFor(() => garbled.closed, 'a garbled frame to close the link');
    expect(downCodes(one, 'inbound')).toEqual(['PEER_FRAME_TOO_LARGE', 'PEER_FRAME_TOO_LARGE', 'PEER_MESSAGE_INVALID']);
    expect(one.received).toHaveLength(1);
  });

  it('closes a connection that does not finish its handshake in time', async () => {
    const one = await startNode(1, { handshakeTimeoutMs: 200, peers: new Map([[2, '127.0.0.1:1']]) });
    const silent = await RawPeer.connect(one.transport.port);
    await waitFor(() => silent.closed, 'the silent connection to close');
    expect(downCodes(one, 'inbound')).toEqual(['PEER_AUTH_FAILED']);
  });

  it('refuses a bad configuration with PEER_CONFIG_INVALID and keeps the old peer set', async () => {
    const base = { nodeId: 1, clusterId, secret, listen: { host: '127.0.0.1', port: 0 } };
    const refusals = [
      TcpTransport.listen({ ...base, secret: 'short' }),
      TcpTransport.listen({ ...base, clusterId: '' }),
      TcpTransport.listen({ ...base, nodeId: 0 }),
      TcpTransport.listen({ ...base, peers: new Map([[2, 'no port']]) }),
    ];
    for (const refusal of refusals) await expect(refusal).rejects.toMatchObject({ code: 'PEER_CONFIG_INVALID' });
    const [one, two] = await startCluster(2);
    for (const address of ['127.0.0.1', '127.0.0.1:0', '127.0.0.1:65536', ':4201', '[::1:4201']) {
      expect(() => one!.transport.setPeers(new Map([[2, address]])), address).toThrow(TideError);
    }
    expect(() => one!.transport.setPeers(new Map([[1.5, '127.0.0.1:4201']]))).toThrow(TideError);
    one!.transport.send(heartbeat(1, 2, 1n));
    await waitFor(() => two!.received.length === 1, 'a message over the old peer set');
  });

  it('releases every socket and timer on close', async () => {
    const before = tcpHandles();
    const timeoutsBefore = timeouts();
    const nodes = await startCluster(3);
    const down = await startNode(4); // a peer that is down: its links sit in redial timers
    await down.transport.close();
    for (const node of nodes) node.transport.setPeers(new Map([...nodes.map((peer) => [peer.id, `127.0.0.1:${peer.transport.port}`] as const), [4, `127.0.0.1:${down.transport.port}`]]));
    sendHeartbeats(nodes[0]!, 2, 0, 10);
    const raw = await RawPeer.connect(nodes[0]!.transport.port); // mid-handshake at close
    await waitFor(() => nodes[1]!.received.length === 10, 'traffic');
    expect(tcpHandles()).toBeGreaterThan(before);
    await closeAll();
    // The raw client's own socket is the test's: it closes once the transport's end is gone.
    await waitFor(() => raw.closed, 'the raw connection to be closed by its peer');
    expect(tcpHandles()).toBe(before);
    // At most as many: a timer of the test runner's, live at the start, may be gone by now.
    expect(timeouts()).toBeLessThanOrEqual(timeoutsBefore);
  });
});

function framed(payload: Buffer): Buffer[] {
  return [frameHeader(payload.length), payload];
}

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind.startsWith('TCP')).length;
}

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}
