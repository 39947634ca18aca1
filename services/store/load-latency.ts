// The load generator's end-to-end clock: from sending an order to seeing its decision on the
// orders table's change stream (filtered on the decided statuses, as a dashboard or the
// notifications service follows it). Decisions of orders it did not place are ignored.
import type { TideClient } from '@tidedb/client';

export class DecisionClock {
  private readonly sentAt = new Map<number, number>();
  // Decisions that arrived before the order's answer did (the stream can beat the API's reply).
  private readonly early = new Map<number, number>();
  private readonly latenciesMs: number[] = [];
  private firstAt: number | null = null;
  private lastAt: number | null = null;
  private readonly controller = new AbortController();
  private readyResolve!: () => void;
  // Resolves once the stream is open (its first progress event): orders placed after it are seen.
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
  private readonly following: Promise<void>;

  constructor(client: TideClient) {
    const filter = { where: "status <> 'pending'" };
    const events = client.subscribe<{ id: number; status: string }>({ tables: ['orders'], progressMs: 200, signal: this.controller.signal, ...filter });
    this.following = (async () => {
      for await (const event of events) {
        if (event.type === 'progress') this.readyResolve();
        if (event.type !== 'change' || event.after === null || event.after.status === 'pending') continue;
        this.decided(event.after.id, performance.now());
      }
    })().catch((error: unknown) => {
      if (!this.controller.signal.aborted) throw error;
    });
  }

  placed(orderId: number, sentAt: number): void {
    const decidedAt = this.early.get(orderId);
    if (decidedAt === undefined) this.sentAt.set(orderId, sentAt);
    else this.record(decidedAt - sentAt, decidedAt);
  }

  // Waits until every placed order's decision has arrived, or the time is up.
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sentAt.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  summary(): string {
    const sorted = [...this.latenciesMs].sort((a, b) => a - b);
    const at = (quantile: number): string => (sorted.length === 0 ? '-' : sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]!.toFixed(0));
    const spanS = this.firstAt === null || this.lastAt === null ? 0 : (this.lastAt - this.firstAt) / 1_000;
    const rate = spanS > 0 ? (sorted.length / spanS).toFixed(1) : '-';
    return `decided: ${sorted.length} (${rate}/s), ${this.sentAt.size} undecided; placed → decided on the stream: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.following;
  }

  private decided(orderId: number, decidedAt: number): void {
    const sentAt = this.sentAt.get(orderId);
    if (sentAt === undefined) this.early.set(orderId, decidedAt);
    else {
      this.sentAt.delete(orderId);
      this.record(decidedAt - sentAt, decidedAt);
    }
  }

  private record(latencyMs: number, decidedAt: number): void {
    this.latenciesMs.push(latencyMs);
    this.firstAt ??= decidedAt;
    this.lastAt = decidedAt;
  }
}
