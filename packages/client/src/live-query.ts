// A local copy of a table's rows kept in sync from its change stream: the snapshot first, then
// each transaction applied whole (never half of one), with the lsn the copy reflects.
import { subscribe } from './changes.js';
import type { ChangeEvent, SubscribeOptions } from './changes.js';
import type { Nodes } from './nodes.js';

export interface LiveQueryOptions {
  readonly progressMs?: number;
  // Called after each applied transaction (and once the snapshot is in), with the copy's lsn.
  readonly onChange?: (lsn: string) => void;
  readonly onError?: (error: unknown) => void;
}

export class LiveQuery<Row extends Record<string, unknown> = Record<string, unknown>> {
  private readonly copy = new Map<string, Row>();
  private pending: ChangeEvent<Row>[] = [];
  private lsnValue: string | null = null;
  private readonly controller = new AbortController();
  private readyResolve!: () => void;
  // Resolves once the snapshot has been received.
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
  readonly done: Promise<void>;

  constructor(nodes: Nodes, table: string, private readonly options: LiveQueryOptions = {}) {
    const subscribeOptions: SubscribeOptions = { tables: [table], snapshot: true, signal: this.controller.signal, ...(options.progressMs === undefined ? {} : { progressMs: options.progressMs }) };
    this.done = this.follow(subscribe<Row>(nodes, subscribeOptions)).catch((error: unknown) => {
      if (this.options.onError === undefined) throw error;
      this.options.onError(error);
    });
  }

  // The rows as of `lsn`.
  rows(): Row[] {
    return [...this.copy.values()];
  }

  get lsn(): string | null {
    return this.lsnValue;
  }

  close(): Promise<void> {
    this.controller.abort();
    return this.done;
  }

  private async follow(events: AsyncGenerator<import('./changes.js').StreamEvent<Row>>): Promise<void> {
    for await (const event of events) {
      switch (event.type) {
        case 'snapshot_restart':
          this.copy.clear();
          break;
        case 'change':
          if (event.op === 'r') this.put(event);
          else {
            this.pending.push(event);
            const place = event.transaction;
            if (place === null || place.order === place.total) this.applyPending(event.lsn);
          }
          break;
        case 'snapshot_end':
          this.lsnValue = event.lsn;
          this.readyResolve();
          this.options.onChange?.(event.lsn);
          break;
        case 'progress':
          if (this.pending.length === 0) this.lsnValue = event.lsn;
          break;
        case 'ddl':
          // A schema change may close a transaction whose row changes came before it.
          if (event.transaction.order === event.transaction.total) this.applyPending(event.lsn);
          break;
        case 'schema':
          break;
      }
    }
  }

  private applyPending(lsn: string): void {
    for (const change of this.pending) {
      if (change.op === 't') this.copy.clear();
      else if (change.op === 'd') this.copy.delete(keyOf(change));
      else this.put(change);
    }
    this.pending = [];
    this.lsnValue = lsn;
    this.options.onChange?.(lsn);
  }

  private put(change: ChangeEvent<Row>): void {
    this.copy.set(keyOf(change), change.after!);
  }
}

function keyOf(change: ChangeEvent<unknown>): string {
  return JSON.stringify(change.key);
}
