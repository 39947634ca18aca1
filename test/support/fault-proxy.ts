// A TCP proxy in front of one address that a test tells, while traffic flows, to pass, hold
// back, reset or delay it. Cluster tests put one in front of each node's peer port, so that
// partitioning a node is one call and healing it another, with real sockets throughout.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { assertNever } from '../../services/base/assert.js';

export type FaultMode =
  // Bytes flow both ways.
  | { readonly kind: 'pass' }
  // A partition: connections are accepted and stay open, but no byte crosses, and new ones
  // reach nothing. Bytes sent meanwhile are held back, not lost, as TCP's retransmission
  // delivers them once a real partition heals; a peer that gives up on silence should close
  // its connection, as it would on a real network.
  | { readonly kind: 'drop' }
  // Every open connection is reset, and so is every new one as soon as it is accepted.
  | { readonly kind: 'refuse' }
  // Bytes flow, each chunk `delayMs` late in each direction, in order.
  | { readonly kind: 'delay'; readonly delayMs: number };

export interface FaultProxyOptions {
  readonly targetHost: string;
  readonly targetPort: number;
  readonly listenHost?: string;
  // 0 (the default) picks a free port.
  readonly listenPort?: number;
}

export class FaultProxy {
  private mode: FaultMode = { kind: 'pass' };
  private readonly connections = new Set<ProxiedConnection>();
  // Accepted connections over the proxy's life, for tests that count reconnects.
  connectionsAccepted = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: FaultProxyOptions,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer({ pauseOnConnect: true });
    const proxy = new FaultProxy(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listenPort ?? 0, options.listenHost ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get currentMode(): FaultMode {
    return this.mode;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  pass(): void {
    this.setMode({ kind: 'pass' });
  }

  drop(): void {
    this.setMode({ kind: 'drop' });
  }

  refuse(): void {
    this.setMode({ kind: 'refuse' });
  }

  delay(delayMs: number): void {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`delay needs a finite delayMs >= 0, got ${delayMs}`);
    this.setMode({ kind: 'delay', delayMs });
  }

  // Back to passing: held bytes flow, connections accepted during a drop reach the target.
  heal(): void {
    this.pass();
  }

  setMode(mode: FaultMode): void {
    this.mode = mode;
    for (const connection of [...this.connections]) connection.apply(mode);
  }

  // Stops listening and closes every connection in both directions.
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of [...this.connections]) connection.destroy();
    await closed;
  }

  private accept(client: Socket): void {
    this.connectionsAccepted++;
    const connection = new ProxiedConnection(client, this.options, () => this.connections.delete(connection));
    this.connections.add(connection);
    connection.apply(this.mode);
  }
}

// One client connection and, once the mode first lets bytes through, its connection to the
// target (a connection accepted during a drop reaches nothing until the drop ends).
class ProxiedConnection {
  private upstream: Socket | null = null;
  private upstreamConnected = false;
  private delayMs = 0;
  // Whether the mode lets bytes through; the sockets flow only when it does and both are up.
  private flowing = false;
  private destroyed = false;
  private readonly toTarget: DelayedPipe;
  private readonly toClient: DelayedPipe;

  constructor(
    private readonly client: Socket,
    private readonly target: FaultProxyOptions,
    private readonly onGone: () => void,
  ) {
    this.toTarget = new DelayedPipe(() => this.upstream, () => this.delayMs);
    this.toClient = new DelayedPipe(() => client, () => this.delayMs);
    this.toTarget.listen(client);
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
  }

  apply(mode: FaultMode): void {
    if (this.destroyed) return;
    switch (mode.kind) {
      case 'refuse':
        this.reset();
        return;
      case 'drop':
        this.flowing = false;
        this.pauseAll();
        return;
      case 'pass':
      case 'delay':
        this.delayMs = mode.kind === 'delay' ? mode.delayMs : 0;
        this.flowing = true;
        if (this.upstream === null) this.connectUpstream();
        else if (this.upstreamConnected) this.resumeAll();
        return;
      default:
        assertNever(mode);
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.toTarget.stop();
    this.toClient.stop();
    this.client.destroy();
    this.upstream?.destroy();
    this.onGone();
  }

  private reset(): void {
    // RST rather than FIN: the peer sees ECONNRESET, as from a crashed or firewalled host.
    this.client.resetAndDestroy();
    if (this.upstreamConnected) this.upstream?.resetAndDestroy();
    this.destroy();
  }

  private pauseAll(): void {
    this.client.pause();
    this.upstream?.pause();
    this.toTarget.hold();
    this.toClient.hold();
  }

  private resumeAll(): void {
    this.toTarget.release();
    this.toClient.release();
    this.client.resume();
    this.upstream?.resume();
  }

  private connectUpstream(): void {
    const upstream = connect({ host: this.target.targetHost, port: this.target.targetPort });
    this.upstream = upstream;
    upstream.pause();
    this.toClient.listen(upstream);
    upstream.on('error', () => this.destroy());
    upstream.on('close', () => this.destroy());
    upstream.once('connect', () => {
      this.upstreamConnected = true;
      // The mode may have turned to drop while connecting.
      if (!this.destroyed && this.flowing) this.resumeAll();
    });
  }
}

// Forwards one direction, each chunk `delayMs()` after it arrived, in arrival order, pausing the
// source while the destination's buffer is full (so a slow reader slows the writer, as TCP does).
class DelayedPipe {
  private readonly queue: { chunk: Buffer; dueAt: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private held = true;
  private stopped = false;
  private sourceSocket: Socket | null = null;

  constructor(
    private readonly destination: () => Socket | null,
    private readonly delayMs: () => number,
  ) {}

  hold(): void {
    this.held = true;
    this.clearTimer();
  }

  release(): void {
    this.held = false;
    this.flush();
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.clearTimer();
  }

  listen(socket: Socket): void {
    this.sourceSocket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (this.stopped) return;
      const last = this.queue[this.queue.length - 1];
      // Never earlier than the chunk before: a delay shortened mid-stream must not reorder.
      const dueAt = Math.max(performance.now() + this.delayMs(), last?.dueAt ?? 0);
      this.queue.push({ chunk, dueAt });
      this.flush();
    });
  }

  private flush(): void {
    if (this.held || this.stopped) return;
    const destination = this.destination();
    if (destination === null) return;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.dueAt <= now) {
      const { chunk } = this.queue.shift()!;
      if (!destination.write(chunk)) {
        this.sourceSocket?.pause();
        destination.once('drain', () => {
          if (!this.held && !this.stopped) this.sourceSocket?.resume();
        });
      }
    }
    const first = this.queue[0];
    if (first !== undefined && this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, Math.max(0, first.dueAt - now));
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
