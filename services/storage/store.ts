// The node's materialized state in LMDB: catalog, rows, changelog and the applied index.
// Only `apply` writes replicated state, and it writes each entry's effect and the applied
// index in one LMDB transaction, so after any crash the store holds exactly a prefix of the
// log and replay resumes at appliedIndex + 1 (nothing twice, nothing skipped).
import { open } from 'lmdb';
import type { Database, RootDatabase, Transaction } from 'lmdb';
import { AssertionError, assert, assertNever } from '../base/assert.js';
import { changesPerSyncApplyMax, indexBuildChunkEntries, lmdbReadersMax } from '../base/limits.js';
import { runSliced, runToEnd, TimeSlice } from '../base/time-slice.js';
import { mapIterable } from '../base/iterables.js';
import type { Steps } from '../base/time-slice.js';
import type { Collation } from '../values/collation.js';
import { decodeBatchHeader, decodeChanges } from './batch-codec.js';
import type { BatchHeader } from './batch-codec.js';
import { encodeChangeRecord, encodeDdlRecord, restoreChangeRecord, unpackChangeRecord } from './changelog-codec.js';
import type { UnpackedChangeRecord } from './changelog-codec.js';
import { checkDataDirFormat, dataFormatVersion, formatVersionKey } from './data-dir-format.js';
import { afterPrefix, indexEntryOf, indexPrefix, indexRangeBytes, primaryRangeBytes, wholeIndex } from './index-key.js';
import type { IndexEntry, IndexRange } from './index-key.js';
import { encodeRowKey, tableEnd, tablePrefix } from './key-codec.js';
import { lsnOf } from './lsn.js';
import { decodeStoredRow, encodeRow, packr, reshapeRow, restoreStoredRow, rowVersion, sameColumnLayout, sharedBytesEncoding, storedRowEncoding } from './row-codec.js';
import { decodeRowColumns } from './row-columns.js';
import type { ColumnMask } from './row-columns.js';
import type { StoredRow } from './row-codec.js';
import { copyDataFileAtSyncForTests, readMetaPages, removeCheckpoint, restoreCheckpoint, syncDataFile, syncDataFileNow, writeCheckpoint, writeCheckpointNow } from './lmdb-checkpoint.js';
import type { CheckpointRecord } from './lmdb-checkpoint.js';
import { decodeSnapshotChunk, isReplicatedMetaKey, StateSnapshotReader } from './state-snapshot.js';
import { indexesOf, makesChangelogRecord, qualifiedName } from './types.js';
import type { AccountDef, ChangelogRecord, ColumnDef, DdlChange, IndexDef, Row, TableDef, ViewDef } from './types.js';

// One committed Raft entry, as apply receives it (the Raft log's entries have this shape): a
// 'batch' entry carries an encoded change batch, decoded against the catalog as it stands when
// the entry applies; a 'noop' entry (a new leader's first) carries nothing to apply, nor does
// a 'config' entry (a membership change: the Raft node keeps the configuration itself).
export interface AppliedEntry {
  readonly index: bigint;
  // Kept beside the applied index, so that a Raft log that starts after it knows the term of
  // the entry just before its first (which a follower's log check asks for).
  readonly term: bigint;
  readonly kind: 'noop' | 'batch' | 'config';
  readonly data: Uint8Array;
}

// A table as the catalog keeps it: every version of its definition, and whether it was dropped.
interface CatalogTable {
  // versions[v - 1] is version v; the last is the current one.
  readonly versions: readonly TableDef[];
  readonly dropped: boolean;
}

// The catalog's per-table state record (key: the table id alone); the definitions are keyed
// (table id, version) and never change once written.
interface TableState {
  readonly version: number;
  readonly dropped: boolean;
}

const knownDatabases: readonly string[] = ['meta', 'local', 'catalog', 'rows', 'changelog', 'indexes'];
const metaAppliedIndex = 'applied_index';
const localChangelogPrunedThrough = 'changelog_pruned_through';
// The applied index of the last snapshot installed here (the changelog has no records for the
// entries it covered).
const localSnapshotInstalledIndex = 'snapshot_installed_index';
const metaAppliedTerm = 'applied_term';
// Moves with every applied entry that changes the catalog (not with rows or auto-increment
// counters, which readers read where they are kept): a reader in another process
// (Store.openReader) reloads its catalog when it sees it move.
const localCatalogGeneration = 'catalog_generation';
const metaNextTableId = 'next_table_id';
const firstTableId = 1;

// The sizes and counts a table's size estimate is a share of (sql/table-statistics.ts).
export interface StorageTotals {
  readonly rowBytes: number;
  readonly indexBytes: number;
  readonly rows: number;
  readonly indexEntries: number;
}

// Rows and changelog as of one applied index; see Store.openSnapshot.
export interface StoreSnapshot {
  readonly appliedIndex: bigint;
  scanRows(table: TableDef): Generator<{ key: Buffer; row: Row }>;
  // The rows after `afterKey` (all of them with null), in key order.
  scanRowsAfter(table: TableDef, afterKey: Buffer | null): Generator<{ key: Buffer; row: Row }>;
  // Changes with lsn >= fromLsn of entries up to appliedIndex, at most `limit`.
  readChanges(fromLsn: bigint, limit: number): ChangelogRecord[];
  done(): void;
}

// A read view (sql/read-view.ts has the contract) of one applied index; see Store.openReadView.
export interface StoreReadView {
  readonly appliedIndex: bigint;
  // The catalog epoch (Store.catalogEpoch) its catalog is of: plans made for one view of an
  // epoch hold for any other (sql/plan-cache.ts).
  readonly catalogEpoch: number;
  table(database: string, name: string): TableDef | undefined;
  allTables(): readonly TableDef[];
  createdDatabases(): readonly string[];
  databaseCollation(name: string): Collation;
  viewDef(database: string, name: string): ViewDef | undefined;
  allViews(): readonly ViewDef[];
  account(user: string, host: string): AccountDef | undefined;
  allAccounts(): readonly AccountDef[];
  rowCount(tableId: number): number;
  tableCreatedAtMs(tableId: number): number | null;
  storageTotals(): StorageTotals;
  nextTableId(): number;
  autoIncrementNext(tableId: number): bigint;
  getRow(table: TableDef, key: Buffer): Row | undefined;
  scanRows(table: TableDef, range?: IndexRange, reverse?: boolean, columns?: ColumnMask): Iterable<{ key: Buffer; row: Row }>;
  scanIndex(table: TableDef, index: IndexDef, range: IndexRange, reverse?: boolean): Generator<IndexEntry>;
  done(): void;
}

// How the changelog's reader opens it: lmdb-js hands this decoder each record's bytes where
// they lie in its shared read buffer, and they are unpacked there (binary values copied out)
// before the next read overwrites them. A binary handle copies every record into a buffer of
// its own first: a third of the buffers the Kafka publisher allocated, and their garbage.
const changelogReading = {
  // lmdb-js passes the record's length (its buffer is longer); reads other than ranges pass options.
  decode: (bytes: Uint8Array, size?: unknown): UnpackedChangeRecord => unpackChangeRecord(bytes, typeof size === 'number' ? size : bytes.length),
  encode: (): never => {
    throw new AssertionError('the changelog is written through its binary handle');
  },
  // lmdb-js's own word for "copies what it keeps": the read buffer may be reused.
  needsStableBuffer: false,
};

export class Store {
  private readonly root: RootDatabase;
  private readonly meta: Database<unknown, string>;
  private readonly catalog: Database<Buffer, Buffer>;
  private readonly rows: Database<Buffer, Buffer>;
  // The same rows, read without a copy per row (row-codec.ts, storedRowEncoding); reads only.
  private readonly rowReader: Database<StoredRow, Buffer>;
  // The same rows as LMDB's shared read buffer holds them, valid until the next read: for a scan
  // that decodes some of each row's columns at once (row-columns.ts); reads only.
  private readonly rowBytes: Database<Buffer, Buffer>;
  private readonly changelog: Database<Buffer, Buffer>;
  // The same records, read: see changelogReading.
  private readonly changelogRecords: Database<UnpackedChangeRecord, Buffer>;
  // Secondary index entries (index-key.ts): key → the row's key in `rows`.
  private readonly indexes: Database<Buffer, Buffer>;
  // Node-local state that is not replicated (e.g. the Kafka checkpoint).
  private readonly local: Database<unknown, string>;

