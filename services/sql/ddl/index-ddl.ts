// Index specs → index definitions, checked against their table, and the execution of CREATE
// INDEX, DROP INDEX and ALTER TABLE's index actions on a table whose rows stay as they are. Each action makes a new version of the
// table; adding one to a populated table is one change that apply builds in slices
// (storage/DESIGN.md), so everything that could make the build fail — a duplicate in a UNIQUE
// index, a key too long — is found here, on the leader, before anything is proposed.
import { TideError } from '../../base/errors.js';
import { indexesPerTableMax, partsPerIndexMax } from '../../base/limits.js';
import type { Steps } from '../../base/time-slice.js';
import { indexEntryOf, indexedValues, uniquePrefixOf } from '../../storage/index-key.js';
import type { IndexEntry } from '../../storage/index-key.js';
import { indexesOf, isVisible } from '../../storage/types.js';
import type { IndexDef, TableDef } from '../../storage/types.js';
import { checkKeyLength, duplicateEntry } from '../index-checks.js';
import { refuseDropOfIndexInUse } from '../foreign-key-checks.js';
import type { OverlayView } from '../overlay-view.js';
import type { IndexSpec } from '../plan.js';

// The definitions of a new table's indexes, in declaration order.
export function indexDefsOf(table: TableDef, specs: readonly IndexSpec[]): IndexDef[] {
  const indexes: IndexDef[] = [];
  for (const spec of specs) indexes.push(indexDefOf(table, spec, indexes));
  return indexes;
}

// One more index for `table`, beside `existing`.
export function indexDefOf(table: TableDef, spec: IndexSpec, existing: readonly IndexDef[]): IndexDef {
  if (existing.length >= indexesPerTableMax) throw invalid(`a table has at most ${indexesPerTableMax} indexes`);
  if (spec.columns.length === 0 || spec.columns.length > partsPerIndexMax) throw invalid(`an index has 1 to ${partsPerIndexMax} columns`);
  const parts = spec.columns.map(({ name, direction }) => {
    const position = table.columns.findIndex((column) => column.name.toLowerCase() === name.toLowerCase() && isVisible(column));
    if (position < 0) throw new TideError('KEY_COLUMN_NOT_FOUND', `key column '${name}' does not exist in table '${table.name}'`);
    // As in MySQL (3152), a JSON column is in no index; its parts are, through generated columns.
    if (table.columns[position]!.type === 'JSON') throw invalid(`JSON column '${name}' cannot be indexed`);
    return { position, direction };
  });
  if (new Set(parts.map((part) => part.position)).size !== parts.length) throw invalid('a column is listed twice in one index');
  const name = spec.name ?? defaultName(table.columns[parts[0]!.position]!.name, existing);
  // PRIMARY names the primary key in SHOW INDEX and in MySQL's own DDL.
  if (name.toLowerCase() === 'primary') throw invalid(`'${name}' is not a name an index may have`);
  if (existing.some((index) => index.name.toLowerCase() === name.toLowerCase())) throw new TideError('INDEX_EXISTS', `table '${table.name}' already has an index named '${name}'`);
  // Ids go on from the highest live one: entries of a dropped index are removed by the apply
  // of its drop, which comes before that of any later build that could reuse its id.
  const id = Math.max(0, ...existing.map((index) => index.id)) + 1;
  return { id, name, unique: spec.unique, parts };
}

// MySQL's default: the first column's name, then with _2, _3, … until it is free.
function defaultName(column: string, existing: readonly IndexDef[]): string {
  const taken = new Set(existing.map((index) => index.name.toLowerCase()));
  if (!taken.has(column.toLowerCase()) && column.toLowerCase() !== 'primary') return column;
  for (let suffix = 2; ; suffix++) if (!taken.has(`${column}_${suffix}`.toLowerCase())) return `${column}_${suffix}`;
}

// Index actions of an ALTER TABLE that keeps its rows (ddl/alter-table.ts), each a new version
// of `table`: drops first, then adds, in the order written, so that as in MySQL `DROP INDEX a,
// ADD INDEX a (…)` replaces an index in one statement. Returns the last version.
export function* changeIndexes(view: OverlayView, table: TableDef, dropped: readonly IndexDef[], added: readonly IndexSpec[]): Steps<TableDef> {
  let current = table;
  for (const index of dropped) {
    // An index a foreign key looks up through stays (1553).
    refuseDropOfIndexInUse(view, current, index);
    current = { ...current, version: current.version + 1, indexes: indexesOf(current).filter((candidate) => candidate.id !== index.id) };
    view.dropIndex(current, index);
  }
  for (const spec of added) {
    const index = indexDefOf(current, spec, indexesOf(current));
    const entries = yield* checkedEntries(view, current, index);
    current = { ...current, version: current.version + 1, indexes: [...indexesOf(current), index] };
    view.createIndex(current, index.id, entries);
  }
  return current;
}

// Reads every row the build will index, yielding between rows: each entry must fit a key,
// and a UNIQUE index's values must differ between rows. Returns the entries in key order, which
// the overlay answers reads of the index with until its build applies (so no read waits for a
// scan of the table). They are held in memory, as many as the table has rows.
function* checkedEntries(view: OverlayView, table: TableDef, index: IndexDef): Steps<IndexEntry[]> {
  // Each entry with its unique prefix (null: not unique, or a NULL part), for the check below.
  const built: { entry: IndexEntry; prefix: Buffer | null }[] = [];
  for (const { row } of view.scanRows(table)) {
    yield;
    const entry = indexEntryOf(table, index, row);
    checkKeyLength(entry.key, `index '${index.name}'`, table);
    built.push({ entry, prefix: index.unique ? uniquePrefixOf(table, index, row) : null });
  }
  const sorted = yield* sortInSteps(built, (a, b) => Buffer.compare(a.entry.key, b.entry.key));
  // Equal values sort next to each other, whatever primary keys follow them.
  const entries: IndexEntry[] = [];
  let previous: Buffer | null = null;
  for (const { entry, prefix } of sorted) {
    yield;
    if (prefix !== null && previous !== null && prefix.equals(previous)) {
      throw duplicateEntry(index, indexedValues(index, view.getRow(table, entry.rowKey) ?? []));
    }
    previous = prefix;
    entries.push(entry);
  }
  return entries;
}

// A merge sort that yields between steps: runs of `sortRunLength` are sorted at once (well
// under a slice), then merged pairwise an item at a time. Stable, as Array.prototype.sort.
export function* sortInSteps<T>(items: readonly T[], compare: (a: T, b: T) => number): Steps<T[]> {
  let runs: T[][] = [];
  for (let start = 0; start < items.length; start += sortRunLength) {
    yield;
    runs.push(items.slice(start, start + sortRunLength).sort(compare));
  }
  while (runs.length > 1) {
    const merged: T[][] = [];
    for (let at = 0; at < runs.length; at += 2) {
      const left = runs[at]!;
      const right = runs[at + 1];
      if (right === undefined) {
        merged.push(left);
        continue;
      }
      const out: T[] = [];
      let l = 0;
      let r = 0;
      while (l < left.length || r < right.length) {
        if ((out.length & 0xff) === 0) yield;
        if (r >= right.length || (l < left.length && compare(left[l]!, right[r]!) <= 0)) out.push(left[l++]!);
        else out.push(right[r++]!);
      }
      merged.push(out);
    }
    runs = merged;
  }
  return runs[0] ?? [];
}

const sortRunLength = 1_024;

function invalid(message: string): TideError {
  return new TideError('TABLE_DEFINITION_INVALID', message);
}
