// The changelog as change streams read it: whole entries (a transaction's changes are never
// split between two reads, so a stream can tell each event how many of its transaction
// follow), and a wake-up when a new entry applies, shared by every stream so that an idle
// stream costs nothing but its place in a list (stream-dispatch.ts).
import { feedReadsCachedMax, streamRecordsPerReadMax } from '../base/limits.js';
import { indexOfLsn, lsnOf } from '../storage/lsn.js';
import type { StoreSnapshot } from '../storage/store.js';
import type { ChangelogRecord, TableDef } from '../storage/types.js';
import { StreamDispatch } from './stream-dispatch.js';

// What the feed needs of the store.
export interface ChangelogSource {
  appliedIndex(): bigint;
  readChanges(fromLsn: bigint, limit: number): ChangelogRecord[];
  tableVersion(id: number, version: number): TableDef | undefined;
  allTables(): readonly TableDef[];
  table(database: string, name: string): TableDef | undefined;
  openSnapshot(): StoreSnapshot;
  changelogPrunedThrough(): bigint;
}

export interface EntryChanges {
  readonly index: bigint;
  readonly records: readonly ChangelogRecord[];
}

export interface FeedRead {
  readonly entries: readonly EntryChanges[];
  // Every change at or below this lsn has been read (entries with no row change included).
  readonly coveredLsn: bigint;
}

// The last lsn an entry's changes can have: a stream positioned here has all of the entry.
export function entryEndLsn(index: bigint): bigint {
  return lsnOf(index + 1n, 0) - 1n;
}

export class ChangeFeed {
  // The streams waiting for the next apply; each of its passes starts by moving the served
  // index up to the applied one.
  readonly dispatch = new StreamDispatch(() => this.serveApplied());
  // Reads serve entries up to this index, moved at the start of a dispatch pass rather than at
  // each apply: every stream in a pass then reads to the same point, so those that kept up stay
  // at one position and share one read, one decoded record and one event, even when applies
  // land while a sliced pass is halfway through. Null until the first pass: the applied index.
  private servedIndexValue: bigint | null = null;
  // Reads at the served index, by position: streams at the same place (most of them, when
  // they keep up) share one read of LMDB and one decoding of its records.
  private readonly reads = new Map<bigint, FeedRead>();

  constructor(readonly source: ChangelogSource) {}

  // Called after each apply: the dispatch will serve it to the waiting streams in its next pass.
  notifyApplied(): void {
    this.dispatch.applied();
  }

  // The last entry streams read up to now. Never behind the applied index for long: every
  // apply asks for a pass, and a pass starts by moving it.
  get servedIndex(): bigint {
    return this.servedIndexValue ?? this.source.appliedIndex();
  }

  private serveApplied(): void {
    this.servedIndexValue = this.source.appliedIndex();
    this.reads.clear();
  }

  // Whether the changes after `afterLsn` are all still kept: false once retention has pruned
  // past it, and a stream there cannot go on without a gap.
  keeps(afterLsn: bigint): boolean {
    return afterLsn >= this.source.changelogPrunedThrough();
  }

  // The entries holding changes after `afterLsn`, whole (those of the entry `afterLsn` is in
  // included, so the caller can count the transaction's events), at most about
  // streamRecordsPerReadMax records unless a single entry has more.
  read(afterLsn: bigint): FeedRead {
    let read = this.reads.get(afterLsn);
    if (read === undefined) {
      read = this.readFromStore(afterLsn);
      // Only the reads of this apply's streams are kept: a handful of positions in practice.
      if (this.reads.size < feedReadsCachedMax) this.reads.set(afterLsn, read);
    }
    return read;
  }

  private readFromStore(afterLsn: bigint): FeedRead {
    const applied = this.servedIndex;
    const firstIndex = indexOfLsn(afterLsn + 1n);
    if (firstIndex > applied) return { entries: [], coveredLsn: afterLsn };
    // The store reads to its own applied index, which an apply since this pass began may have
    // moved past the served one: those entries are the next pass's. Read here, they would go
    // out before the position (the served index) that says they did, and again after it.
    const records = this.source.readChanges(lsnOf(firstIndex, 0), streamRecordsPerReadMax + 1).filter((record) => indexOfLsn(record.lsn) <= applied);
    if (records.length <= streamRecordsPerReadMax) return { entries: groupByEntry(records), coveredLsn: entryEndLsn(applied) };
    // Cut before the last entry read: it may go on past the limit. If it is the only one, read
    // it whole, whatever its size (an entry's changes are bounded by the batch size).
    const lastIndex = indexOfLsn(records.at(-1)!.lsn);
    const complete = records.filter((record) => indexOfLsn(record.lsn) < lastIndex);
    if (complete.length > 0) return { entries: groupByEntry(complete), coveredLsn: entryEndLsn(lastIndex - 1n) };
    return { entries: [{ index: lastIndex, records: this.wholeEntry(lastIndex) }], coveredLsn: entryEndLsn(lastIndex) };
  }

  private wholeEntry(index: bigint): ChangelogRecord[] {
    const records: ChangelogRecord[] = [];
    let from = lsnOf(index, 0);
    for (;;) {
      const chunk = this.source.readChanges(from, streamRecordsPerReadMax);
      for (const record of chunk) {
        if (indexOfLsn(record.lsn) !== index) return records;
        records.push(record);
      }
      if (chunk.length < streamRecordsPerReadMax) return records;
      from = chunk.at(-1)!.lsn + 1n;
    }
  }
}

function groupByEntry(records: readonly ChangelogRecord[]): EntryChanges[] {
  const entries: EntryChanges[] = [];
  for (const record of records) {
    const index = indexOfLsn(record.lsn);
    const last = entries.at(-1);
    if (last !== undefined && last.index === index) (last.records as ChangelogRecord[]).push(record);
    else entries.push({ index, records: [record] });
  }
  return entries;
}