  private readonly tablesById = new Map<number, CatalogTable>();
  private readonly liveTableIds = new Map<string, number>();
  private readonly createdDatabaseNames = new Set<string>();
  // Created databases whose default collation is not utf8mb4_bin.
  private readonly databaseCollations = new Map<string, Collation>();
  private readonly viewsByName = new Map<string, ViewDef>();
  // Accounts by `accountName` (user and host).
  private readonly accountsByName = new Map<string, AccountDef>();
  // Rows of each live table, kept in replicated meta by apply (`row_count.<id>`).
  private readonly rowCounts = new Map<number, number>();
  // The leader's clock in the batch that created each live table (`created_at.<id>`).
  private readonly createdAtMsById = new Map<number, number>();
  private appliedIndexValue: bigint;
  // Moves whenever the catalog may change: a change other than a row's applying (before and
  // after it), a snapshot installing. Plans made against one value hold while it stands
  // (sql/plan-cache.ts).
  private catalogEpochValue = 0;
  private autoIncrements = new Map<number, bigint>();
  private catalogGeneration: number;
  private applyingValue: Promise<void> | null = null;
  // Checkpoints (lmdb-checkpoint.ts): the applied index of the last one, the read transaction
  // that keeps its tree's pages from being reused until the next one is recorded, the one
  // running (they run one at a time) and the timer that starts them.
  private checkpointedIndexValue = 0n;
  private checkpointHeld: Transaction | null = null;
  private checkpointRunning: Promise<bigint> | null = null;
  private checkpointTimer: NodeJS.Timeout | null = null;
  private readonly pageSize: number;

  private constructor(
    readonly path: string,
    // A reader (openReader): another process owns the directory and applies; this one reads.
    private readonly readOnly = false,
  ) {
    // After an unclean stop the file may be damaged, not merely behind (pages of unsynced
    // commits missing under a meta page that reached the disk): LMDB goes back to the last
    // checkpoint before it opens, and the Raft log replays from its applied index. A reader
    // opens what its owner already restored.
    const restored = readOnly ? null : restoreCheckpoint(path);
    this.root = open({
      path,
      readOnly,
      maxDbs: 8,
      // The Raft log is the durable record and the only flush per commit: LMDB commits without
      // syncing and is synced at checkpoints (storage/DESIGN.md, *Durability: checkpoints*). Not
      // lmdb-js's overlappingSync, which still syncs after every commit (off the loop).
      noSync: true,
      overlappingSync: false,
      noMemInit: true,
      // Interactive transactions each hold a reader slot while open (base/limits.ts).
      maxReaders: lmdbReadersMax,
    });
    this.pageSize = (this.root.getStats() as { pageSize: number }).pageSize;
    const binary = { keyEncoding: 'binary', encoding: 'binary' } as const;
    // Which sub-databases existed before this open: a directory from another format may have
    // ones this build never opens.
    const existing = [...this.root.getKeys({})].map(String);
    this.meta = this.root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
    this.local = this.root.openDB<unknown, string>({ name: 'local', encoding: 'msgpack' });
    this.catalog = this.root.openDB<Buffer, Buffer>({ name: 'catalog', ...binary });
    this.rows = this.root.openDB<Buffer, Buffer>({ name: 'rows', ...binary });
    // lmdb-js takes an `encoder` per database (its README), which its types leave out.
    const rowReaderOptions = { name: 'rows', keyEncoding: 'binary', encoder: storedRowEncoding } as const;
    this.rowReader = this.root.openDB<StoredRow, Buffer>(rowReaderOptions);
    const rowBytesOptions = { ...rowReaderOptions, encoder: sharedBytesEncoding } as const;
    this.rowBytes = this.root.openDB<Buffer, Buffer>(rowBytesOptions);
    this.changelog = this.root.openDB<Buffer, Buffer>({ name: 'changelog', ...binary });
    // lmdb-js takes `encoder` for a database too (its types list it for the root alone).
    const readingOptions = { name: 'changelog', keyEncoding: 'binary', encoder: changelogReading } as const;
    this.changelogRecords = this.root.openDB<UnpackedChangeRecord, Buffer>(readingOptions);
    this.indexes = this.root.openDB<Buffer, Buffer>({ name: 'indexes', ...binary });
    const known = [this.meta, this.local, this.catalog, this.rows, this.changelog, this.indexes];
    // Before anything is decoded: a directory of another format would be misread.
    const empty = existing.every((name) => knownDatabases.includes(name)) && known.every((db) => isEmpty(db));
    let format: 'stamp' | 'open' | 'upgrade';
    try {
      format = checkDataDirFormat(path, { stamp: this.meta.get(formatVersionKey), empty });
      if (readOnly && format !== 'open') throw new Error(`LMDB at ${path} is not ready to read: its owner has not opened it in this build's format`);
      if (format === 'stamp') this.meta.putSync(formatVersionKey, dataFormatVersion);
    } catch (error) {
      void this.root.close().catch(() => undefined);
      throw error;
    }
    this.appliedIndexValue = this.readBigint(metaAppliedIndex) ?? 0n;
    if (restored !== null && restored.appliedIndex !== this.appliedIndexValue) {
      void this.root.close().catch(() => undefined);
      throw new Error(`LMDB at ${path} holds applied index ${this.appliedIndexValue} after going back to its checkpoint, which recorded ${restored.appliedIndex}`);
    }
    this.catalogGeneration = Number(this.local.get(localCatalogGeneration) ?? 0);
    this.loadCatalog();
    if (readOnly) return;
    if (format === 'upgrade') this.upgradeFormat();
    // So that there is always a checkpoint to go back to while the store is open.
    const held = this.root.useReadTransaction();
    const record = this.checkpointRecord();
    syncDataFileNow(path);
    copyDataFileAtSyncForTests(path);
    writeCheckpointNow(path, record);
    this.checkpointed(held, record.appliedIndex);
  }

  // --- checkpoints --------------------------------------------------------------------------

  // The applied index of the last checkpoint: LMDB's state is durable through it, whatever
  // happens to the file after, so the Raft log may be compacted up to it and no further.
  checkpointedIndex(): bigint {
    return this.checkpointedIndexValue;
  }

  // Syncs LMDB and records its meta pages as the state an unclean stop goes back to; resolves
  // with that state's applied index. One at a time: a call while one runs waits for it and
  // starts another, so what is applied when it is called is covered. Blocks the loop only for
  // a read of two pages under LMDB's write lock; the sync and the record's writes run off it.
  async checkpoint(): Promise<bigint> {
    while (this.checkpointRunning !== null) await this.checkpointRunning.catch(() => undefined);
    const running = this.runCheckpoint();
    this.checkpointRunning = running;
    try {
      return await running;
    } finally {
      this.checkpointRunning = null;
    }
  }

  // Checkpoints every `intervalMs` until close; a failure (a sync that fails) goes to
  // `onFailure`, which should stop the node, as a failed log write does.
  startCheckpoints(intervalMs: number, onFailure: (error: unknown) => void): void {
    assert(this.checkpointTimer === null);
    this.checkpointTimer = setInterval(() => {
      if (this.checkpointRunning === null) this.checkpoint().catch(onFailure);
    }, intervalMs);
    this.checkpointTimer.unref();
  }

  private async runCheckpoint(): Promise<bigint> {
    // A sliced apply holds LMDB's write transaction open across turns of the loop: the meta
    // pages are read between entries, never inside one.
    for (let applying = this.applyingValue; applying !== null; applying = this.applyingValue) await applying.catch(() => undefined);
    // Taken before the meta pages are read, so it is at that state or older: either way no page
    // reachable from that state's tree can be reused while it is held (storage/DESIGN.md).
    const held = this.root.useReadTransaction();
    let record: CheckpointRecord;
    try {
      record = this.checkpointRecord();
      await syncDataFile(this.path);
      copyDataFileAtSyncForTests(this.path);
      await writeCheckpoint(this.path, record);
    } catch (error) {
      held.done();
      throw error;
    }
    this.checkpointed(held, record.appliedIndex);
    return record.appliedIndex;
  }

  // The meta pages and applied index of the newest commit, read in a write transaction that
  // writes nothing: it holds the write lock, so no commit moves them meanwhile (an empty
  // transaction writes no meta page when it ends).
  private checkpointRecord(): CheckpointRecord {
    return this.root.transactionSync(() => ({ pageSize: this.pageSize, appliedIndex: this.readBigint(metaAppliedIndex) ?? 0n, metaPages: readMetaPages(this.path, this.pageSize) }));
  }

  // The new checkpoint is on disk: the previous one's pages may be reused from now on.
  private checkpointed(held: Transaction, appliedIndex: bigint): void {
    this.checkpointHeld?.done();
    this.checkpointHeld = held;
    assert(appliedIndex >= this.checkpointedIndexValue);
    this.checkpointedIndexValue = appliedIndex;
  }

