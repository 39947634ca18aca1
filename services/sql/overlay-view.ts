// A view of a base view plus changes not applied to it yet: those of one transaction while it
// executes, or of a batch proposed to Raft and waiting for apply. Reads see the changes; the
// changes are also recorded, in order, as the batch they will become.
import { assert } from '../base/assert.js';
import { indexEntryOf, indexRangeBytes, inRange, primaryRangeBytes, wholeIndex } from '../storage/index-key.js';
import type { IndexEntry, IndexRange } from '../storage/index-key.js';
import { encodeRowKey } from '../storage/key-codec.js';
import { indexesOf, qualifiedName } from '../storage/types.js';
import { accountName } from '../storage/store.js';
import type { ColumnMask } from '../storage/row-columns.js';
import type { StorageTotals } from '../storage/store.js';
import type { AccountDef, BatchChange, IndexDef, Row, RowOp, TableDef, ViewDef } from '../storage/types.js';
import type { ReadView } from './read-view.js';
import type { Collation } from '../values/collation.js';

// What this view holds for one key: an item, or null where it removed the base's.
interface Shadow<T> {
  readonly key: Buffer;
  readonly item: T | null;
}

interface KeyedRow {
  readonly key: Buffer;
  readonly row: Row;
}

// The views sealed under the one executing, when the write path keeps an index of them
// (write/pending-batches.ts). A busy leader stacks one view per batch in flight, hundreds at
// 256 writers, and a point lookup walked down all of them; through the index it asks one.
export interface SealedStack {
  // The nearest sealed view whose own changes decide the key's row (a write of it, or a drop,
  // truncate or rewrite of its table), or null when none does and `bottom` answers.
  viewDeciding(tableId: number, keyText: string): OverlayView | null;
  // Whether any sealed view changed the catalog: created, altered, renamed or dropped a table,
  // or changed a view or a database (a kept plan stands on those too).
  changesCatalog(): boolean;
  readonly bottom: ReadView;
}

// What a sealed view changed, for the index of its stack.
export interface SealedChanges {
  // Per table, the keys (as text) of the rows it wrote or deleted.
  readonly rowKeys: ReadonlyMap<number, ReadonlyMap<string, unknown>>;
  // Tables whose every row this view decides: dropped, truncated or rewritten here.
  readonly wholeTables: readonly number[];
  readonly changesCatalog: boolean;
}

// A view's own answer for a row that its changes leave to the views under it.
const decidedBelow: unique symbol = Symbol('decided below');

export class OverlayView implements ReadView {
  private readonly changeList: BatchChange[] = [];
  // Tables this view created, and new versions of base tables (ALTER TABLE, index changes), by
  // name; and the name each of them has here, by id, so that a base table renamed here is no
  // longer found under its old name.
  private readonly ownTables = new Map<string, TableDef>();
  private readonly ownNames = new Map<number, string>();
  private readonly droppedTableIds = new Set<number>();
  // Tables this view truncated: the base's rows and index entries of them are gone; rows
  // written after the truncate are this view's own.
  private readonly truncatedTableIds = new Set<number>();
  // Tables whose rows this view rewrote (ALTER TABLE that converts them): every row is in
  // `rowsByTable` and every index entry in `createdIndexes`, so the base's are never read.
  private readonly rewrittenTableIds = new Set<number>();
  private readonly rowsByTable = new Map<number, Map<string, Shadow<KeyedRow>>>();
  // Index entries changed by this view's row writes, by `indexSlot`.
  private readonly entriesByIndex = new Map<string, Map<string, Shadow<IndexEntry>>>();
  // Indexes this view created, with their entries as the leader computed them when it checked
  // the build (in key order): the base has none until the batch that builds them applies.
  // Row writes after the creation shadow them through `entriesByIndex`, as for any index.
  private readonly createdIndexes = new Map<string, readonly IndexEntry[]>();
  private readonly autoIncrements = new Map<number, bigint>();
  // CREATE and DROP DATABASE of this view: true for created, false for dropped.
  // Databases this view created (with their default collation) or dropped (false).
  private readonly ownDatabases = new Map<string, Collation | false>();
  // CREATE [OR REPLACE] VIEW and DROP VIEW of this view, by qualified name: null for dropped.
  private readonly ownViews = new Map<string, ViewDef | null>();
  // Accounts this view wrote or dropped, by `accountName`: null for dropped.
  private readonly ownAccounts = new Map<string, AccountDef | null>();
  // Rows this view added to each table, less those it deleted.
  private readonly rowCountDeltas = new Map<number, number>();
  private nextTableIdValue: number | null = null;

