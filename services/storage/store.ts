// The node's materialized state in LMDB: catalog, rows, changelog and the applied index.
// Only `apply` writes replicated state, and it writes each entry's effect and the applied
// index in one LMDB transaction, so after any crash the store holds exactly a prefix of the
// log and replay resumes at appliedIndex + 1 (nothing twice, nothing skipped).
import { open } from 'lmdb';
import type { Database, RootDatabase } from 'lmdb';
import { assert, assertNever } from '../base/assert.js';
import { changesPerSyncApplyMax } from '../base/limits.js';
import { runSliced, runToEnd, TimeSlice } from '../base/time-slice.js';
import type { Steps } from '../base/time-slice.js';
import { decodeBatchHeader, decodeChanges } from './batch-codec.js';
import { encodeRowKey, tableEnd, tablePrefix } from './key-codec.js';
import { lsnOf } from './lsn.js';
import { decodeRow, encodeRow, packr, restoreRow } from './row-codec.js';
import { qualifiedName } from './types.js';
import type { ChangeRecord, Row, TableDef } from './types.js';

// One committed Raft entry, as apply receives it (the Raft log's entries have this shape): a
// 'batch' entry carries an encoded change batch, decoded against the catalog as it stands when
// the entry applies; a 'noop' entry (a new leader's first) carries nothing to apply.
export interface AppliedEntry {
  readonly index: bigint;
  readonly kind: 'noop' | 'batch';
  readonly data: Uint8Array;
}

interface CatalogRecord {
  readonly table: TableDef;
  readonly dropped: boolean;
}

const metaAppliedIndex = 'applied_index';
const metaNextTableId = 'next_table_id';
const firstTableId = 1;

export class Store {
  private readonly root: RootDatabase;
  private readonly meta: Database<unknown, string>;
  private readonly catalog: Database<Buffer, Buffer>;
  private readonly rows: Database<Buffer, Buffer>;
  private readonly changelog: Database<Buffer, Buffer>;
  // Node-local state that is not replicated (e.g. the Kafka checkpoint).
  private readonly local: Database<unknown, string>;

  private readonly tablesById = new Map<number, CatalogRecord>();
  private readonly liveTableIds = new Map<string, number>();
  private appliedIndexValue: bigint;
  private autoIncrements = new Map<number, bigint>();
  private applyingValue: Promise<void> | null = null;

  private constructor(readonly path: string) {
    this.root = open({
      path,
      maxDbs: 8,
      // The Raft log is the durable record, so LMDB needs atomicity but not durability of its
      // newest commit: noMetaSync syncs the data pages of each commit but defers the meta page
      // to the next commit (LMDB keeps its integrity; an OS crash may undo the last commit, which
      // replay from the log restores). Log segments are dropped only below an index that a
      // later commit has made durable (raft/node/log-compaction.ts).
      noMetaSync: true,
      overlappingSync: false,
      noMemInit: true,
    });
    const binary = { keyEncoding: 'binary', encoding: 'binary' } as const;
    this.meta = this.root.openDB<unknown, string>({ name: 'meta', encoding: 'msgpack' });
    this.local = this.root.openDB<unknown, string>({ name: 'local', encoding: 'msgpack' });
    this.catalog = this.root.openDB<Buffer, Buffer>({ name: 'catalog', ...binary });
    this.rows = this.root.openDB<Buffer, Buffer>({ name: 'rows', ...binary });
    this.changelog = this.root.openDB<Buffer, Buffer>({ name: 'changelog', ...binary });
    this.appliedIndexValue = this.readBigint(metaAppliedIndex) ?? 0n;
    this.loadCatalog();
  }

  static open(path: string): Store {
    return new Store(path);
  }

  async close(): Promise<void> {
    await this.root.close();
  }

  appliedIndex(): bigint {
    return this.appliedIndexValue;
  }

  // --- catalog --------------------------------------------------------------------------

  table(database: string, name: string): TableDef | undefined {
    const id = this.liveTableIds.get(qualifiedName(database, name));
    return id === undefined ? undefined : this.tablesById.get(id)?.table;
  }

  // Every table ever created, dropped ones too: changelog records and schema ids outlive them.
  tableById(id: number): TableDef | undefined {
    return this.tablesById.get(id)?.table;
  }

  allTables(): readonly TableDef[] {
    return [...this.tablesById.values()].map((record) => record.table).sort((a, b) => a.id - b.id);
  }

  nextTableId(): number {
    const next = this.meta.get(metaNextTableId);
    return typeof next === 'number' ? next : firstTableId;
  }

  autoIncrementNext(tableId: number): bigint {
    return this.autoIncrements.get(tableId) ?? 1n;
  }

  // --- rows -------------------------------------------------------------------------------

  getRow(table: TableDef, key: Buffer): Row | undefined {
    const bytes = this.rows.getBinary(key);
    return bytes === undefined ? undefined : decodeRow(table, bytes);
  }

  *scanRows(table: TableDef): Generator<{ key: Buffer; row: Row }> {
    for (const { key, value } of this.rows.getRange({ start: tablePrefix(table.id), end: tableEnd(table.id) })) {
      yield { key, row: decodeRow(table, value) };
    }
  }

  // --- changelog --------------------------------------------------------------------------