  // Format 2 or 3 → 4 (data-dir-format.ts): neither has accounts, and a format 2 directory has
  // no views and no row counts, so the counts are taken once, by counting each live table's
  // keys (a format 3 directory's come out as they were), and the stamp moves in the same
  // transaction. Every replica counts the same rows at the same applied index, so the
  // counts are what apply would have kept.
  private upgradeFormat(): void {
    this.root.transactionSync(() => {
      for (const id of this.liveTableIds.values()) {
        const count = this.rows.getKeysCount({ start: tablePrefix(id), end: tableEnd(id) });
        this.rowCounts.set(id, count);
        this.meta.putSync(rowCountKey(id), count);
      }
      this.meta.putSync(formatVersionKey, dataFormatVersion);
    });
  }

  // Throws DataDirFormatError, having closed what it opened, when the directory holds data of
  // another format.
  static open(path: string): Store {
    return new Store(path);
  }

  // A read-only store over a directory that a running node in another process owns and
  // applies to: what the node's session processes read from (session-processes/DESIGN.md). It
  // never writes; `refresh` moves it to the owner's newest commit.
  static openReader(path: string): Store {
    return new Store(path, true);
  }

  // A reader's step to the newest commit in the file: later reads see every entry its owner
  // had applied when this was called (an LMDB commit is visible to other processes as it
  // returns), with the catalog they were applied to.
  refresh(): void {
    assert(this.readOnly, 'refresh of the store that applies');
    this.root.resetReadTxn();
    this.appliedIndexValue = this.readBigint(metaAppliedIndex) ?? 0n;
    // Compared whatever the applied index: both are read in one read transaction.
    const generation = Number(this.local.get(localCatalogGeneration) ?? 0);
    if (generation !== this.catalogGeneration) this.reloadCatalog(generation);
  }

  // The in-memory catalog again from LMDB, as of `generation` (a reader's refresh, a snapshot
  // installed).
  private reloadCatalog(generation: number): void {
    this.catalogGeneration = generation;
    this.tablesById.clear();
    this.liveTableIds.clear();
    this.viewsByName.clear();
    this.accountsByName.clear();
    this.rowCounts.clear();
    this.createdAtMsById.clear();
    this.autoIncrements = new Map();
    this.loadCatalog();
  }

  // A clean stop: everything committed is synced and the checkpoint record removed, so the next
  // open takes LMDB as it is.
  async close(): Promise<void> {
    if (this.readOnly) return this.root.close();
    if (this.checkpointTimer !== null) clearInterval(this.checkpointTimer);
    this.checkpointTimer = null;
    await this.checkpointRunning?.catch(() => undefined);
    this.checkpointHeld?.done();
    this.checkpointHeld = null;
    await this.root.close();
    syncDataFileNow(this.path);
    removeCheckpoint(this.path);
  }

  catalogEpoch(): number {
    return this.catalogEpochValue;
  }

  appliedIndex(): bigint {
    return this.appliedIndexValue;
  }

  // The term of the entry at the applied index: 0 before any entry, undefined when it was
  // applied by a version that did not keep it (until the next apply).
  appliedTerm(): bigint | undefined {
    if (this.appliedIndexValue === 0n) return 0n;
    return this.readBigint(metaAppliedTerm);
  }

  // --- catalog --------------------------------------------------------------------------

  // The current version of a live table.
  table(database: string, name: string): TableDef | undefined {
    const id = this.liveTableIds.get(qualifiedName(database, name));
    return id === undefined ? undefined : this.tableById(id);
  }

  // The current version of every table ever created, dropped ones too: changelog records and
  // schema ids outlive them.
  tableById(id: number): TableDef | undefined {
    return this.tablesById.get(id)?.versions.at(-1);
  }

  // One version of a table's definition, of any table ever created.
  tableVersion(id: number, version: number): TableDef | undefined {
    return Number.isInteger(version) && version >= 1 ? this.tablesById.get(id)?.versions[version - 1] : undefined;
  }

  // Current versions, in id order.
  allTables(): readonly TableDef[] {
    return [...this.tablesById.values()].map((record) => record.versions.at(-1)!).sort((a, b) => a.id - b.id);
  }

  // Databases made by CREATE DATABASE and not dropped, sorted (a table's database exists
  // without one: see sql/show.ts).
  createdDatabases(): readonly string[] {
    return [...this.createdDatabaseNames].sort();
  }

  // A created database's default collation; utf8mb4_bin for any other name.
  databaseCollation(name: string): Collation {
    return this.databaseCollations.get(name) ?? 'utf8mb4_bin';
  }

  // An account by its exact user and host pattern.
  account(user: string, host: string): AccountDef | undefined {
    return this.accountsByName.get(accountName(user, host));
  }

  // Every account, by user then host.
  allAccounts(): readonly AccountDef[] {
    return [...this.accountsByName.values()].sort(compareAccounts);
  }

  // A live view by name.
  viewDef(database: string, name: string): ViewDef | undefined {
    return this.viewsByName.get(qualifiedName(database, name));
  }

  // Live views, by database and name.
  allViews(): readonly ViewDef[] {
    return [...this.viewsByName.values()].sort(compareViews);
  }

  // The rows of a live table (0 for any other id): kept by apply, never counted by a scan.
  rowCount(tableId: number): number {
    // A reader's counts would be stale at once: it reads them where apply keeps them.
    if (this.readOnly) return this.liveTable(tableId) === undefined ? 0 : Number(this.meta.get(rowCountKey(tableId)) ?? 0);
    return this.rowCounts.get(tableId) ?? 0;
  }

  // When the batch that created a live table was proposed (the leader's clock), if known: tables
  // created before format 3 have no time.
  tableCreatedAtMs(tableId: number): number | null {
    return this.createdAtMsById.get(tableId) ?? null;
  }

  // What the rows and index entries of all tables take on disk, and how many there are: the
  // base of each table's size estimate (sql/table-statistics.ts).
  storageTotals(): StorageTotals {
    let rows = 0;
    let indexEntries = 0;
    for (const id of this.readOnly ? this.liveTableIds.values() : this.rowCounts.keys()) {
      const count = this.rowCount(id);
      rows += count;
      indexEntries += count * indexesOf(this.tableById(id)!).length;
    }
    return { rowBytes: pagesBytes(this.rows), indexBytes: pagesBytes(this.indexes), rows, indexEntries };
  }

  nextTableId(): number {
    const next = this.meta.get(metaNextTableId);
    return typeof next === 'number' ? next : firstTableId;
  }

  autoIncrementNext(tableId: number): bigint {
    if (this.readOnly) return this.readBigint(autoIncrementKey(tableId)) ?? 1n;
    return this.autoIncrements.get(tableId) ?? 1n;
  }

  // --- rows -------------------------------------------------------------------------------

  // Rows come back in the shape of `table`, the version the reader works in, whichever version
  // wrote them.
  getRow(table: TableDef, key: Buffer): Row | undefined {
    const stored = this.rowReader.get(key);
    return stored === undefined ? undefined : this.restoreRow(table, stored);
  }

  // The rows whose primary key lies in `range` (bounds on a prefix of its parts), in key order,
  // or in reverse. With `columns`, only those columns' values are read; the others are null.
  scanRows(table: TableDef, range: IndexRange = wholeIndex, reverse = false, columns?: ColumnMask): Iterable<{ key: Buffer; row: Row }> {
    return this.rowsInRange(table, range, reverse, columns);
  }

  private rowsInRange(table: TableDef, range: IndexRange, reverse: boolean, columns: ColumnMask | undefined, transaction?: Transaction): Iterable<{ key: Buffer; row: Row }> {
    const { start, end } = primaryRangeBytes(table, range);
    if (columns === undefined) return mapIterable(rangeOf(this.rowReader, start, end, reverse, transaction), ({ key, value }) => ({ key, row: this.restoreRow(table, value) }));
    return mapIterable(rangeOf(this.rowBytes, start, end, reverse, transaction), ({ key, value }) => ({ key, row: this.restoreColumns(table, value, columns) }));
  }

  // The `columns` of a row from LMDB's shared buffer, read before anything else reads LMDB. A row
  // of an older version laid out as `table`'s is read by the version that wrote it.
  private restoreColumns(table: TableDef, bytes: Buffer, columns: ColumnMask): Row {
    const version = rowVersion(bytes);
    const writer = version === table.version ? table : this.tableVersion(table.id, version);
    const decoded = writer !== undefined && sameColumnLayout(writer, table) ? decodeRowColumns(writer, bytes, columns) : undefined;
    return decoded ?? this.restoreRow(table, decodeStoredRow(bytes));
  }

