// The leader's memory of recent writes, by log index, against which an interactive
// transaction is validated at commit (as FoundationDB's resolver keeps recent write sets): it
// commits only if no entry after its snapshot wrote a key it read, a key in a range it read, a
// row it wrote, or changed the schema of a table it used. The window is bounded (entries,
// keys); a snapshot older than its floor cannot be checked and is refused as too old
// (TX_CONFLICT, retriable). Every entry the leader proposes is recorded here with its changes,
// and their keys are computed only when a validation first needs them, so autocommit writes pay
// nothing more while no transaction commits.
import { assert, assertNever } from '../base/assert.js';
import { TideError } from '../base/errors.js';
import { indexEntryOf, inRange } from '../storage/index-key.js';
import { encodeRowKey } from '../storage/key-codec.js';
import { indexesOf } from '../storage/types.js';
import type { BatchChange, TableDef } from '../storage/types.js';
import type { CurrentReads, KeyRange, ReadSet } from './read-set.js';

export type TableVersionLookup = (id: number, version: number) => TableDef | undefined;

// The keys one entry wrote.
export interface WriteSet {
  readonly rowKeys: ReadonlySet<string>;
  readonly indexKeys: readonly Buffer[];
  // Tables whose definition or rows as a whole changed (DDL, TRUNCATE), or whose row changes
  // name a version this node does not know: anything that used them conflicts.
  readonly tableIds: ReadonlySet<number>;
  // A database or view was created or dropped: every transaction conflicts (views and database
  // lists are read without being tracked).
  readonly catalog: boolean;
}

// What a committing transaction is checked on: its reads, and its own writes (a row it wrote
// that someone else wrote since is a lost update), from its snapshot on; and the reads it made
// later than its snapshot, each from its own index on, with the rows it first wrote there.
export interface Validation {
  readonly snapshotIndex: bigint;
  readonly reads: ReadSet;
  readonly writtenRowKeys: ReadonlySet<string>;
  readonly writtenTableIds: ReadonlySet<number>;
  readonly currentReads?: readonly CurrentReads[];
}

interface Recorded {
  readonly index: bigint;
  readonly changes: readonly BatchChange[];
  // Row keys a SELECT … FOR UPDATE of the committed transaction read: written, for this check.
  readonly locked: readonly string[];
  writes: WriteSet | null;
}

export class ConflictWindow {
  private readonly entries: Recorded[] = [];
  private keyCount = 0;
  // Every entry after `floor` that wrote anything is in `entries`; null: not known since the
  // leadership changed (settle() fixes it).
  private floor: bigint | null = null;

  constructor(
    private readonly tableVersion: TableVersionLookup,
    private readonly entriesMax: number,
    private readonly keysMax: number,
  ) {}

  record(index: bigint, changes: readonly BatchChange[], locked: readonly string[] = []): void {
    // The first entry since the leadership changed: a leader proposes only once its term's
    // first entry is applied (the request router waits for it), so every entry before this one
    // is applied, and every one after it will be recorded here.
    if (this.floor === null) this.floor = index - 1n;
    this.entries.push({ index, changes, locked, writes: null });
    this.keyCount += changes.length + locked.length;
    while (this.entries.length > this.entriesMax || (this.keyCount > this.keysMax && this.entries.length > 1)) {
      const oldest = this.entries.shift()!;
      this.keyCount -= oldest.changes.length + oldest.locked.length;
      this.floor = this.floor === null ? null : oldest.index > this.floor ? oldest.index : this.floor;
    }
  }

  // The leadership changed: entries of the old term were recorded by another node, and what
  // this one recorded may never commit. Forget all until settle().
  reset(): void {
    this.entries.length = 0;
    this.keyCount = 0;
    this.floor = null;
  }

  // Called on the leader before a validation, once it has applied its term's first entry:
  // everything up to `appliedIndex` is applied, so only entries proposed since, which are all
  // recorded, lie past it.
  settle(appliedIndex: bigint): void {
    if (this.floor === null) this.floor = appliedIndex;
  }

  floorIndex(): bigint | null {
    return this.floor;
  }