  // The text of the statement executing now, which the write path sets before each: the schema
  // changes it makes carry it (`ddl`) to their changelog records. Null: none known.
  statementText: string | null = null;

  // The account the request runs as, which the write path sets: SHOW GRANTS without FOR shows
  // its grants. Null: the node itself (root).
  currentAccount: { readonly user: string; readonly host: string } | null = null;

  // LAST_INSERT_ID() of the statement executing now, which the write path sets (read-view.ts).
  lastInsertId: bigint | null = null;

  // The index of the sealed views under this one while it executes on top of them; null when
  // lookups walk down from `base` (write/pending-batches.ts sets and clears it).
  sealedBelow: SealedStack | null = null;

  // `base` is re-pointed when the view below this one is applied and leaves the stack.
  constructor(public base: ReadView) {}

  // What this view changed, once it is sealed (proposed: it changes no more).
  sealedChanges(): SealedChanges {
    const rowKeys = this.rowsByTable;
    const wholeTables = [...this.droppedTableIds, ...this.truncatedTableIds, ...this.rewrittenTableIds];
    return { rowKeys, wholeTables, changesCatalog: this.ownTables.size > 0 || this.ownNames.size > 0 || this.droppedTableIds.size > 0 || this.ownViews.size > 0 || this.ownDatabases.size > 0 };
  }

  changes(): readonly BatchChange[] {
    return this.changeList;
  }

  // --- reads --------------------------------------------------------------------------------

  table(database: string, name: string): TableDef | undefined {
    return this.tableNamed(qualifiedName(database, name), database, name);
  }

  // Views stack deep on a busy leader (one per pending batch, dozens under load): a lookup
  // computes its key once for the whole stack, not once per view.
  private tableNamed(qualified: string, database: string, name: string): TableDef | undefined {
    const own = this.ownTables.get(qualified);
    if (own !== undefined) return own;
    const sealed = this.sealedBelow;
    const table =
      sealed !== null && !sealed.changesCatalog() ? sealed.bottom.table(database, name) : this.base instanceof OverlayView ? this.base.tableNamed(qualified, database, name) : this.base.table(database, name);
    if (table === undefined || this.droppedTableIds.has(table.id)) return undefined;
    // Renamed here: the base still knows it by its old name.
    return this.ownNames.has(table.id) ? undefined : table;
  }

  allTables(): readonly TableDef[] {
    const own = [...this.ownTables.values()];
    const ownIds = new Set(own.map((table) => table.id));
    return [...this.base.allTables().filter((table) => !ownIds.has(table.id)), ...own];
  }

  databaseCollation(name: string): Collation {
    const own = this.ownDatabases.get(name);
    if (own === undefined) return this.base.databaseCollation(name);
    return own === false ? 'utf8mb4_bin' : own;
  }

  createdDatabases(): readonly string[] {
    const names = new Set(this.base.createdDatabases());
    for (const [name, created] of this.ownDatabases) {
      if (created !== false) names.add(name);
      else names.delete(name);
    }
    return [...names].sort();
  }

  nextTableId(): number {
    return this.nextTableIdValue ?? this.base.nextTableId();
  }

  viewDef(database: string, name: string): ViewDef | undefined {
    const own = this.ownViews.get(qualifiedName(database, name));
    return own === undefined ? this.base.viewDef(database, name) : (own ?? undefined);
  }

  allViews(): readonly ViewDef[] {
    // In the store's order: by database, then name.
    return shadowed(this.base.allViews(), this.ownViews, (view) => qualifiedName(view.database, view.name), (view) => `${view.database}\u0000${view.name}`);
  }