  // A consistent view of the rows and the changelog as of one applied index, for as long as the
  // caller needs it (a change stream's snapshot reads a whole table across many turns of the
  // loop while entries keep applying; the Kafka publisher's initial snapshot reads its chunks
  // so). It is an LMDB read transaction: it sees only committed state — never the slices of an
  // entry still applying — and the applied index committed with it. The caller must call
  // done(): an open read transaction keeps LMDB from reusing pages.
  openSnapshot(): StoreSnapshot {
    const transaction = this.root.useReadTransaction();
    const applied = this.meta.get(metaAppliedIndex, { transaction });
    assert(applied === undefined || typeof applied === 'bigint' || typeof applied === 'number');
    const appliedIndex = applied === undefined ? 0n : BigInt(applied);
    const store = this;
    function* scanRowsAfter(table: TableDef, afterKey: Buffer | null): Generator<{ key: Buffer; row: Row }> {
      for (const { key, value } of store.rowReader.getRange({ start: afterKey ?? tablePrefix(table.id), end: tableEnd(table.id), transaction })) {
        if (afterKey !== null && key.equals(afterKey)) continue;
        yield { key, row: store.restoreRow(table, value) };
      }
    }
    return {
      appliedIndex,
      scanRows: (table) => scanRowsAfter(table, null),
      scanRowsAfter,
      readChanges: (fromLsn, limit) => this.readChangesThrough(appliedIndex, fromLsn, limit, transaction),
      done: () => transaction.done(),
    };
  }

  // The catalog and rows as of the applied index, for as long as an interactive transaction
  // reads them (write/transaction.ts): rows and index entries through one LMDB read
  // transaction, the catalog as it stands now, copied. The caller must not call it while an
  // apply is under way (`applying()`), when the in-memory catalog and the committed rows may
  // disagree, and must call done(): the read transaction pins LMDB pages.
  openReadView(): StoreReadView {
    assert(this.applyingValue === null, 'a read view opened while an entry applies');
    let transaction: Transaction;
    let appliedIndex: bigint;
    // A reader's owner may commit between its refresh and the read transaction: it tries again.
    for (;;) {
      if (this.readOnly) this.refresh();
      transaction = this.root.useReadTransaction();
      const applied = this.meta.get(metaAppliedIndex, { transaction });
      assert(applied === undefined || typeof applied === 'bigint' || typeof applied === 'number');
      appliedIndex = applied === undefined ? 0n : BigInt(applied);
      if (appliedIndex === this.appliedIndexValue) break;
      assert(this.readOnly, 'the catalog and the rows are of one applied index');
      transaction.done();
    }
    const store = this;
    const live = new Map<string, TableDef>();
    for (const [name, id] of this.liveTableIds) live.set(name, this.tableById(id)!);
    const tables = this.allTables();
    const databases = this.createdDatabases();
    const databaseCollations = new Map(this.databaseCollations);
    const views = this.allViews();
    const nextTableId = this.nextTableId();
    const autoIncrements = new Map(this.autoIncrements);
    let open = true;
    return {
      appliedIndex,
      catalogEpoch: this.catalogEpochValue,
      table: (database, name) => live.get(qualifiedName(database, name)),
      allTables: () => tables,
      createdDatabases: () => databases,
      databaseCollation: (name) => databaseCollations.get(name) ?? 'utf8mb4_bin',
      viewDef: (database, name) => views.find((view) => view.database === database && view.name === name),
      allViews: () => views,
      // Accounts as they are now, not as of the snapshot: a privilege revoked meanwhile counts
      // for the statements still to run.
      account: (user, host) => this.account(user, host),
      allAccounts: () => this.allAccounts(),
      // Estimates only (the planner's costs, SHOW TABLE STATUS): read as they are now.
      rowCount: (tableId) => this.rowCount(tableId),
      tableCreatedAtMs: (tableId) => this.tableCreatedAtMs(tableId),
      storageTotals: () => this.storageTotals(),
      nextTableId: () => nextTableId,
      autoIncrementNext: (tableId) => (this.readOnly ? readBigintIn(this.meta, autoIncrementKey(tableId), transaction) : autoIncrements.get(tableId)) ?? 1n,
      getRow(table, key) {
        assert(open, 'a read view used after done()');
        const stored = store.rowReader.get(key, { transaction });
        return stored === undefined ? undefined : store.restoreRow(table, stored);
      },
      scanRows(table, range = wholeIndex, reverse = false, columns) {
        assert(open, 'a read view used after done()');
        return store.rowsInRange(table, range, reverse, columns, transaction);
      },
      *scanIndex(table, index, range, reverse = false) {
        assert(open, 'a read view used after done()');
        const { start, end } = indexRangeBytes(table, index, range);
        for (const { key, value } of rangeOf(store.indexes, start, end, reverse, transaction)) yield { key, rowKey: value };
      },
      done: () => {
        if (!open) return;
        open = false;
        transaction.done();
      },
    };
  }

  // The live version of a table by id; undefined once it is dropped.
  liveTable(id: number): TableDef | undefined {
    const table = this.tableById(id);
    return table !== undefined && this.liveTableIds.get(qualifiedName(table.database, table.name)) === id ? table : undefined;
  }

  // The replicated state (catalog, rows, index entries, replicated meta) as of one applied
  // index, read in chunks for a follower that needs a Raft snapshot (state-snapshot.ts). Like
  // openSnapshot it holds an LMDB read transaction until done().
  openStateSnapshot(chunkBytesMax?: number): StateSnapshotReader {
    const transaction = this.root.useReadTransaction();
    const read = (key: string): bigint => {
      const value = this.meta.get(key, { transaction });
      assert(value === undefined || typeof value === 'bigint' || typeof value === 'number');
      return value === undefined ? 0n : BigInt(value);
    };
    const databases = { meta: this.meta, catalog: this.catalog, rows: this.rows, indexes: this.indexes };
    return new StateSnapshotReader(databases, transaction, read(metaAppliedIndex), read(metaAppliedTerm), chunkBytesMax);
  }

  // Replaces the replicated state with a snapshot's, given its chunks in order: the catalog,
  // rows, index entries and replicated meta are emptied and written from the chunks in one
  // transaction, in slices that give the event loop back (base/time-slice.ts), so after a
  // crash the store holds either its old state or the snapshot's, whole. The changelog and
  // node-local state stay. Fails with SNAPSHOT_INVALID (rolling back) on a damaged chunk.
  async installStateSnapshot(chunks: Iterable<Uint8Array>): Promise<void> {
    assert(this.applyingValue === null, 'a snapshot installed while an entry applies');
    const installing = this.installWhole(chunks);
    // Readers of applied state wait for all of it, the in-memory catalog's reload included, as
    // for a sliced apply; its failure is the caller's.
    const settled = installing.then(
      () => undefined,
      () => undefined,
    );
    this.applyingValue = settled;
    void settled.then(() => (this.applyingValue = null));
    await installing;
    // Durable before the caller replaces the Raft log that led up to it: a checkpoint from
    // before the install could not be replayed from the log that follows it.
    await this.checkpoint();
  }

  private async installWhole(chunks: Iterable<Uint8Array>): Promise<void> {
    await this.root.childTransaction(async () => {
      const steps = runSliced(this.installSteps(chunks), new TimeSlice());
      if (steps instanceof Promise) await steps;
      // In the install's own transaction: a reader never sees the new state with the old generation.
      this.local.putSync(localCatalogGeneration, ++this.catalogGeneration);
    });
    await this.local.put(localSnapshotInstalledIndex, this.readBigint(metaAppliedIndex) ?? 0n);
    this.reloadCatalog(this.catalogGeneration);
    this.appliedIndexValue = this.readBigint(metaAppliedIndex) ?? 0n;
  }

  private *installSteps(chunks: Iterable<Uint8Array>): Steps<void> {
    for (const db of [this.catalog, this.rows, this.indexes]) {
      // Each round reads from the start: what the last one read is removed.
      for (let keys = [...db.getKeys({ limit: indexBuildChunkEntries })]; keys.length > 0; keys = [...db.getKeys({ limit: indexBuildChunkEntries })]) {
        for (const key of keys) {
          yield;
          db.removeSync(key);
        }
      }
    }
    for (const key of [...this.meta.getKeys({})]) if (isReplicatedMetaKey(key)) this.meta.removeSync(key);
    const databases = { catalog: this.catalog, rows: this.rows, indexes: this.indexes };
    for (const chunk of chunks) {
      for (const record of decodeSnapshotChunk(chunk)) {
        yield;
        if (record.section === 'meta') this.meta.putSync(record.key.toString('utf8'), packr.unpack(record.value));
        else databases[record.section].putSync(record.key, record.value);
      }
    }
  }

