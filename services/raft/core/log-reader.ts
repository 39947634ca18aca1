// The core reads its log only through LogReader, the small interface the driver's log store can
// implement later (as etcd-io/raft's Storage), so that entries need not stay in memory until
// sent or applied. MemoryLog implements it for the core today and for tests.
import { assert } from '../../base/assert.js';
import type { LogEntry } from './types.js';

export interface LogReader {
  // The first index held. Entries below it were compacted or never handed to the core; the
  // term of firstIndex - 1 may still be known (see term()).
  readonly firstIndex: bigint;
  // The last index held; firstIndex - 1 when the log holds nothing.
  readonly lastIndex: bigint;
  // The term of the entry at `index`, for firstIndex - 1 <= index <= lastIndex; undefined
  // outside that range, and at firstIndex - 1 when that entry's term is unknown.
  term(index: bigint): bigint | undefined;
  // Entries in [lo, hi), firstIndex <= lo <= hi <= lastIndex + 1: the first always (when
  // lo < hi), then as many more as keep the total of their data within `bytesMax`. The caller
  // must not mutate them.
  entries(lo: bigint, hi: bigint, bytesMax: number): readonly LogEntry[];
}

export class MemoryLog implements LogReader {
  private held: LogEntry[];
  // The entry just before the first held: its index, and its term when known.
  private baseIndex: bigint;
  private baseTerm: bigint | undefined;

  // `entries` must be contiguous and follow `baseIndex`.
  constructor(baseIndex: bigint, baseTerm: bigint | undefined, entries: readonly LogEntry[]) {
    this.baseIndex = baseIndex;
    this.baseTerm = baseIndex === 0n ? 0n : baseTerm;
    this.held = [];
    if (entries.length > 0) this.append(entries);
  }

  get firstIndex(): bigint {
    return this.baseIndex + 1n;
  }

  get lastIndex(): bigint {
    return this.baseIndex + BigInt(this.held.length);
  }

  get lastTerm(): bigint | undefined {
    return this.term(this.lastIndex);
  }

  term(index: bigint): bigint | undefined {
    if (index === this.baseIndex) return this.baseTerm;
    if (index < this.baseIndex || index > this.lastIndex) return undefined;
    return this.held[Number(index - this.baseIndex - 1n)]!.term;
  }

  entries(lo: bigint, hi: bigint, bytesMax: number): readonly LogEntry[] {
    assert(lo >= this.firstIndex, 'entries below the first index');
    assert(lo <= hi);
    assert(hi <= this.lastIndex + 1n, 'entries past the last index');
    const start = Number(lo - this.baseIndex - 1n);
    const end = Number(hi - this.baseIndex - 1n);
    let bytes = 0;
    let at = start;
    for (; at < end; at++) {
      bytes += this.held[at]!.data.length;
      if (at > start && bytes > bytesMax) break;
    }
    return this.held.slice(start, at);
  }

  // Appends contiguous entries; the first may replace the held suffix from its index on.
  append(entries: readonly LogEntry[]): void {
    const first = entries[0];
    assert(first !== undefined);
    assert(first.index > this.baseIndex, 'append below the first index');
    assert(first.index <= this.lastIndex + 1n, 'append leaves a gap');
    this.held.length = Number(first.index - this.baseIndex - 1n);
    let expected = first.index;
    for (const entry of entries) {
      assert(entry.index === expected++, 'entries must be contiguous');
      this.held.push(entry);
    }
  }

  // Empties the log to go on after (index, term): an installed snapshot replaced it.
  restartAfter(index: bigint, term: bigint): void {
    this.held = [];
    this.baseIndex = index;
    this.baseTerm = term;
  }

  // Forgets the entries through `index`, keeping that entry's term as the new base.
  compactThrough(index: bigint): void {
    if (index <= this.baseIndex) return;
    assert(index <= this.lastIndex);
    const term = this.term(index);
    this.held = this.held.slice(Number(index - this.baseIndex));
    this.baseIndex = index;
    this.baseTerm = term;
  }
}