  account(user: string, host: string): AccountDef | undefined {
    const own = this.ownAccounts.get(accountName(user, host));
    return own === undefined ? this.base.account(user, host) : (own ?? undefined);
  }

  allAccounts(): readonly AccountDef[] {
    // In the store's order: by user, then host.
    const key = (account: AccountDef): string => accountName(account.user, account.host);
    return shadowed(this.base.allAccounts(), this.ownAccounts, key, key);
  }

  rowCount(tableId: number): number {
    if (this.droppedTableIds.has(tableId)) return 0;
    // A table truncated here counts only the rows written after the truncate.
    const base = this.truncatedTableIds.has(tableId) ? 0 : this.base.rowCount(tableId);
    return base + (this.rowCountDeltas.get(tableId) ?? 0);
  }

  tableCreatedAtMs(tableId: number): number | null {
    return this.droppedTableIds.has(tableId) ? null : this.base.tableCreatedAtMs(tableId);
  }

  storageTotals(): StorageTotals {
    return this.base.storageTotals();
  }

  autoIncrementNext(tableId: number): bigint {
    return this.autoIncrements.get(tableId) ?? this.base.autoIncrementNext(tableId);
  }

  getRow(table: TableDef, key: Buffer): Row | undefined {
    // A view that holds nothing of the table (a read's, most of the time) asks its base straight
    // away: the key's text, which the stack's lookups go by, is made only by a view that has
    // rows of its own to look it up in.
    if (this.sealedBelow === null && !this.holdsAnythingOf(table.id)) return this.base.getRow(table, key);
    return this.rowAt(table, key, key.toString('latin1'));
  }

  private holdsAnythingOf(tableId: number): boolean {
    return this.rowsByTable.has(tableId) || this.droppedTableIds.has(tableId) || this.truncatedTableIds.has(tableId) || this.rewrittenTableIds.has(tableId);
  }

  // getRow with the key's text computed once for the whole stack of views (see tableNamed).
  private rowAt(table: TableDef, key: Buffer, text: string): Row | undefined {
    const own = this.ownRowAt(table.id, text);
    if (own !== decidedBelow) return own;
    const sealed = this.sealedBelow;
    if (sealed !== null) {
      const deciding = sealed.viewDeciding(table.id, text);
      if (deciding === null) return sealed.bottom.getRow(table, key);
      const decided = deciding.ownRowAt(table.id, text);
      assert(decided !== decidedBelow, 'the sealed index named a view that does not decide the row');
      return decided;
    }
    return this.base instanceof OverlayView ? this.base.rowAt(table, key, text) : this.base.getRow(table, key);
  }

  private ownRowAt(tableId: number, text: string): Row | undefined | typeof decidedBelow {
    if (this.droppedTableIds.has(tableId)) return undefined;
    const shadow = this.rowsByTable.get(tableId)?.get(text);
    if (shadow !== undefined) return shadow.item?.row;
    if (this.truncatedTableIds.has(tableId) || this.rewrittenTableIds.has(tableId)) return undefined;
    return decidedBelow;
  }

  // Merges the base's rows with this overlay's, both in key order (or both in reverse).
  // With no rows of its own in the table, the base's rows as they come (no layer between).
  scanRows(table: TableDef, range: IndexRange = wholeIndex, reverse = false, columns?: ColumnMask): Iterable<KeyedRow> {
    if (this.droppedTableIds.has(table.id)) return [];
    const own = this.rowsByTable.get(table.id);
    const below = this.truncatedTableIds.has(table.id) || this.rewrittenTableIds.has(table.id) ? [] : this.base.scanRows(table, range, reverse, columns);
    if (own === undefined || own.size === 0) return below;
    const { start, end } = primaryRangeBytes(table, range);
    return mergeShadowed(below, own, shadowKeysIn(own, start, end, reverse), reverse);
  }