  // Throws TX_CONFLICT when the transaction may not commit.
  validate(validation: Validation): void {
    const { snapshotIndex } = validation;
    if (this.floor === null || snapshotIndex < this.floor) {
      throw new TideError('TX_CONFLICT', `the transaction's snapshot (index ${snapshotIndex}) is older than the writes the leader keeps to check it against (since index ${this.floor ?? 'unknown'}); run it again`);
    }
    const current = validation.currentReads ?? [];
    for (const group of current) assert(group.index >= snapshotIndex, 'a current read older than the snapshot');
    // A row first written in a statement of a current read is checked from that read's index.
    const writtenFromSnapshot = current.length === 0 ? validation.writtenRowKeys : new Set([...validation.writtenRowKeys].filter((key) => !current.some((group) => group.writtenRowKeys.has(key))));
    for (let at = this.firstAfter(snapshotIndex); at < this.entries.length; at++) {
      const entry = this.entries[at]!;
      const writes = (entry.writes ??= writeSetOf(entry.changes, entry.locked, this.tableVersion));
      let clash = firstClash(writes, validation.reads, writtenFromSnapshot, validation.writtenTableIds);
      for (const group of current) {
        if (clash !== null) break;
        if (entry.index > group.index) clash = firstClash(writes, group.reads, group.writtenRowKeys, noTables);
      }
      if (clash !== null) {
        throw new TideError('TX_CONFLICT', `the transaction conflicts with the write committed at index ${entry.index} (${clash}); nothing was written, run it again`);
      }
    }
  }

  // Whether an entry after `index` wrote any of the row keys, changed a table's schema or the
  // catalog; true also when the window cannot tell (the index is older than its floor). A
  // statement that locked those rows after reading them at `index` reads them again if so.
  wroteSince(index: bigint, keys: readonly string[]): boolean {
    if (this.floor === null || index < this.floor) return true;
    for (let at = this.firstAfter(index); at < this.entries.length; at++) {
      const entry = this.entries[at]!;
      const writes = (entry.writes ??= writeSetOf(entry.changes, entry.locked, this.tableVersion));
      if (writes.catalog || writes.tableIds.size > 0 || keys.some((key) => writes.rowKeys.has(key))) return true;
    }
    return false;
  }

  // The position of the first entry past `index`: entries are kept in index order, and a busy
  // leader keeps thousands of them, most older than a committing snapshot.
  private firstAfter(index: bigint): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle]!.index <= index) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

const noTables: ReadonlySet<number> = new Set();

function firstClash(writes: WriteSet, reads: ReadSet, writtenRowKeys: ReadonlySet<string>, writtenTableIds: ReadonlySet<number>): string | null {
  if (writes.catalog) return 'a database or view changed';
  for (const id of writes.tableIds) if (reads.tableIds.has(id) || writtenTableIds.has(id)) return `the schema of table ${id} changed`;
  for (const key of writes.rowKeys) {
    if (reads.rowKeys.has(key) || writtenRowKeys.has(key)) return 'a row it read or wrote';
    if (reads.rowRanges.length > 0) {
      const bytes = Buffer.from(key, 'latin1');
      if (reads.rowRanges.some((range) => within(bytes, range))) return 'a row in a range it read';
    }
  }
  for (const key of writes.indexKeys) if (reads.indexRanges.some((range) => within(key, range))) return 'an index entry in a range it read';
  return null;
}

function within(key: Buffer, range: KeyRange): boolean {
  return inRange(key, range.start, range.end);
}

// The keys an entry's changes wrote: each row change's key and, for each index of its table,
// the entries it removed and added.
export function writeSetOf(changes: readonly BatchChange[], locked: readonly string[], tableVersion: TableVersionLookup): WriteSet {
  const rowKeys = new Set<string>(locked);
  const indexKeys: Buffer[] = [];
  const tableIds = new Set<number>();
  let catalog = false;
  for (const change of changes) {
    switch (change.kind) {
      case 'row': {
        const table = tableVersion(change.tableId, change.schemaVersion);
        if (table === undefined) {
          tableIds.add(change.tableId);
          break;
        }
        rowKeys.add(encodeRowKey(table, (change.after ?? change.before)!).toString('latin1'));
        for (const index of indexesOf(table)) {
          if (change.before !== null) indexKeys.push(indexEntryOf(table, index, change.before).key);
          if (change.after !== null) indexKeys.push(indexEntryOf(table, index, change.after).key);
        }
        break;
      }
      case 'auto_increment':
        // The counter moves through the log; transactions reserve their ids from it.
        break;
      case 'create_table':
        // Nothing could have read a table that did not exist (a name looked up and not found
        // failed the statement).
        break;
      case 'drop_table':
      case 'truncate_table':
      case 'rewritten_row':
        tableIds.add(change.tableId);
        break;
      case 'alter_table':
      case 'create_index':
      case 'drop_index':
        tableIds.add(change.table.id);
        break;
      case 'create_database':
      case 'drop_database':
      case 'create_view':
      case 'drop_view':
        catalog = true;
        break;
      // Accounts and grants are no data a transaction reads or writes: its statements' privileges
      // were checked as they ran.
      case 'put_account':
      case 'drop_account':
        break;
      default:
        assertNever(change);
    }
  }
  return { rowKeys, indexKeys, tableIds, catalog };
}
