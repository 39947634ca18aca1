// What an interactive transaction read from its snapshot, kept so that the leader can tell at
// commit whether any of it changed since (conflict-window.ts). Point reads are row keys; scans
// are key ranges of the rows or of one index, narrowed to what the scan actually passed over (a
// LIMIT 1 over a table records the keys up to its first row, not the table). Keys are the
// store's own (key-codec.ts, index-key.ts): rows and index entries each have one byte order in
// which a table's or an index's keys are contiguous, so a write lies in a range read exactly
// when its key does. The catalog is read as of the snapshot; a table read is noted, so that a
// schema change of it since is a conflict.
import { indexRangeBytes, primaryRangeBytes, wholeIndex } from '../storage/index-key.js';
import type { IndexEntry, IndexRange } from '../storage/index-key.js';
import type { ColumnMask } from '../storage/row-columns.js';
import type { StorageTotals } from '../storage/store.js';
import type { AccountDef, IndexDef, Row, TableDef, ViewDef } from '../storage/types.js';
import type { ReadView } from '../sql/read-view.js';
import type { Collation } from '../values/collation.js';
import { txReadSetEntriesMax } from '../base/limits.js';

// [start, end) in one key space, as bytes.
export interface KeyRange {
  readonly start: Buffer;
  readonly end: Buffer;
}

export class ReadSet {
  // Past this many point keys or ranges of one kind, further reads of a table (or an index) are
  // recorded as all of it, once: the read set stays small to send and to check, at the price of
  // conflicts a finer record would not have had.
  constructor(readonly entriesMax: number = txReadSetEntriesMax) {}
  // Tables and indexes already recorded whole that way, by `tableId` and `tableId/indexId`.
  readonly wholeTables = new Set<number>();
  readonly wholeIndexes = new Set<string>();

  // Row keys read one at a time, as latin1 strings (their bytes, one char each).
  readonly rowKeys = new Set<string>();
  readonly rowRanges: KeyRange[] = [];
  readonly indexRanges: KeyRange[] = [];
  // Ids of the tables whose definitions the transaction used.
  readonly tableIds = new Set<number>();
  // Row keys read by SELECT … FOR UPDATE: at commit they count as written, so a transaction
  // that read them and commits later conflicts (as if this one had updated them).
  readonly lockedRowKeys = new Set<string>();

  size(): number {
    return this.rowKeys.size + this.rowRanges.length + this.indexRanges.length;
  }
}

// Reads a transaction made at an applied index newer than its snapshot: at repeatable-read,
// its writing statements and locking reads read the newest applied state (a current read, as
// InnoDB's UPDATE, DELETE and SELECT … FOR UPDATE do; transaction.ts). They are validated from
// `index` on, not from the snapshot, and so are the rows the transaction first wrote in those
// statements (`writtenRowKeys`): what they wrote was decided on what they read there.
export interface CurrentReads {
  readonly index: bigint;
  readonly reads: ReadSet;
  readonly writtenRowKeys: Set<string>;
}

// Adds `later`'s reads and claimed rows to `earlier`, which keeps its older index: checked from
// there, they meet more writes, never fewer, so the commit stays as safe with fewer read sets.
export function absorbCurrentReads(earlier: CurrentReads, later: CurrentReads): void {
  const [into, from] = [earlier.reads, later.reads];
  for (const key of from.rowKeys) into.rowKeys.add(key);
  for (const key of from.lockedRowKeys) into.lockedRowKeys.add(key);
  for (const id of from.tableIds) into.tableIds.add(id);
  for (const id of from.wholeTables) into.wholeTables.add(id);
  for (const slot of from.wholeIndexes) into.wholeIndexes.add(slot);
  into.rowRanges.push(...from.rowRanges);
  into.indexRanges.push(...from.indexRanges);
  for (const key of later.writtenRowKeys) earlier.writtenRowKeys.add(key);
}

// A ReadView over the transaction's snapshot that records what is read through it into a
// ReadSet. It sits under the transaction's own writes (an OverlayView), so reads answered from
// those are not recorded: the transaction's writes are checked as writes.
export class TrackingView implements ReadView {
  // Set while a SELECT … FOR UPDATE runs: the rows it reads are also locked.
  locking = false;
  // Cleared while a read that is not validated runs (a plain SELECT at repeatable-read,
  // isolation.ts): its rows and ranges are not recorded. The tables it uses always are: a
  // schema change under a transaction is a conflict at every level.
  recording = true;

  constructor(
    private readonly base: ReadView,
    readonly reads: ReadSet,
  ) {}

  table(database: string, name: string): TableDef | undefined {
    const table = this.base.table(database, name);
    if (table !== undefined) this.reads.tableIds.add(table.id);
    return table;
  }