  *scanIndex(table: TableDef, index: IndexDef, range: IndexRange, reverse = false): Generator<IndexEntry> {
    if (this.droppedTableIds.has(table.id)) return;
    const slot = indexSlot(table, index);
    const created = this.createdIndexes.get(slot);
    // An index this view created holds the entries of the rows the view had then (after any
    // truncate of its own); else a truncate leaves none of the base's.
    const below =
      created !== undefined ? entriesInRange(created, indexRangeBytes(table, index, range), reverse) : this.truncatedTableIds.has(table.id) ? [] : this.base.scanIndex(table, index, range, reverse);
    const own = this.entriesByIndex.get(slot);
    if (own === undefined || own.size === 0) {
      yield* below;
      return;
    }
    const { start, end } = indexRangeBytes(table, index, range);
    // A row this view wrote has exactly the entries its own changes made: any entry of it
    // below is gone or one of those. Most often those are shadowed by key; but the row this
    // view changed may differ from the base's (a transaction's current read wrote it from a
    // newer state than the snapshot it reads again later, write/transaction.ts), and then the
    // base's entry of it has a key this view never touched.
    const ownRows = created === undefined ? this.rowsByTable.get(table.id) : undefined;
    const base = ownRows === undefined || ownRows.size === 0 ? below : withoutRows(below, ownRows);
    yield* mergeShadowed(base, own, shadowKeysIn(own, start, end, reverse), reverse);
  }

  // --- writes -------------------------------------------------------------------------------

  createTable(table: TableDef): void {
    assert(table.id === this.nextTableId());
    assert(this.table(table.database, table.name) === undefined);
    this.ownTables.set(qualifiedName(table.database, table.name), table);
    this.ownNames.set(table.id, qualifiedName(table.database, table.name));
    this.nextTableIdValue = table.id + 1;
    this.changeList.push({ kind: 'create_table', table, ...this.ddlText() });
  }

  dropTable(table: TableDef): void {
    this.ownTables.delete(qualifiedName(table.database, table.name));
    this.ownNames.delete(table.id);
    this.droppedTableIds.add(table.id);
    this.rowsByTable.delete(table.id);
    this.rowCountDeltas.delete(table.id);
    for (const index of indexesOf(table)) this.forgetIndex(table, index);
    this.changeList.push({ kind: 'drop_table', tableId: table.id, ...this.ddlText() });
  }

  // TRUNCATE: the table's rows and index entries, the base's and this view's, are gone, and its
  // auto-increment counter starts again at 1 (apply resets it too; the batch says nothing more).
  truncateTable(table: TableDef): void {
    this.truncatedTableIds.add(table.id);
    this.rowsByTable.delete(table.id);
    this.rowCountDeltas.delete(table.id);
    for (const index of indexesOf(table)) this.forgetIndex(table, index);
    this.autoIncrements.set(table.id, 1n);
    this.changeList.push({ kind: 'truncate_table', tableId: table.id, schemaVersion: table.version, ...this.ddlText() });
  }

  createDatabase(name: string, collation: Collation): void {
    assert(!this.createdDatabases().includes(name));
    this.ownDatabases.set(name, collation);
    this.changeList.push({ kind: 'create_database', name, ...(collation === 'utf8mb4_general_ci' ? { collation } : {}), ...this.ddlText() });
  }

  // A new view, or a new definition of one (CREATE OR REPLACE VIEW); no table has its name.
  createView(view: ViewDef): void {
    assert(this.table(view.database, view.name) === undefined);
    this.ownViews.set(qualifiedName(view.database, view.name), view);
    this.changeList.push({ kind: 'create_view', view });
  }

  dropView(view: ViewDef): void {
    assert(this.viewDef(view.database, view.name) !== undefined);
    this.ownViews.set(qualifiedName(view.database, view.name), null);
    this.changeList.push({ kind: 'drop_view', database: view.database, name: view.name });
  }

  // A new account, or a new state of one (its password, plugin or grants): written whole.
  putAccount(account: AccountDef): void {
    this.ownAccounts.set(accountName(account.user, account.host), account);
    this.changeList.push({ kind: 'put_account', account });
  }

  dropAccount(account: AccountDef): void {
    assert(this.account(account.user, account.host) !== undefined);
    this.ownAccounts.set(accountName(account.user, account.host), null);
    this.changeList.push({ kind: 'drop_account', user: account.user, host: account.host });
  }