  // --- secondary indexes --------------------------------------------------------------------

  // Entries of `index` (of `table`'s version) within `range`, in key order: the read path of
  // an index range scan. Each names the row's key; `getRow` reads the row.
  *scanIndex(table: TableDef, index: IndexDef, range: IndexRange, reverse = false): Generator<IndexEntry> {
    const { start, end } = indexRangeBytes(table, index, range);
    for (const { key, value } of rangeOf(this.indexes, start, end, reverse)) yield { key, rowKey: value };
  }

  private readRow(reader: TableDef, bytes: Uint8Array): Row {
    return this.restoreRow(reader, decodeStoredRow(bytes));
  }

  private restoreRow(reader: TableDef, stored: StoredRow): Row {
    if (stored.version === reader.version) return restoreStoredRow(reader, stored);
    let writer = this.tableVersion(reader.id, stored.version);
    // A reader's read transaction moved on between a statement's slices, past an ALTER its
    // catalog has yet to load (versions, once written, never change).
    if (writer === undefined && this.readOnly) {
      this.reloadCatalog(Number(this.local.get(localCatalogGeneration) ?? 0));
      writer = this.tableVersion(reader.id, stored.version);
    }
    assert(writer !== undefined, `row of table ${reader.id} names unknown version ${stored.version}`);
    const row = restoreStoredRow(writer, stored);
    return sameColumnLayout(writer, reader) ? row : reshapeRow(writer, reader, row);
  }

  // --- changelog --------------------------------------------------------------------------

  // Changes with lsn >= fromLsn, in lsn order, at most `limit` of them. Each record is in the
  // shape of the schema version that wrote it, which it names. Only changes of applied
  // entries: while an entry applies in slices, reads on this thread see its records before
  // they commit, and a reader (the Kafka publisher) must not hand them on yet.
  readChanges(fromLsn: bigint, limit: number): ChangelogRecord[] {
    return this.readChangesThrough(this.appliedIndexValue, fromLsn, limit);
  }

  // Changes with lsn >= fromLsn of entries up to `appliedIndex`, at most `limit`, read in
  // `transaction` when given.
  private readChangesThrough(appliedIndex: bigint, fromLsn: bigint, limit: number, transaction?: Transaction): ChangelogRecord[] {
    const records: ChangelogRecord[] = [];
    const tableVersion = (id: number, version: number): TableDef | undefined => this.tableVersion(id, version);
    const end = lsnKey(lsnOf(appliedIndex + 1n, 0));
    for (const { key, value } of this.changelogRecords.getRange({ start: lsnKey(fromLsn), end, limit, ...(transaction === undefined ? {} : { transaction }) })) {
      records.push(restoreChangeRecord(key.readBigUInt64BE(0), value, tableVersion));
    }
    return records;
  }

  // The lsns of changes >= fromLsn of applied entries, at most `limit`: their keys alone, with
  // no record decoded (a record holds whole row images, and retention walks thousands).
  readChangeLsns(fromLsn: bigint, limit: number): bigint[] {
    const end = lsnKey(lsnOf(this.appliedIndexValue + 1n, 0));
    const lsns: bigint[] = [];
    for (const key of this.changelog.getKeys({ start: lsnKey(fromLsn), end, limit })) lsns.push((key as Buffer).readBigUInt64BE(0));
    return lsns;
  }

  // Every change at or below this lsn may have been pruned (0n: none was). Pruning is local
  // to a node, like the Raft log's compaction: retention is each node's own setting.
  changelogPrunedThrough(): bigint {
    const value = this.local.get(localChangelogPrunedThrough);
    return value === undefined ? 0n : BigInt(value as bigint | number);
  }

  // What the changelog's pages take on disk, in bytes.
  changelogBytes(): number {
    return pagesBytes(this.changelog);
  }

  // Removes the changes with lsn in [fromLsn, throughLsn] (the caller keeps the batch small)
  // and records throughLsn as pruned, in one LMDB transaction.
  async pruneChanges(fromLsn: bigint, throughLsn: bigint): Promise<void> {
    assert(throughLsn >= this.changelogPrunedThrough());
    await this.root.transaction(() => {
      for (const key of this.changelog.getKeys({ start: lsnKey(fromLsn), end: lsnKey(throughLsn + 1n) })) void this.changelog.remove(key);
      void this.local.put(localChangelogPrunedThrough, throughLsn);
    });
  }

  // --- node-local state -------------------------------------------------------------------

  getLocal(key: string): unknown {
    return this.local.get(key);
  }

  async putLocal(key: string, value: unknown): Promise<void> {
    await this.local.put(key, value);
  }

  // --- apply ------------------------------------------------------------------------------

  // Applies committed entries, in index order, each with its applied index in the same
  // transaction. Deterministic: no clock, no randomness, no I/O outside LMDB.
  // Small entries apply in one synchronous LMDB transaction. Entries with many row changes
  // apply in one asynchronous transaction that gives the event loop back between changes
  // (base/time-slice.ts); the applied index moves once it has committed. While it is open,
  // reads on this thread go through it and would see it half done, so readers of applied
  // state wait for `applying()` first. (The leader's write path reads through the overlay of
  // the same entry, which shadows every row it changes, so it sees the same either way.) Only
  // row changes and index builds and drops yield, so a batch that changes the catalog otherwise
  // stays a single slice; an index change puts its new version in the catalog after its last
  // slice (the overlay that proposed it shadows the catalog meanwhile).
  apply(entries: readonly AppliedEntry[]): void | Promise<void> {
    assert(!this.readOnly, 'apply to a reader');
    if (entries.length === 0) return;
    const headers = entries.map((entry) => (entry.kind === 'batch' ? decodeBatchHeader(entry.data) : null));
    const changeCount = headers.reduce((sum, header) => sum + (header?.changeCount ?? 0), 0);
    const rowsOnly = headers.every((header) => header?.rowsOnly ?? true);
    // Building or dropping an index, or dropping a table, touches every row of a table: always
    // in slices (the header's indexWork says so, whichever it is).
    const indexWork = headers.some((header) => header?.indexWork === true);
    const last = entries.at(-1)!.index;
    if (!indexWork && (changeCount < changesPerSyncApplyMax || !rowsOnly)) {
      this.root.transactionSync(() => runToEnd(this.applySteps(entries, headers)));
      this.appliedIndexValue = last;
      return;
    }
    // A child transaction, so that an apply that fails midway (a replica that has diverged)
    // rolls back whole, as the synchronous path does: a plain asynchronous transaction would
    // commit the changes made before the failure.
    const applying = this.root
      .childTransaction(async () => {
        const steps = runSliced(this.applySteps(entries, headers), new TimeSlice());
        if (steps instanceof Promise) await steps;
      })
      .then(() => {
        this.appliedIndexValue = last;
      })
      .finally(() => {
        this.applyingValue = null;
      });
    this.applyingValue = applying;
    return applying;
  }

  // The apply running in slices, if one is: readers of applied state wait for it to settle.
  applying(): Promise<void> | null {
    return this.applyingValue;
  }

  // `headers` are the entries' batch headers (null for a noop), decoded once by apply.
  // The entries commit in one LMDB transaction, so what follows them all — the row counts
  // they moved, the applied index and its term — is written once, after the last.
  private *applySteps(entries: readonly AppliedEntry[], headers: readonly (BatchHeader | null)[]): Steps<void> {
    let previous = this.appliedIndexValue;
    // Tables whose row count moved.
    const counted = new Set<number>();
    for (const [at, entry] of entries.entries()) {
      // Replay after a crash starts at appliedIndex + 1; anything else is a bug in the caller.
      assert(entry.index === previous + 1n, `apply of ${entry.index} after ${previous}`);
      yield* this.applyEntry(entry, headers[at] ?? null, counted);
      previous = entry.index;
    }
    for (const id of counted) if (this.rowCounts.has(id)) this.meta.putSync(rowCountKey(id), this.rowCount(id));
    if (headers.some((header) => header !== null && !header.rowsOnly)) this.local.putSync(localCatalogGeneration, ++this.catalogGeneration);
    const last = entries.at(-1)!;
    this.meta.putSync(metaAppliedIndex, last.index);
    this.meta.putSync(metaAppliedTerm, last.term);
  }

