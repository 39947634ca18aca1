// The core's log when the driver's log store backs it (etcd-io/raft's unstable + Storage): the
// store holds what is durable, and memory holds only the entries from the first one not yet
// both on disk and applied. So a node keeps in memory what it is about to write and apply, not
// the whole log: a follower far behind is sent entries read back from the store, and a replay
// after a restart reads the unapplied tail from it.
//
// Why entries stay in memory until applied as well as persisted: the apply of a group usually
// follows its fsync at once, so the single-node path hands the state machine the entries it
// just wrote without reading them back from the files.
//
// Below the first held entry the store is the truth: those entries are durable, and either
// applied or (after a restart, until the first append replaces them) read back as they were.
// Entries at or after it may be anywhere between handed out and written; the store may even
// still hold an old suffix there, being cut (log-writer.ts), which is why the held ones win.
import { assert } from '../../base/assert.js';
import type { LogReader } from './log-reader.js';
import type { LogEntry } from './types.js';

// Once this many entries have been forgotten from the front, the array is compacted.
const forgottenEntriesMax = 1_024;

export class StoredLog implements LogReader {
  // held[start] is the entry of index heldFrom; the slots before `start` are forgotten entries,
  // emptied at once so that their data (a big entry's megabytes) is not kept alive until the
  // array is next compacted.
  private held: (LogEntry | undefined)[] = [];
  private start = 0;
  private heldFrom: bigint;
  // The highest index forgotten: applied, so never replaced.
  private forgottenThrough = 0n;

  // The term of the store's last entry at open: the store may not know it when it holds no
  // entry and the state machine did not say (its applied term is unknown).
  private openedLast: { readonly index: bigint; readonly term: bigint };

  constructor(private readonly store: LogReader, lastTerm: bigint) {
    this.heldFrom = store.lastIndex + 1n;
    this.openedLast = { index: store.lastIndex, term: lastTerm };
  }

  get firstIndex(): bigint {
    return this.store.firstIndex < this.heldFrom ? this.store.firstIndex : this.heldFrom;
  }

  get lastIndex(): bigint {
    return this.heldFrom + BigInt(this.held.length - this.start) - 1n;
  }

  get lastTerm(): bigint | undefined {
    return this.term(this.lastIndex);
  }

  term(index: bigint): bigint | undefined {
    if (index > this.lastIndex) return undefined;
    if (index >= this.heldFrom) return this.held[this.start + Number(index - this.heldFrom)]!.term;
    return this.store.term(index) ?? (index === this.openedLast.index ? this.openedLast.term : undefined);
  }

  entries(lo: bigint, hi: bigint, bytesMax: number): readonly LogEntry[] {
    assert(lo >= this.firstIndex, 'entries below the first index');
    assert(lo <= hi);
    assert(hi <= this.lastIndex + 1n, 'entries past the last index');
    const result: LogEntry[] = [];
    let bytes = 0;
    if (lo < this.heldFrom) {
      const storedHi = hi < this.heldFrom ? hi : this.heldFrom;
      for (const entry of this.store.entries(lo, storedHi, bytesMax)) {
        result.push(entry);
        bytes += entry.data.length;
      }
      // The store stopped at the byte bound.
      if (result.length < Number(storedHi - lo)) return result;
    }
    for (let index = lo > this.heldFrom ? lo : this.heldFrom; index < hi; index++) {
      const entry = this.held[this.start + Number(index - this.heldFrom)]!;
      bytes += entry.data.length;
      if (result.length > 0 && bytes > bytesMax) break;
      result.push(entry);
    }
    return result;
  }

  // Appends contiguous entries; the first may replace entries from its index on: held ones, or
  // after a restart stored ones not yet applied (the core never replaces a committed entry).
  // From there on the new entries are held, and the store's old ones are never read again.
  append(entries: readonly LogEntry[]): void {
    const first = entries[0];
    assert(first !== undefined);
    assert(first.index > this.forgottenThrough, 'an applied entry cannot be replaced');
    assert(first.index <= this.lastIndex + 1n, 'append leaves a gap');
    if (first.index < this.heldFrom) {
      this.held = [];
      this.start = 0;
      this.heldFrom = first.index;
    }
    this.held.length = this.start + Number(first.index - this.heldFrom);
    let expected = first.index;
    for (const entry of entries) {
      assert(entry.index === expected++, 'entries must be contiguous');
      this.held.push(entry);
    }
  }

  // Empties the log to go on after (index, term): an installed snapshot replaced it, and the
  // driver emptied the store to restart after `index` before saying so.
  restartAfter(index: bigint, term: bigint): void {
    assert(this.store.lastIndex === index, 'the store must restart after the snapshot');
    this.held = [];
    this.start = 0;
    this.heldFrom = index + 1n;
    this.forgottenThrough = index;
    this.openedLast = { index, term };
  }

  // Forgets the held entries through `index`: the caller knows they are durable in the store
  // (persisted) and applied.
  forgetThrough(index: bigint): void {
    if (index < this.heldFrom) return;
    assert(index <= this.lastIndex);
    assert(index <= this.store.lastIndex, 'forgetting entries the store does not hold');
    const forgotten = this.start;
    this.start += Number(index - this.heldFrom + 1n);
    this.held.fill(undefined, forgotten, this.start);
    this.heldFrom = index + 1n;
    this.forgottenThrough = index;
    if (this.start >= forgottenEntriesMax && this.start * 2 >= this.held.length) {
      this.held = this.held.slice(this.start);
      this.start = 0;
    }
  }
}
