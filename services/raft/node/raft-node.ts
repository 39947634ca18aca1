// The driver around the pure Raft core: it owns the clock, the log files and the apply
// callback. Proposals arriving while one fsync runs are written together by the next one
// (group commit), so many concurrent writes share the disk's fsync rate.
import { assert } from '../../base/assert.js';
import { TideError } from '../../base/errors.js';
import { entriesPerFlushMax, flushBytesMax, tickMs } from '../../base/limits.js';
import { RaftCore } from '../core/raft-core.js';
import type { LogEntry, Ready } from '../core/types.js';
import { LogStore } from './log-store.js';

export interface RaftNodeOptions {
  readonly dir: string;
  readonly id: number;
  // The highest index whose effect the state machine already holds; replay starts after it.
  readonly appliedIndex: bigint;
  // The term of the entry at appliedIndex, when the state machine knows it: the log's term for
  // the index before its first, when it starts right after the applied index.
  readonly appliedTerm?: bigint | undefined;
  // Applies committed entries; calls are made one at a time, in order, each after the previous
  // one settled. A failure is fatal (the state machine would otherwise diverge from the log).
  readonly apply: (entries: readonly LogEntry[]) => Promise<void>;
  // Called when the node cannot go on (the log cannot be written); the process must stop.
  readonly onFatal: (error: unknown) => void;
}

export class RaftNode {
  private readonly unpersisted: LogEntry[] = [];
  private flushing: Promise<void> | null = null;
  private applying: Promise<void> = Promise.resolve();
  private readonly applyWaiters = new Map<bigint, () => void>();
  private appliedIndexValue: bigint;
  private ticker: NodeJS.Timeout | null = null;
  private stopped = false;

  private constructor(private readonly core: RaftCore, private readonly log: LogStore, private readonly options: RaftNodeOptions) {
    this.appliedIndexValue = options.appliedIndex;
  }

  static async open(options: RaftNodeOptions): Promise<RaftNode> {
    const { log, entries } = await LogStore.open(options.dir, options.appliedIndex, { appliedTerm: options.appliedTerm });
    const core = new RaftCore(
      // Randomness only spreads election timeouts, which a sole voter does not wait for.
      { id: options.id, voters: [options.id], random: Math.random },
      { hardState: log.readHardState(), lastIndex: log.lastIndex, lastTerm: log.lastTerm, appliedIndex: options.appliedIndex, entries },
    );
    const node = new RaftNode(core, log, options);
    node.tick(); // a single voter elects itself at once; replay of the unapplied tail follows its first commit
    node.ticker = setInterval(() => node.tick(), tickMs);
    node.ticker.unref();
    return node;
  }

  get status(): { readonly role: string; readonly term: bigint; readonly commitIndex: bigint; readonly lastIndex: bigint; readonly appliedIndex: bigint } {
    return { ...this.core.state, appliedIndex: this.appliedIndexValue };
  }

  propose(data: Uint8Array): { index: bigint; applied: Promise<void> } {
    if (this.stopped) throw new TideError('SHUTTING_DOWN', 'the node is shutting down');
    const ready = this.core.step({ kind: 'propose', data });
    if (ready.proposedIndex === null) throw new TideError('NOT_LEADER', 'this node is not the leader');
    const index = ready.proposedIndex;
    const applied = this.waitApplied(index);
    this.handle(ready);
    return { index, applied };
  }

  waitApplied(index: bigint): Promise<void> {
    if (index <= this.appliedIndexValue) return Promise.resolve();
    const existing = this.applyWaiters.get(index);
    if (existing !== undefined) {
      return new Promise((resolve) => this.applyWaiters.set(index, () => (existing(), resolve())));
    }
    return new Promise((resolve) => this.applyWaiters.set(index, resolve));
  }

  // Drops log segments whose entries are all at or below `index`; the caller guarantees their
  // effect is durable elsewhere (in LMDB).
  compactThrough(index: bigint): void {
    assert(index <= this.appliedIndexValue);
    this.log.dropThrough(index);
  }

  // Stops taking proposals, lets the flush in progress finish, and closes the log.
  async close(): Promise<void> {
    this.stopped = true;
    if (this.ticker !== null) clearInterval(this.ticker);
    while (this.flushing !== null) await this.flushing;
    await this.applying;
    await this.log.close();
  }

  private tick(): void {
    this.handle(this.core.step({ kind: 'tick' }));
  }

  private handle(ready: Ready): void {
    assert(ready.messagesToSend.length === 0, 'a single voter has nobody to send to');
    // Persist the term and vote before anything of the new term leaves this node.
    if (ready.hardState !== null) this.log.saveHardState(ready.hardState);
    if (ready.entriesToPersist.length > 0) {
      this.unpersisted.push(...ready.entriesToPersist);
      if (this.flushing === null) this.flushing = this.flushLoop();
    }
    if (ready.entriesToApply.length > 0) this.applyCommitted(ready.entriesToApply);
  }

  // Writes what has queued up, one fsync per round, until the queue is empty.
  private async flushLoop(): Promise<void> {
    try {
      while (this.unpersisted.length > 0) {
        const group = takeGroup(this.unpersisted);
        await this.log.append(group);
        const last = group.at(-1)!;
        this.handle(this.core.step({ kind: 'persisted', index: last.index, term: last.term }));
      }
    } catch (error) {
      this.options.onFatal(error);
    } finally {
      this.flushing = null;
    }
  }

  // Applies run one after another while the next fsync proceeds: the log's flush and the
  // state machine's commit overlap, and neither waits on the other's disk.
  private applyCommitted(entries: readonly LogEntry[]): void {
    this.applying = this.applying.then(() => this.applyInOrder(entries)).catch((error: unknown) => this.options.onFatal(error));
  }

  private async applyInOrder(entries: readonly LogEntry[]): Promise<void> {
    assert(entries[0]!.index === this.appliedIndexValue + 1n);
    await this.options.apply(entries);
    this.appliedIndexValue = entries.at(-1)!.index;
    for (const entry of entries) {
      const waiter = this.applyWaiters.get(entry.index);
      if (waiter !== undefined) {
        this.applyWaiters.delete(entry.index);
        waiter();
      }
    }
  }
}

function takeGroup(queue: LogEntry[]): LogEntry[] {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < entriesPerFlushMax) {
    bytes += queue[count]!.data.length;
    if (count > 0 && bytes > flushBytesMax) break;
    count++;
  }
  return queue.splice(0, count);
}