  private *applyEntry(entry: AppliedEntry, header: BatchHeader | null, counted: Set<number>): Steps<void> {
    // Decoded a change at a time, against the catalog as the entry's earlier changes left it.
    const changes = header === null ? [] : decodeChanges(entry.data, header, (id, version) => this.tableVersion(id, version));
    const proposedAtMs = header?.proposedAtMs ?? 0;
    let changeOffset = 0;
    let catalogMoved = false;
    for (const change of changes) {
      // A counter's move changes no kept plan: a plan that read a counter is never kept
      // (sql/plan-cache.ts), and a session process's reader does not see one as a catalog change.
      if (change.kind !== 'row' && change.kind !== 'auto_increment') {
        catalogMoved = true;
        this.catalogEpochValue++;
      }
      // A schema change's record is written before it applies: a drop's names its table while
      // the catalog still has it live. It is in the same transaction either way.
      if (makesChangelogRecord(change) && change.kind !== 'row' && change.kind !== 'truncate_table') {
        this.changelog.putSync(lsnKey(lsnOf(entry.index, changeOffset++)), encodeDdlRecord({ ...this.ddlRecordOf(change), ddl: change.ddl ?? null, tsMs: proposedAtMs }));
      }
      switch (change.kind) {
        case 'create_table':
          this.applyCreateTable(change.table, proposedAtMs);
          break;
        case 'drop_table':
          yield* this.applyDropTable(change.tableId);
          break;
        case 'alter_table':
          if (change.rewrite === true) yield* this.applyRewriteTable(change.table);
          else this.applyAlterTable(change.table);
          break;
        case 'rewritten_row': {
          yield;
          const table = this.tableById(change.tableId);
          assert(table !== undefined && table.version === change.schemaVersion, 'a rewritten row follows the alter_table of its version');
          const key = encodeRowKey(table, change.row);
          assert(this.rows.getBinaryFast(key) === undefined, 'a rewritten row twice');
          this.rows.putSync(key, encodeRow(table, change.row));
          this.updateIndexEntries(table, null, change.row);
          break;
        }
        case 'create_database':
          assert(!this.createdDatabaseNames.has(change.name), `database ${change.name} created twice`);
          this.createdDatabaseNames.add(change.name);
          if (change.collation !== undefined) this.databaseCollations.set(change.name, change.collation);
          this.meta.putSync(databaseKey(change.name), change.collation ?? true);
          break;
        case 'drop_database':
          assert(this.meta.removeSync(databaseKey(change.name)) && this.createdDatabaseNames.delete(change.name), `drop of database ${change.name}, never created`);
          this.databaseCollations.delete(change.name);
          break;
        case 'create_view':
          this.applyCreateView(change.view);
          break;
        case 'drop_view':
          assert(this.catalog.removeSync(viewKey(change.database, change.name)) && this.viewsByName.delete(qualifiedName(change.database, change.name)), `drop of view ${change.database}.${change.name}, which does not exist`);
          break;
        case 'create_index':
          yield* this.applyCreateIndex(change.table, change.indexId);
          break;
        case 'put_account':
          this.catalog.putSync(accountKey(change.account.user, change.account.host), packr.pack(change.account));
          this.accountsByName.set(accountName(change.account.user, change.account.host), change.account);
          break;
        case 'drop_account':
          assert(this.catalog.removeSync(accountKey(change.user, change.host)) && this.accountsByName.delete(accountName(change.user, change.host)), `drop of account ${change.user}@${change.host}, which does not exist`);
          break;
        case 'truncate_table': {
          yield* this.applyTruncateTable(change.tableId, change.schemaVersion);
          const record = { tableId: change.tableId, schemaVersion: change.schemaVersion, op: 't', before: null, after: null, tsMs: proposedAtMs } as const;
          this.changelog.putSync(lsnKey(lsnOf(entry.index, changeOffset++)), encodeChangeRecord(record));
          break;
        }
        case 'drop_index':
          yield* this.applyDropIndex(change.table, change.indexId);
          break;
        case 'auto_increment':
          assert(change.next > this.autoIncrementNext(change.tableId));
          this.autoIncrements.set(change.tableId, change.next);
          this.meta.putSync(autoIncrementKey(change.tableId), change.next);
          break;
        case 'row': {
          yield;
          const table = this.tableById(change.tableId);
          assert(table !== undefined && !this.tablesById.get(change.tableId)!.dropped);
          // The leader executed with the catalog this entry applies to, so with its current version.
          if (change.schemaVersion !== table.version) throw new AssertionError(`row change of version ${change.schemaVersion} for table ${table.id} at version ${table.version}`);
          const image = change.after ?? change.before;
          assert(image !== null);
          const key = encodeRowKey(table, image);
          // A primary-key change travels as a delete and a create, so an update keeps its key.
          if (change.op === 'u') assert(change.before !== null && encodeRowKey(table, change.before).equals(key));
          // The leader checked these when it executed the batch; a replica that disagrees has
          // diverged, and must stop rather than write over it.
          if (change.after === null) {
            assert(this.rows.removeSync(key), 'delete of a missing row');
          } else {
            assert((this.rows.getBinaryFast(key) === undefined) === (change.op === 'c'), `${change.op === 'c' ? 'create of an existing' : 'update of a missing'} row`);
            this.rows.putSync(key, encodeRow(table, change.after));
          }
          this.updateIndexEntries(table, change.before, change.after);
          if (change.op !== 'u') {
            this.rowCounts.set(table.id, this.rowCount(table.id) + (change.op === 'c' ? 1 : -1));
            counted.add(table.id);
          }
          const record = { tableId: change.tableId, schemaVersion: table.version, op: change.op, before: change.before, after: change.after, tsMs: proposedAtMs };
          this.changelog.putSync(lsnKey(lsnOf(entry.index, changeOffset++)), encodeChangeRecord(record));
          break;
        }
        default:
          assertNever(change);
      }
    }
    // Once more after the entry: a plan made between its slices saw the catalog half changed.
    if (catalogMoved) this.catalogEpochValue++;
  }

  // A view of a new name, or a new definition of a view (CREATE OR REPLACE). The leader checked
  // that no table has the name.
  private applyCreateView(view: ViewDef): void {
    assert(this.table(view.database, view.name) === undefined, `view ${view.database}.${view.name} over a table`);
    this.catalog.putSync(viewKey(view.database, view.name), packr.pack(view));
    this.viewsByName.set(qualifiedName(view.database, view.name), view);
  }

  // What a schema change's record says of its database and table (their names as they are
  // before it applies, and the version the table has after it).
  private ddlRecordOf(change: Exclude<DdlChange, { readonly kind: 'truncate_table' }>): { kind: typeof change.kind; database: string; tableId: number | null; schemaVersion: number | null; table: string | null } {
    switch (change.kind) {
      case 'create_database':
      case 'drop_database':
        return { kind: change.kind, database: change.name, tableId: null, schemaVersion: null, table: null };
      case 'drop_table': {
        const table = this.tableById(change.tableId);
        assert(table !== undefined, `drop of unknown table ${change.tableId}`);
        return { kind: change.kind, database: table.database, tableId: table.id, schemaVersion: table.version, table: table.name };
      }
      case 'create_table':
      case 'alter_table':
      case 'create_index':
      case 'drop_index':
        return { kind: change.kind, database: change.table.database, tableId: change.table.id, schemaVersion: change.table.version, table: change.table.name };
      default:
        return assertNever(change);
    }
  }

  private applyCreateTable(table: TableDef, proposedAtMs: number): void {
    assert(table.id === this.nextTableId(), 'table ids are allocated in order');
    assert(table.version === 1, 'a table is created at version 1');
    assert(this.table(table.database, table.name) === undefined);
    this.catalog.putSync(tableVersionKey(table.id, table.version), packr.pack(table));
    this.putTableState(table.id, { version: table.version, dropped: false });
    assert(this.viewDef(table.database, table.name) === undefined, `table ${table.database}.${table.name} over a view`);
    this.meta.putSync(metaNextTableId, table.id + 1);
    this.meta.putSync(rowCountKey(table.id), 0);
    this.rowCounts.set(table.id, 0);
    this.meta.putSync(createdAtKey(table.id), proposedAtMs);
    this.createdAtMsById.set(table.id, proposedAtMs);
    this.tablesById.set(table.id, { versions: [table], dropped: false });
    this.liveTableIds.set(qualifiedName(table.database, table.name), table.id);
  }