  allTables(): readonly TableDef[] {
    return this.base.allTables();
  }

  createdDatabases(): readonly string[] {
    return this.base.createdDatabases();
  }

  databaseCollation(name: string): Collation {
    return this.base.databaseCollation(name);
  }

  viewDef(database: string, name: string): ViewDef | undefined {
    return this.base.viewDef(database, name);
  }

  allViews(): readonly ViewDef[] {
    return this.base.allViews();
  }

  // Accounts are not data a transaction reads: privileges are checked as statements run.
  account(user: string, host: string): AccountDef | undefined {
    return this.base.account(user, host);
  }

  allAccounts(): readonly AccountDef[] {
    return this.base.allAccounts();
  }

  rowCount(tableId: number): number {
    return this.base.rowCount(tableId);
  }

  tableCreatedAtMs(tableId: number): number | null {
    return this.base.tableCreatedAtMs(tableId);
  }

  storageTotals(): StorageTotals {
    return this.base.storageTotals();
  }

  nextTableId(): number {
    return this.base.nextTableId();
  }

  autoIncrementNext(tableId: number): bigint {
    return this.base.autoIncrementNext(tableId);
  }

  getRow(table: TableDef, key: Buffer): Row | undefined {
    if (!this.recording) return this.base.getRow(table, key);
    const text = key.toString('latin1');
    if (this.reads.rowKeys.size < this.reads.entriesMax) this.reads.rowKeys.add(text);
    else this.wholeTable(table);
    if (this.locking) this.reads.lockedRowKeys.add(text);
    return this.base.getRow(table, key);
  }

  private wholeTable(table: TableDef): void {
    if (this.reads.wholeTables.has(table.id)) return;
    this.reads.wholeTables.add(table.id);
    this.reads.rowRanges.push(primaryRangeBytes(table, wholeIndex));
  }

  // Unrecorded, a scan is the base's own iterable: no generator between it and each row.
  scanRows(table: TableDef, range: IndexRange = wholeIndex, reverse = false, columns?: ColumnMask): Iterable<{ readonly key: Buffer; readonly row: Row }> {
    return this.recording ? this.recordedScanRows(table, range, reverse, columns) : this.base.scanRows(table, range, reverse, columns);
  }

  private *recordedScanRows(table: TableDef, range: IndexRange, reverse: boolean, columns: ColumnMask | undefined): Generator<{ readonly key: Buffer; readonly row: Row }> {
    const bytes = primaryRangeBytes(table, range);
    let last: Buffer | null = null;
    try {
      for (const item of this.base.scanRows(table, range, reverse, columns)) {
        last = item.key;
        if (this.locking) this.reads.lockedRowKeys.add(item.key.toString('latin1'));
        yield item;
      }
      last = null;
    } finally {
      // A scan stopped early saw the keys up to its last one; one run out saw its whole range.
      if (this.reads.rowRanges.length < this.reads.entriesMax) this.reads.rowRanges.push(passedOver(bytes, last, reverse));
      else this.wholeTable(table);
    }
  }

  scanIndex(table: TableDef, index: IndexDef, range: IndexRange, reverse = false): Iterable<IndexEntry> {
    return this.recording ? this.recordedScanIndex(table, index, range, reverse) : this.base.scanIndex(table, index, range, reverse);
  }

  private *recordedScanIndex(table: TableDef, index: IndexDef, range: IndexRange, reverse: boolean): Generator<IndexEntry> {
    const bytes = indexRangeBytes(table, index, range);
    let last: Buffer | null = null;
    try {
      for (const entry of this.base.scanIndex(table, index, range, reverse)) {
        last = entry.key;
        if (this.locking) this.reads.lockedRowKeys.add(entry.rowKey.toString('latin1'));
        yield entry;
      }
      last = null;
    } finally {
      if (this.reads.indexRanges.length < this.reads.entriesMax) this.reads.indexRanges.push(passedOver(bytes, last, reverse));
      else if (!this.reads.wholeIndexes.has(`${table.id}/${index.id}`)) {
        this.reads.wholeIndexes.add(`${table.id}/${index.id}`);
        this.reads.indexRanges.push(indexRangeBytes(table, index, wholeIndex));
      }
    }
  }
}

// The part of [start, end) a scan passed over when it stopped at `last` (null: it ran out).
export function passedOver(range: KeyRange, last: Buffer | null, reverse: boolean): KeyRange {
  if (last === null) return range;
  // Just past `last`: the key itself followed by a zero byte is the first key after it.
  return reverse ? { start: last, end: range.end } : { start: range.start, end: Buffer.concat([last, zeroByte]) };
}

const zeroByte = Buffer.from([0]);
