// This node's link to one peer: it dials, authenticates, writes the peer's queue in order, and
// after any failure redials with backoff, keeping the queue (bounded) meanwhile. It only sends:
// the peer's messages to this node come over the link the peer dials (tcp-transport.ts).
import type { PeerAddress } from './peer-address.js';
import type { NodeIdentity } from './peer-connection.js';
import { PeerConnection } from './peer-connection.js';
import type { PeerTlsOptions } from './peer-sockets.js';
import { dialPeerSocket } from './peer-sockets.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import type { SendQueueBounds } from './send-queue.js';
import { SendQueue } from './send-queue.js';
import type { TransportEvent } from './transport-events.js';

export interface LinkSettings {
  readonly identity: NodeIdentity;
  readonly tls: PeerTlsOptions | null;
  readonly handshakeTimeoutMs: number;
  readonly queueBounds: SendQueueBounds;
  readonly reconnectDelayMsMin: number;
  readonly reconnectDelayMsMax: number;
  readonly random: () => number;
  readonly emit: (event: TransportEvent) => void;
}

// Frames handed to the socket per write batch: enough to fill a round of the socket's buffer,
// small enough that the loop is not held copying a whole queue into it.
const writeBatchBytesMax = 1024 * 1024;

export class OutboundLink {
  private connection: PeerConnection | null = null;
  private readonly queue: SendQueue;
  private readonly backoff: ReconnectBackoff;
  private redialTimer: NodeJS.Timeout | null = null;
  private flushScheduled = false;
  private draining = false;
  private stopped = false;
  private connectionClosed: Promise<void> = Promise.resolve();

  constructor(
    readonly peerId: number,
    readonly address: PeerAddress,
    private readonly settings: LinkSettings,
  ) {
    this.queue = new SendQueue(settings.queueBounds);
    this.backoff = new ReconnectBackoff(settings.reconnectDelayMsMin, settings.reconnectDelayMsMax, settings.random);
    this.dial();
  }

  get queuedMessages(): number {
    return this.queue.length;
  }

  // Queues an encoded message; false when the queue is full and it was dropped.
  send(payload: Buffer): boolean {
    if (this.stopped || !this.queue.maybeAdd(payload)) return false;
    // One flush per turn of the loop writes every message sent in it (a Ready's worth) in
    // one batch, rather than a system call each.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
    return true;
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.redialTimer !== null) clearTimeout(this.redialTimer);
    this.redialTimer = null;
    this.queue.clear();
    this.connection?.close();
    await this.connectionClosed;
  }

  private dial(): void {
    this.redialTimer = null;
    const { identity, tls, handshakeTimeoutMs, emit } = this.settings;
    let opened = false;
    let closed!: () => void;
    this.connectionClosed = new Promise((resolve) => (closed = resolve));
    this.draining = false;
    this.connection = new PeerConnection({
      socket: dialPeerSocket(this.address, tls),
      identity,
      handshakeTimeoutMs,
      role: { kind: 'dialer', peerId: this.peerId },
      onOpen: () => {
        opened = true;
        this.backoff.reset();
        emit({ kind: 'linkUp', peerId: this.peerId, direction: 'outbound' });
        this.flush();
      },
      onClose: (error) => {
        this.connection = null;
        emit({ kind: 'linkDown', peerId: this.peerId, direction: 'outbound', opened, error });
        closed();
        if (!this.stopped) this.redialTimer = setTimeout(() => this.dial(), this.backoff.nextDelayMs());
      },
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const connection = this.connection;
    if (connection === null || !connection.isOpen || this.draining) return;
    while (this.queue.length > 0) {
      connection.writeFrames(this.queue.take(writeBatchBytesMax));
      if (connection.needsDrain) {
        this.draining = true;
        connection.onDrain(() => {
          if (this.connection !== connection) return;
          this.draining = false;
          this.flush();
        });
        return;
      }
    }
  }
}