  // Moves each index entry of a changed row: the old image's entry out, the new image's in.
  private updateIndexEntries(table: TableDef, before: Row | null, after: Row | null): void {
    for (const index of indexesOf(table)) {
      const removed = before === null ? null : indexEntryOf(table, index, before);
      const added = after === null ? null : indexEntryOf(table, index, after);
      if (removed !== null && added !== null && removed.key.equals(added.key)) continue;
      if (removed !== null) assert(this.indexes.removeSync(removed.key), `index ${index.name} of table ${table.id} lacks an entry of a row it holds`);
      if (added !== null) {
        assert(this.indexes.getBinaryFast(added.key) === undefined, `index ${index.name} of table ${table.id} already holds an entry`);
        this.indexes.putSync(added.key, added.rowKey);
      }
    }
  }

  // Writes an entry for every row of the table, then the new version. The leader has checked a
  // UNIQUE index's rows for duplicates; entries carry the primary key, so they never collide.
  private *applyCreateIndex(table: TableDef, indexId: number): Steps<void> {
    const current = this.indexedVersion(table);
    const index = indexesOf(table).find((candidate) => candidate.id === indexId);
    assert(index !== undefined, `create_index names index ${indexId}, which version ${table.version} of table ${table.id} lacks`);
    assert(sameIndexIds(current, table, [indexId], []), 'a create_index version adds that index and nothing else');
    for (const { value } of this.chunked(this.rows, tablePrefix(table.id), tableEnd(table.id))) {
      yield;
      const entry = indexEntryOf(table, index, this.readRow(table, value));
      this.indexes.putSync(entry.key, entry.rowKey);
    }
    this.putVersion(table);
  }

  private *applyDropIndex(table: TableDef, indexId: number): Steps<void> {
    const current = this.indexedVersion(table);
    assert(sameIndexIds(current, table, [], [indexId]), 'a drop_index version removes that index and nothing else');
    const prefix = indexPrefix(table.id, indexId);
    yield* this.removeRange(prefix, afterPrefix(prefix));
    this.putVersion(table);
  }

  // The current version of a live table that `table` is the next version of, with its columns
  // and primary key unchanged (only its indexes may differ).
  private indexedVersion(table: TableDef): TableDef {
    const record = this.tablesById.get(table.id);
    assert(record !== undefined && !record.dropped, `index change of table ${table.id}, which is not live`);
    const current = record.versions.at(-1)!;
    assert(table.version === current.version + 1, `table ${table.id} version ${table.version} after ${current.version}`);
    assert(table.name === current.name && table.database === current.database && samePrimaryKey(current, table));
    assert(JSON.stringify(table.columns) === JSON.stringify(current.columns), 'an index change keeps the columns');
    return current;
  }

  // Entries of `db` in [start, end), read a chunk at a time so that no cursor stays open across
  // the yields of a sliced apply while other reads and writes use the transaction.
  private *chunked(db: Database<Buffer, Buffer>, start: Buffer, end: Buffer): Generator<{ key: Buffer; value: Buffer }> {
    let from = start;
    for (;;) {
      const chunk = [...db.getRange({ start: from, end, limit: indexBuildChunkEntries })];
      yield* chunk;
      if (chunk.length < indexBuildChunkEntries) return;
      // Keys here are prefix-free, so the key followed by 0x00 is the first one after it.
      from = Buffer.concat([chunk.at(-1)!.key, Buffer.from([0])]);
    }
  }

  private *removeRange(start: Buffer, end: Buffer, db: Database<Buffer, Buffer> = this.indexes): Steps<void> {
    for (const { key } of this.chunked(db, start, end)) {
      yield;
      db.removeSync(key);
    }
  }

  // `current` is the version `table` follows; a new name moves the table's entry by name (a
  // RENAME TABLE is a version like any other, under the same id).
  private putVersion(table: TableDef, current?: TableDef): void {
    const record = this.tablesById.get(table.id)!;
    this.catalog.putSync(tableVersionKey(table.id, table.version), packr.pack(table));
    this.putTableState(table.id, { version: table.version, dropped: false });
    this.tablesById.set(table.id, { versions: [...record.versions, table], dropped: false });
    if (current !== undefined && (current.database !== table.database || current.name !== table.name)) {
      this.liveTableIds.delete(qualifiedName(current.database, current.name));
      this.liveTableIds.set(qualifiedName(table.database, table.name), table.id);
    }
  }

  // A new version of a live table: its rows stay as they are and are read through reshapeRow,
  // so only what reshapeRow can honour is allowed: columns added (nullable, read as NULL),
  // moved or left out, never renamed or retyped (those rewrite the rows: applyRewriteTable). The
  // leader checks these before proposing; here they are asserts, like every other disagreement
  // between a replica and the leader.
  private applyAlterTable(table: TableDef): void {
    const current = this.alteredVersion(table);
    assert(samePrimaryKey(current, table), 'a new version keeps the primary key (rows are keyed by it)');
    assert(sameIndexIds(current, table, [], []), 'indexes change through create_index and drop_index');
    for (const column of table.columns) {
      const old = current.columns.find((candidate) => candidate.name === column.name);
      if (old === undefined) assert(column.nullable, `added column ${column.name} must be nullable without a rewrite`);
      else assert(sameShape(old, column), `column ${column.name} keeps its type (old rows are not converted)`);
    }
    this.putVersion(table, current);
  }

  // A new version whose rows the leader rewrote (a type changed, a column was dropped or
  // renamed, the primary key changed): every row and index entry of the table goes, in slices,
  // and the batch's rewritten_row changes that follow bring the rows back in the new version.
  private *applyRewriteTable(table: TableDef): Steps<void> {
    const current = this.alteredVersion(table);
    yield* this.removeRange(tablePrefix(table.id), tableEnd(table.id), this.rows);
    yield* this.removeRange(tablePrefix(table.id), tableEnd(table.id), this.indexes);
    this.putVersion(table, current);
  }

  // The current version of the live table `table` is the next version of. A new name must be free.
  private alteredVersion(table: TableDef): TableDef {
    const record = this.tablesById.get(table.id);
    assert(record !== undefined && !record.dropped, `alter of table ${table.id}, which is not live`);
    const current = record.versions.at(-1)!;
    assert(table.version === current.version + 1, `table ${table.id} version ${table.version} after ${current.version}`);
    const renamed = table.database !== current.database || table.name !== current.name;
    assert(!renamed || this.table(table.database, table.name) === undefined, `rename of table ${table.id} onto a live table`);
    return current;
  }

  // Removes every row and index entry of the table, yielding between them (a big table's drop
  // applies in slices, as an index build does), then marks it dropped in the catalog.
  private *applyDropTable(tableId: number): Steps<void> {
    const record = this.tablesById.get(tableId);
    assert(record !== undefined && !record.dropped);
    yield* this.removeRange(tablePrefix(tableId), tableEnd(tableId), this.rows);
    yield* this.removeRange(tablePrefix(tableId), tableEnd(tableId), this.indexes);
    const current = record.versions.at(-1)!;
    this.putTableState(tableId, { version: current.version, dropped: true });
    this.tablesById.set(tableId, { versions: record.versions, dropped: true });
    this.liveTableIds.delete(qualifiedName(current.database, current.name));
    this.rowCounts.delete(tableId);
    this.meta.removeSync(rowCountKey(tableId));
    this.createdAtMsById.delete(tableId);
    this.meta.removeSync(createdAtKey(tableId));
  }

  // Removes every row and index entry of a live table in slices, as a drop does, and puts its
  // auto-increment counter back to the start (MySQL's TRUNCATE does; the hidden row id of a
  // table without a primary key is numbered by the same counter).
  private *applyTruncateTable(tableId: number, schemaVersion: number): Steps<void> {
    const record = this.tablesById.get(tableId);
    assert(record !== undefined && !record.dropped, `truncate of table ${tableId}, which is not live`);
    // The leader executed with the catalog this entry applies to.
    assert(record.versions.length === schemaVersion, `truncate of table ${tableId} version ${schemaVersion} at version ${record.versions.length}`);
    yield* this.removeRange(tablePrefix(tableId), tableEnd(tableId), this.rows);
    yield* this.removeRange(tablePrefix(tableId), tableEnd(tableId), this.indexes);
    this.autoIncrements.delete(tableId);
    this.meta.removeSync(autoIncrementKey(tableId));
    this.rowCounts.set(tableId, 0);
    this.meta.putSync(rowCountKey(tableId), 0);
  }

  private putTableState(tableId: number, state: TableState): void {
    this.catalog.putSync(tablePrefix(tableId), packr.pack(state));
  }

