// Writes the entries each Ready hands out to the log store, one group at a time: entries that
// arrive while a write is on the disk are written together by the next one (group commit), and
// a Ready whose first entry is not past the log's end (a follower's conflicting suffix) cuts
// the log there first. Each group written is reported back, so that the core may acknowledge
// it; nothing is reported before it is durable.
import { assert } from '../../base/assert.js';
import { entriesPerFlushMax, flushBytesMax } from '../../base/limits.js';
import type { LogEntry } from '../core/types.js';
import type { LogStore } from './log-store.js';

export class LogWriter {
  private readonly queue: LogEntry[] = [];
  // The index the queue's first entry follows: the log's last once the write on the disk and
  // any pending cut are done.
  private queueBase: bigint;
  // Where the log must be cut before the queue is written, or null.
  private cutAfter: bigint | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly log: LogStore,
    private readonly onPersisted: (index: bigint, term: bigint) => void,
    private readonly onFatal: (error: unknown) => void,
  ) {
    this.queueBase = log.lastIndex;
  }

  // Queues contiguous entries after the earlier ones; the first may replace queued or written
  // entries from its index on.
  enqueue(entries: readonly LogEntry[]): void {
    const first = entries[0];
    assert(first !== undefined);
    if (first.index <= this.queueBase) {
      const cut = first.index - 1n;
      this.cutAfter = this.cutAfter === null || cut < this.cutAfter ? cut : this.cutAfter;
      this.queueBase = cut;
      this.queue.length = 0;
    } else {
      assert(first.index <= this.queueBase + BigInt(this.queue.length) + 1n, 'entries to persist leave a gap');
      this.queue.length = Number(first.index - this.queueBase - 1n);
    }
    // A loop, not push(...): a Ready may hold more entries than a call may take arguments.
    for (const entry of entries) this.queue.push(entry);
    if (this.flushing === null) this.flushing = this.flushLoop();
  }

  // Replaces the log with an empty one after (index, term), an installed snapshot's end, once
  // the writes queued before are done; what the core hands out next follows it.
  async restartAfter(index: bigint, term: bigint): Promise<void> {
    await this.idle();
    await this.log.restartAfter(index, term);
    this.queueBase = index;
  }

  // Before the state machine installs the snapshot (LogStore.prepareRestart).
  async prepareRestart(index: bigint, term: bigint): Promise<void> {
    await this.idle();
    this.log.prepareRestart(index, term);
  }

  // Resolves once nothing is queued or on the disk.
  async idle(): Promise<void> {
    while (this.flushing !== null) await this.flushing;
  }

  // Cuts where asked, then writes what has queued up, one durable write per round.
  private async flushLoop(): Promise<void> {
    try {
      while (this.cutAfter !== null || this.queue.length > 0) {
        if (this.cutAfter !== null) {
          const cut = this.cutAfter;
          this.cutAfter = null;
          await this.log.truncateAfter(cut);
          continue;
        }
        const group = takeGroup(this.queue);
        this.queueBase = group.at(-1)!.index;
        await this.log.append(group);
        const last = group.at(-1)!;
        this.onPersisted(last.index, last.term);
      }
    } catch (error) {
      this.onFatal(error);
    } finally {
      this.flushing = null;
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