  // Its tables are dropped first, each by dropTable.
  dropDatabase(name: string): void {
    assert(this.createdDatabases().includes(name));
    this.ownDatabases.set(name, false);
    this.changeList.push({ kind: 'drop_database', name, ...this.ddlText() });
  }

  // `table` is the next version of a live table, with index `indexId` added; `entries` are the
  // index's entries for the rows this view holds now, in key order.
  createIndex(table: TableDef, indexId: number, entries: readonly IndexEntry[]): void {
    const index = indexesOf(table).find((candidate) => candidate.id === indexId);
    assert(index !== undefined);
    this.putVersion(this.table(table.database, table.name), table);
    this.createdIndexes.set(indexSlot(table, index), entries);
    this.changeList.push({ kind: 'create_index', table, indexId, ...this.ddlText() });
  }

  // `table` is the next version of a live table, without index `index`.
  dropIndex(table: TableDef, index: IndexDef): void {
    this.putVersion(this.table(table.database, table.name), table);
    this.forgetIndex(table, index);
    this.changeList.push({ kind: 'drop_index', table, indexId: index.id, ...this.ddlText() });
  }

  // `table` is the next version of `current`, a live table, whose rows read through it as they
  // are (storage's reshapeRow): columns added or moved, a new name, other options.
  alterTable(current: TableDef, table: TableDef): void {
    this.putVersion(current, table);
    this.changeList.push({ kind: 'alter_table', table, ...this.ddlText() });
  }

  // `table` is the next version of `current`, with `rows` every row of the table in its shape
  // and `entries` every entry of each of its indexes (by index id, in key order), as the leader
  // computed them. Reads of the table see only these from now on.
  rewriteTable(current: TableDef, table: TableDef, rows: readonly KeyedRow[], entries: ReadonlyMap<number, readonly IndexEntry[]>): void {
    this.putVersion(current, table);
    for (const index of [...indexesOf(current), ...indexesOf(table)]) this.forgetIndex(table, index);
    for (const index of indexesOf(table)) {
      const indexEntries = entries.get(index.id);
      assert(indexEntries !== undefined);
      this.createdIndexes.set(indexSlot(table, index), indexEntries);
    }
    this.rewrittenTableIds.add(table.id);
    this.rowsByTable.set(table.id, new Map(rows.map((row) => [row.key.toString('latin1'), { key: row.key, item: row }])));
    this.changeList.push({ kind: 'alter_table', table, rewrite: true, ...this.ddlText() });
    for (const { row } of rows) this.changeList.push({ kind: 'rewritten_row', tableId: table.id, schemaVersion: table.version, row });
  }

  setAutoIncrementNext(tableId: number, next: bigint): void {
    assert(next > this.autoIncrementNext(tableId));
    this.autoIncrements.set(tableId, next);
    this.changeList.push({ kind: 'auto_increment', tableId, next });
  }

  // Records one row change; `before` must be what this view holds for the key now. `table` is
  // the table's current version here, whose indexes get the row's entries.
  writeRow(table: TableDef, op: RowOp, before: Row | null, after: Row | null): void {
    const image = after ?? before;
    assert(image !== null);
    const key = encodeRowKey(table, image);
    let rows = this.rowsByTable.get(table.id);
    if (rows === undefined) this.rowsByTable.set(table.id, (rows = new Map()));
    rows.set(key.toString('latin1'), { key, item: after === null ? null : { key, row: after } });
    for (const index of indexesOf(table)) this.moveIndexEntry(table, index, before, after);
    if (op !== 'u') this.rowCountDeltas.set(table.id, (this.rowCountDeltas.get(table.id) ?? 0) + (op === 'c' ? 1 : -1));
    this.changeList.push({ kind: 'row', tableId: table.id, schemaVersion: table.version, op, before, after });
  }

  private moveIndexEntry(table: TableDef, index: IndexDef, before: Row | null, after: Row | null): void {
    const slot = indexSlot(table, index);
    let entries = this.entriesByIndex.get(slot);
    if (entries === undefined) this.entriesByIndex.set(slot, (entries = new Map()));
    if (before !== null) {
      const removed = indexEntryOf(table, index, before);
      entries.set(removed.key.toString('latin1'), { key: removed.key, item: null });
    }
    if (after !== null) {
      const added = indexEntryOf(table, index, after);
      entries.set(added.key.toString('latin1'), { key: added.key, item: added });
    }
  }