  // Changes with lsn >= fromLsn, in lsn order, at most `limit` of them. Only changes of
  // applied entries: while an entry applies in slices, reads on this thread see its records
  // before they commit, and a reader (the Kafka publisher) must not hand them on yet.
  readChanges(fromLsn: bigint, limit: number): ChangeRecord[] {
    const records: ChangeRecord[] = [];
    const end = lsnKey(lsnOf(this.appliedIndexValue + 1n, 0));
    for (const { key, value } of this.changelog.getRange({ start: lsnKey(fromLsn), end, limit })) {
      const raw = packr.unpack(value) as Omit<ChangeRecord, 'lsn'>;
      const table = this.tableById(raw.tableId);
      assert(table !== undefined, `changelog names unknown table ${raw.tableId}`);
      const restore = (image: unknown): Row | null => (image === null ? null : restoreRow(table, image));
      records.push({ ...raw, before: restore(raw.before), after: restore(raw.after), lsn: key.readBigUInt64BE(0) });
    }
    return records;
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
  // row changes yield, so a batch that changes the catalog stays a single slice.
  apply(entries: readonly AppliedEntry[]): void | Promise<void> {
    if (entries.length === 0) return;
    const headers = entries.map((entry) => (entry.kind === 'batch' ? decodeBatchHeader(entry.data) : null));
    const changeCount = headers.reduce((sum, header) => sum + (header?.changeCount ?? 0), 0);
    const rowsOnly = headers.every((header) => header?.rowsOnly ?? true);
    const last = entries.at(-1)!.index;
    if (changeCount < changesPerSyncApplyMax || !rowsOnly) {
      this.root.transactionSync(() => runToEnd(this.applySteps(entries)));
      this.appliedIndexValue = last;
      return;
    }
    // A child transaction, so that an apply that fails midway (a replica that has diverged)
    // rolls back whole, as the synchronous path does: a plain asynchronous transaction would
    // commit the changes made before the failure.
    const applying = this.root
      .childTransaction(async () => {
        const steps = runSliced(this.applySteps(entries), new TimeSlice());
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

  private *applySteps(entries: readonly AppliedEntry[]): Steps<void> {
    let previous = this.appliedIndexValue;
    for (const entry of entries) {
      // Replay after a crash starts at appliedIndex + 1; anything else is a bug in the caller.
      assert(entry.index === previous + 1n, `apply of ${entry.index} after ${previous}`);
      yield* this.applyEntry(entry);
      previous = entry.index;
    }
  }

  private *applyEntry(entry: AppliedEntry): Steps<void> {
    // Decoded a change at a time, against the catalog as the entry's earlier changes left it.
    const changes = entry.kind === 'batch' ? decodeChanges(entry.data, (id) => this.tableById(id)) : [];
    const proposedAtMs = entry.kind === 'batch' ? decodeBatchHeader(entry.data).proposedAtMs : 0;
    let changeOffset = 0;
    for (const change of changes) {
      switch (change.kind) {
        case 'create_table':
          this.applyCreateTable(change.table);
          break;
        case 'drop_table':
          this.applyDropTable(change.tableId);
          break;
        case 'auto_increment':
          assert(change.next > this.autoIncrementNext(change.tableId));
          this.autoIncrements.set(change.tableId, change.next);
          this.meta.putSync(autoIncrementKey(change.tableId), change.next);
          break;
        case 'row': {
          yield;
          const table = this.tableById(change.tableId);
          assert(table !== undefined);
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
            this.rows.putSync(key, encodeRow(change.after));
          }
          const record = { tableId: change.tableId, op: change.op, before: change.before, after: change.after, tsMs: proposedAtMs };
          this.changelog.putSync(lsnKey(lsnOf(entry.index, changeOffset++)), packr.pack(record));
          break;
        }
        default:
          assertNever(change);
      }
    }
    this.meta.putSync(metaAppliedIndex, entry.index);
  }

  private applyCreateTable(table: TableDef): void {
    assert(table.id === this.nextTableId(), 'table ids are allocated in order');
    assert(this.table(table.database, table.name) === undefined);
    const record: CatalogRecord = { table, dropped: false };
    this.catalog.putSync(tablePrefix(table.id), packr.pack(record));
    this.meta.putSync(metaNextTableId, table.id + 1);
    this.tablesById.set(table.id, record);
    this.liveTableIds.set(qualifiedName(table.database, table.name), table.id);
  }

  private applyDropTable(tableId: number): void {
    const record = this.tablesById.get(tableId);
    assert(record !== undefined && !record.dropped);
    for (const key of this.rows.getKeys({ start: tablePrefix(tableId), end: tableEnd(tableId) })) {
      this.rows.removeSync(key);
    }
    const dropped: CatalogRecord = { table: record.table, dropped: true };
    this.catalog.putSync(tablePrefix(tableId), packr.pack(dropped));
    this.tablesById.set(tableId, dropped);
    this.liveTableIds.delete(qualifiedName(record.table.database, record.table.name));
  }

  private loadCatalog(): void {
    for (const { value } of this.catalog.getRange({})) {
      const record = packr.unpack(value) as CatalogRecord;
      this.tablesById.set(record.table.id, record);
      if (!record.dropped) this.liveTableIds.set(qualifiedName(record.table.database, record.table.name), record.table.id);
      const next = this.readBigint(autoIncrementKey(record.table.id));
      if (next !== undefined) this.autoIncrements.set(record.table.id, next);
    }
  }

  private readBigint(key: string): bigint | undefined {
    const value = this.meta.get(key);
    if (value === undefined) return undefined;
    assert(typeof value === 'bigint' || typeof value === 'number');
    return BigInt(value);
  }
}

function autoIncrementKey(tableId: number): string {
  return `auto_increment.${tableId}`;
}

function lsnKey(lsn: bigint): Buffer {
  const key = Buffer.alloc(8);
  key.writeBigUInt64BE(lsn, 0);
  return key;
}