  // The catalog holds, per table, its state record (4-byte key) followed by its versions
  // (8-byte keys, in version order), so one pass in key order rebuilds it.
  private loadCatalog(): void {
    this.catalogEpochValue++;
    const versions = new Map<number, TableDef[]>();
    const states = new Map<number, TableState>();
    for (const { key, value } of this.catalog.getRange({})) {
      const tableId = key.readUInt32BE(0);
      if (tableId === viewsTableId && key[4] === accountRecordTag) {
        const account = packr.unpack(value) as AccountDef;
        this.accountsByName.set(accountName(account.user, account.host), account);
        continue;
      }
      if (tableId === viewsTableId) {
        assert(key[4] === viewRecordTag, 'catalog record of table id 0 that is neither a view nor an account');
        const view = packr.unpack(value) as ViewDef;
        this.viewsByName.set(qualifiedName(view.database, view.name), view);
        continue;
      }
      if (key.length === 4) {
        states.set(tableId, packr.unpack(value) as TableState);
        continue;
      }
      assert(key.length === 8, 'catalog key of unknown shape');
      const table = packr.unpack(value) as TableDef;
      const list = versions.get(tableId) ?? [];
      assert(table.id === tableId && table.version === key.readUInt32BE(4) && table.version === list.length + 1, `catalog versions of table ${tableId} out of order`);
      list.push(table);
      versions.set(tableId, list);
    }
    for (const [tableId, state] of states) {
      const list = versions.get(tableId);
      assert(list !== undefined && list.length === state.version, `catalog of table ${tableId} lacks versions`);
      const current = list.at(-1)!;
      this.tablesById.set(tableId, { versions: list, dropped: state.dropped });
      if (!state.dropped) this.liveTableIds.set(qualifiedName(current.database, current.name), tableId);
      const next = this.readBigint(autoIncrementKey(tableId));
      if (next !== undefined) this.autoIncrements.set(tableId, next);
      const count = this.meta.get(rowCountKey(tableId));
      if (!state.dropped && count !== undefined) this.rowCounts.set(tableId, Number(count));
      const createdAtMs = this.meta.get(createdAtKey(tableId));
      if (!state.dropped && createdAtMs !== undefined) this.createdAtMsById.set(tableId, Number(createdAtMs));
    }
    this.createdDatabaseNames.clear();
    this.databaseCollations.clear();
    for (const { key, value } of this.meta.getRange({ start: databaseKeyPrefix, end: databaseKeyEnd })) {
      const name = String(key).slice(databaseKeyPrefix.length);
      this.createdDatabaseNames.add(name);
      if (value === 'utf8mb4_general_ci') this.databaseCollations.set(name, value);
      else assert(value === true, `database ${name}: unknown record`);
    }
  }

  private readBigint(key: string): bigint | undefined {
    const value = this.meta.get(key);
    if (value === undefined) return undefined;
    assert(typeof value === 'bigint' || typeof value === 'number');
    return BigInt(value);
  }
}

// Created databases live in replicated meta, one key each; the value is `true`, or the name of
// the database's default collation when it is not utf8mb4_bin.
const databaseKeyPrefix = 'database.';
// Just past every key of the prefix: '/' follows '.'.
const databaseKeyEnd = 'database/';

function databaseKey(name: string): string {
  return `${databaseKeyPrefix}${name}`;
}

function rowCountKey(tableId: number): string {
  return `row_count.${tableId}`;
}

function createdAtKey(tableId: number): string {
  return `created_at.${tableId}`;
}

// View records sit under table id 0, which no table gets (ids start at 1), so they sort before
// every table's records: [0 0 0 0]['v'][database, UTF-8][0x00][name, UTF-8]. Names are
// identifiers, which never hold 0x00.
const viewsTableId = 0;
const viewRecordTag = 0x76;

function viewKey(database: string, name: string): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 0, 0, viewRecordTag]), Buffer.from(database, 'utf8'), Buffer.from([0]), Buffer.from(name, 'utf8')]);
}

// Account records sit beside them: [0 0 0 0]['u'][user, UTF-8][0x00][host, UTF-8]. A user or
// host name holding 0x00 is refused before it gets here (sql/accounts/account-syntax.ts).
const accountRecordTag = 0x75;

function accountKey(user: string, host: string): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 0, 0, accountRecordTag]), Buffer.from(user, 'utf8'), Buffer.from([0]), Buffer.from(host, 'utf8')]);
}

// User and host joined by a byte neither holds: an account's name in maps.
export function accountName(user: string, host: string): string {
  return `${user}\u0000${host}`;
}

function compareAccounts(a: AccountDef, b: AccountDef): number {
  return a.user < b.user ? -1 : a.user > b.user ? 1 : a.host < b.host ? -1 : a.host > b.host ? 1 : 0;
}

function compareViews(a: ViewDef, b: ViewDef): number {
  return a.database < b.database ? -1 : a.database > b.database ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

// The pages a sub-database takes, in bytes.
function pagesBytes(db: Database<Buffer, Buffer>): number {
  const stats = db.getStats() as { pageSize: number; treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
  return stats.pageSize * (stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages);
}

function autoIncrementKey(tableId: number): string {
  return `auto_increment.${tableId}`;
}

// (table id, version) → definition: the table's prefix, then the version as u32 BE.
function tableVersionKey(tableId: number, version: number): Buffer {
  const key = Buffer.alloc(8);
  key.writeUInt32BE(tableId, 0);
  key.writeUInt32BE(version, 4);
  return key;
}

// What a stored value's encoding depends on: a column with the same shape reads the same bytes
// (and, for its collation, keys the same way).
function sameShape(a: ColumnDef, b: ColumnDef): boolean {
  return a.type === b.type && a.length === b.length && a.precision === b.precision && a.scale === b.scale && a.fsp === b.fsp && a.unsigned === b.unsigned && a.hidden === b.hidden && a.collation === b.collation;
}

function samePrimaryKey(a: TableDef, b: TableDef): boolean {
  const parts = (table: TableDef): string[] => table.primaryKey.map((position) => `${table.columns[position]?.name}:${table.columns[position]?.type}`);
  return parts(a).join(',') === parts(b).join(',');
}

// Ids of `next`'s indexes are those of `current`'s, plus `added`, less `removed`. (An index kept
// by id keeps its definition: the two are the same object's fields across versions.)
function sameIndexIds(current: TableDef, next: TableDef, added: readonly number[], removed: readonly number[]): boolean {
  const ids = (table: TableDef): string => indexesOf(table).map((index) => index.id).sort((a, b) => a - b).join(',');
  const expected = indexesOf(current).map((index) => index.id).filter((id) => !removed.includes(id)).concat(added);
  return ids(next) === expected.sort((a, b) => a - b).join(',') && removed.every((id) => indexesOf(current).some((index) => index.id === id));
}

function isEmpty(db: { getKeys(options: { limit: number }): Iterable<unknown> }): boolean {
  for (const _key of db.getKeys({ limit: 1 })) return false;
  return true;
}

function lsnKey(lsn: bigint): Buffer {
  const key = Buffer.alloc(8);
  key.writeBigUInt64BE(lsn, 0);
  return key;
}

// The entries of [start, end) in key order, or in reverse. LMDB's reverse range runs from an
// inclusive upper bound down to an exclusive lower one, (end, start] in these terms: an entry
// at exactly `end` is skipped, and one at exactly `start` is read last by key.
function rangeOf<V>(db: Database<V, Buffer>, start: Buffer, end: Buffer, reverse: boolean, transaction?: Transaction): Iterable<{ key: Buffer; value: V }> {
  if (Buffer.compare(start, end) >= 0) return []; // an empty range (BETWEEN 5 AND 3)
  const within = transaction === undefined ? {} : { transaction };
  // Forward, LMDB's own iterable as it is: no generator between it and the reader.
  return reverse ? reversedRange(db, start, end, within) : db.getRange({ start, end, ...within });
}

function* reversedRange<V>(db: Database<V, Buffer>, start: Buffer, end: Buffer, within: { transaction?: Transaction }): Generator<{ key: Buffer; value: V }> {
  for (const entry of db.getRange({ start: end, end: start, reverse: true, ...within })) {
    if (Buffer.compare(entry.key, end) < 0) yield entry;
  }
  const first = db.get(start, within);
  if (first !== undefined) yield { key: start, value: first };
}

function readBigintIn(db: Database<unknown, string>, key: string, transaction: Transaction): bigint | undefined {
  const value = db.get(key, { transaction });
  if (value === undefined) return undefined;
  assert(typeof value === 'bigint' || typeof value === 'number');
  return BigInt(value);
}