  private ddlText(): { ddl?: string } {
    return this.statementText === null ? {} : { ddl: this.statementText };
  }

  private putVersion(current: TableDef | undefined, table: TableDef): void {
    assert(current !== undefined && current.id === table.id && table.version === current.version + 1);
    const name = qualifiedName(table.database, table.name);
    if (name !== qualifiedName(current.database, current.name)) {
      assert(this.table(table.database, table.name) === undefined);
      this.ownTables.delete(qualifiedName(current.database, current.name));
    }
    this.ownTables.set(name, table);
    this.ownNames.set(table.id, name);
  }

  private forgetIndex(table: TableDef, index: IndexDef): void {
    const slot = indexSlot(table, index);
    this.entriesByIndex.delete(slot);
    this.createdIndexes.delete(slot);
  }
}

// The entries of a sorted list within [start, end), found by binary search, in order or in reverse.
function* entriesInRange(entries: readonly IndexEntry[], { start, end }: { start: Buffer; end: Buffer }, reverse: boolean): Generator<IndexEntry> {
  const first = firstAtOrAfter(entries, start);
  const past = firstAtOrAfter(entries, end);
  if (!reverse) for (let at = first; at < past; at++) yield entries[at]!;
  else for (let at = past - 1; at >= first; at--) yield entries[at]!;
}

function firstAtOrAfter(entries: readonly IndexEntry[], key: Buffer): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Buffer.compare(entries[middle]!.key, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

// Index entries of rows other than those keyed (as latin1 strings) in `rows`.
function* withoutRows(entries: Iterable<IndexEntry>, rows: ReadonlyMap<string, unknown>): Generator<IndexEntry> {
  for (const entry of entries) if (!rows.has(entry.rowKey.toString('latin1'))) yield entry;
}

// The keys of this view's shadows within [start, end), as latin1 strings, in the order of a scan.
function shadowKeysIn<T>(own: ReadonlyMap<string, Shadow<T>>, start: Buffer, end: Buffer, reverse: boolean): string[] {
  const keys = [...own.values()].filter((shadow) => inRange(shadow.key, start, end)).map((shadow) => shadow.key.toString('latin1'));
  keys.sort();
  return reverse ? keys.reverse() : keys;
}

function indexSlot(table: TableDef, index: IndexDef): string {
  return `${table.id}/${index.id}`;
}

// The base's items merged with this view's shadows of them, in key order (or in reverse, with
// `base` and `ownKeys` both reversed). `ownKeys` are the shadows to merge (latin1 strings, which
// compare in the order of the bytes they hold), sorted in the scan's order.
function* mergeShadowed<T extends { readonly key: Buffer }>(base: Iterable<T>, own: ReadonlyMap<string, Shadow<T>>, ownKeys: readonly string[], reverse: boolean): Generator<T> {
  let next = 0;
  const comesFirst = (ownKey: string, baseKey: string): boolean => (reverse ? ownKey >= baseKey : ownKey <= baseKey);
  for (const item of base) {
    const baseKey = item.key.toString('latin1');
    for (; next < ownKeys.length && comesFirst(ownKeys[next]!, baseKey); next++) {
      const shadow = own.get(ownKeys[next]!)!;
      if (shadow.item !== null) yield shadow.item;
    }
    if (!own.has(baseKey)) yield item;
  }
  for (; next < ownKeys.length; next++) {
    const shadow = own.get(ownKeys[next]!)!;
    if (shadow.item !== null) yield shadow.item;
  }
}

// The base's items with a view's own over them (null: removed there), sorted by `sortKey` as
// code units compare, which is the store's order.
function shadowed<T>(base: readonly T[], own: ReadonlyMap<string, T | null>, ownKey: (item: T) => string, sortKey: (item: T) => string): readonly T[] {
  if (own.size === 0) return base;
  const kept = base.filter((item) => !own.has(ownKey(item)));
  const added = [...own.values()].filter((item): item is T => item !== null);
  return [...kept, ...added].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}
