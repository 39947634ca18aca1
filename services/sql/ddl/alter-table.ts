// The execution of ALTER TABLE and RENAME TABLE over an overlay. The actions give the table's
// next version (ddl/alter-definition.ts); then either its rows read through it as they are
// (an `alter_table` change, then index builds and drops as CREATE/DROP INDEX make them), or
// they are converted and rewritten (one `alter_table … rewrite` and every row in the new
// version, storage/DESIGN.md). Every row is read and checked here, on the leader, before
// anything is proposed, so a failing ALTER changes nothing; reading yields between rows.
import { TideError } from '../../base/errors.js';
import { topicNamesCollide } from '../../base/identifiers.js';
import type { Steps } from '../../base/time-slice.js';
import { indexedValues, indexEntryOf, uniquePrefixOf } from '../../storage/index-key.js';
import type { IndexEntry } from '../../storage/index-key.js';
import { encodeRowKey } from '../../storage/key-codec.js';
import { indexesOf, isVisible } from '../../storage/types.js';
import type { ColumnDef, IndexDef, Row, TableDef, Value } from '../../storage/types.js';
import { duplicateEntry, checkKeyLength } from '../index-checks.js';
import type { OverlayView } from '../overlay-view.js';
import type { BoundCheck, Plan } from '../plan.js';
import { checkConstraints, defaultValue } from '../row-rules.js';
import { SelectBinder } from '../select/binder.js';
import { statementContext } from '../select/subquery-runner.js';
import { coerceToColumn } from '../values.js';
import { alterDefinition, sameShape } from './alter-definition.js';
import type { AlteredTable } from './alter-definition.js';
import { carryForeignKeys } from './altered-foreign-keys.js';
import { bindChecks } from './check-binding.js';
import { changeIndexes, sortInSteps } from './index-ddl.js';

// Returns the rows affected: the rows rewritten, as MySQL counts those its copying ALTER copied.
export function* alterTable(plan: Extract<Plan, { kind: 'alter_table' }>, view: OverlayView, nowMs: number): Steps<number> {
  const current = existingTable(view, plan.database, plan.name);
  const defined = alterDefinition(current, plan.actions);
  const keys = carryForeignKeys(view, current, defined.table, defined.sources);
  const altered = { ...defined, table: keys.table };
  checkNewName(view, current, altered.table);
  const checks = bindChecks(new SelectBinder(view, altered.table.database), altered.table);
  const rowsAffected = altered.rewrite ? yield* rewriteTable(view, current, altered, checks, nowMs) : yield* keepRows(view, current, altered, checks, nowMs);
  for (const child of keys.children) view.alterTable(child.current, child.next);
  return rowsAffected;
}

// A version the rows read through as they are, checked first when it tightens a column.
function* keepRows(view: OverlayView, current: TableDef, altered: AlteredTable, checks: readonly BoundCheck[], nowMs: number): Steps<number> {
  if (altered.validate) yield* readAltered(view, current, altered, checks, nowMs, false);
  // The version that keeps the rows keeps the current indexes too (at their columns' new
  // positions); index drops and builds follow as versions of their own.
  const columnsOf = (index: IndexDef): IndexDef => ({ ...index, parts: index.parts.map((part) => ({ ...part, position: altered.table.columns.findIndex((column) => column.name === current.columns[part.position]!.name) })) });
  const { indexes: _next, ...withoutIndexes } = altered.table;
  const staged: TableDef = indexesOf(current).length === 0 ? withoutIndexes : { ...withoutIndexes, indexes: indexesOf(current).map(columnsOf) };
  let table = current;
  if (!sameDefinition(current, staged)) {
    view.alterTable(current, staged);
    table = staged;
  }
  yield* changeIndexes(view, table, altered.droppedIndexes, altered.addedIndexes);
  return 0;
}

// RENAME TABLE a TO b, c TO d: each pair in turn, so `a TO tmp, b TO a, tmp TO b` swaps two.
export function renameTables(plan: Extract<Plan, { kind: 'rename_tables' }>, view: OverlayView): void {
  for (const { from, to } of plan.renames) {
    const current = existingTable(view, from.database, from.name);
    const defined = alterDefinition(current, [{ kind: 'rename_table', database: to.database, name: to.name }]);
    const { table, children } = carryForeignKeys(view, current, defined.table, defined.sources);
    checkNewName(view, current, table);
    view.alterTable(current, table);
    // Foreign keys of other tables follow the parent to its new name, as InnoDB's do.
    for (const child of children) view.alterTable(child.current, child.next);
  }
}

function existingTable(view: OverlayView, database: string, name: string): TableDef {
  const table = view.table(database, name);
  if (table === undefined) throw new TideError('TABLE_NOT_FOUND', `table '${database}.${name}' does not exist`);
  return table;
}

// A table renamed takes a free name whose Kafka topic no other table's could be confused with.
function checkNewName(view: OverlayView, current: TableDef, next: TableDef): void {
  if (current.database === next.database && current.name === next.name) return;
  if (view.table(next.database, next.name) !== undefined || view.viewDef(next.database, next.name) !== undefined) throw new TideError('TABLE_EXISTS', `table '${next.database}.${next.name}' already exists`);
  const clash = view.allTables().find((existing) => existing.id !== current.id && topicNamesCollide(existing, next));
  if (clash !== undefined) throw new TideError('TABLE_DEFINITION_INVALID', `table '${next.database}.${next.name}' would share a Kafka topic with '${clash.database}.${clash.name}' (Kafka treats '.' and '_' alike)`);
}

function sameDefinition(a: TableDef, b: TableDef): boolean {
  return JSON.stringify({ ...a, version: 0 }) === JSON.stringify({ ...b, version: 0 });
}

// Every row converted to the new version, checked against its keys, and handed to the overlay
// with every index entry of the new version, which the batch then carries.
function* rewriteTable(view: OverlayView, current: TableDef, altered: AlteredTable, checks: readonly BoundCheck[], nowMs: number): Steps<number> {
  const next = altered.table;
  const firstRowId = view.autoIncrementNext(next.id);
  const rows = yield* readAltered(view, current, altered, checks, nowMs, true);
  const entries = new Map<number, readonly IndexEntry[]>();
  for (const index of indexesOf(next)) entries.set(index.id, yield* indexEntries(next, index, rows));
  view.rewriteTable(current, next, rows, entries);
  // Rows keyed anew by a hidden row id took ids from the table's counter.
  const rowIdsTaken = altered.sources[next.primaryKey[0]!] === null && !isVisible(next.columns[next.primaryKey[0]!]!);
  if (rowIdsTaken && rows.length > 0) view.setAutoIncrementNext(next.id, firstRowId + BigInt(rows.length));
  return rows.length;
}

interface KeyedRow {
  readonly key: Buffer;
  readonly row: Row;
}

// Reads every row in the new version's shape, yielding between rows, and checks it: NOT NULL,
// the new type (MySQL's strict-mode errors), CHECK constraints and, when the rows are kept
// (`keep`, a rewrite), the uniqueness of the primary key and of each UNIQUE index. Values are
// checked in every row before keys are, as InnoDB rebuilds a table (it converts the rows, then
// sorts the keys), so a statement with both kinds of fault fails as MySQL's does.
function* readAltered(view: OverlayView, current: TableDef, altered: AlteredTable, checks: readonly BoundCheck[], nowMs: number, keep: boolean): Steps<KeyedRow[]> {
  const next = altered.table;
  const context = statementContext(view, []);
  const fills = new Map<number, Value>();
  const fill = (position: number): Value => {
    if (!fills.has(position)) fills.set(position, fillOf(next.columns[position]!, nowMs));
    return fills.get(position)!;
  };
  let rowId = view.autoIncrementNext(next.id);
  const rows: KeyedRow[] = [];
  let rowNumber = 0;
  for (const { row: old } of view.scanRows(current)) {
    yield;
    rowNumber++;
    const row = next.columns.map((column, position): Value => {
      const source = altered.sources[position];
      if (source === null || source === undefined) return isVisible(column) ? fill(position) : rowId++;
      return converted(current.columns[source]!, column, old[source] ?? null, rowNumber);
    });
    checkConstraints(checks, row, context);
    if (!keep) continue;
    const key = encodeRowKey(next, row);
    checkKeyLength(key, 'primary key', next);
    rows.push({ key, row });
  }
  if (keep) yield* checkUnique(next, rows);
  return rows;
}

// The primary key, then each UNIQUE index (no part NULL), must not repeat among the rows.
function* checkUnique(table: TableDef, rows: readonly KeyedRow[]): Steps<void> {
  const seen = new Set<string>();
  for (const { key, row } of rows) {
    yield;
    const text = key.toString('latin1');
    if (seen.has(text)) throw duplicateEntry(primaryKeyIndex(table), table.primaryKey.map((position) => row[position] ?? null));
    seen.add(text);
  }
  for (const index of indexesOf(table).filter((candidate) => candidate.unique)) {
    seen.clear();
    for (const { row } of rows) {
      yield;
      const prefix = uniquePrefixOf(table, index, row)?.toString('latin1');
      if (prefix === undefined) continue;
      if (seen.has(prefix)) throw duplicateEntry(index, indexedValues(index, row));
      seen.add(prefix);
    }
  }
}

// A value of a kept column in its new definition: unchanged when the shape is, else assigned
// as INSERT assigns it, with MySQL's errors for an ALTER that copies: NULL in a column now NOT
// NULL is 1265; text too long is 1265 from one variable-length column to another (MySQL's
// copy of such a value truncates and says so), else 1406 as for INSERT; 1264 out of range;
// 1366 for what is no number or date. The message names the row, as MySQL's does.
function converted(from: ColumnDef, to: ColumnDef, value: Value, rowNumber: number): Value {
  if (value === null) {
    if (!to.nullable) throw new TideError('DATA_TRUNCATED', `data truncated for column '${to.name}' at row ${rowNumber}: it is NOT NULL and the row holds NULL`);
    return null;
  }
  if (sameShape(from, to)) return value;
  try {
    return coerceToColumn(to, value);
  } catch (error) {
    if (!(error instanceof TideError)) throw error;
    const code = error.code === 'VALUE_TOO_LONG' && variableLength.has(from.type) && from.type === to.type ? 'DATA_TRUNCATED' : error.code;
    throw new TideError(code, `${error.message} (at row ${rowNumber})`, error.details);
  }
}

const variableLength: ReadonlySet<ColumnDef['type']> = new Set(['VARCHAR', 'VARBINARY']);

// What an added column holds in the rows already there: its default; NULL; or for NOT NULL
// without a default, as MySQL, the type's implicit value (0, '', false, empty bytes, 00:00:00).
// MySQL's implicit date is the zero date, which strict mode refuses: so is it here.
function fillOf(column: ColumnDef, nowMs: number): Value {
  if (column.default !== undefined) return coerceToColumn(column, defaultValue(column, nowMs));
  if (column.nullable) return null;
  switch (column.type) {
    case 'CHAR':
    case 'VARCHAR':
    case 'TEXT':
      return '';
    case 'BOOLEAN':
      return false;
    case 'BINARY':
    case 'VARBINARY':
    case 'BLOB':
      return coerceToColumn(column, new Uint8Array(0));
    case 'TIME':
      return coerceToColumn(column, '00:00:00');
    case 'DATE':
    case 'DATETIME':
    case 'TIMESTAMP':
      throw new TideError('DATETIME_INVALID', `column '${column.name}' is NOT NULL without a default: its rows would hold the zero date, which is no ${column.type}`);
    case 'JSON':
      throw new TideError('DATA_TRUNCATED', `JSON column '${column.name}' is NOT NULL without a default, so the table's rows would hold no value for it`);
    default:
      return coerceToColumn(column, 0n);
  }
}

// The primary key as an index, for the text of a duplicate entry error (`for key 'PRIMARY'`).
function primaryKeyIndex(table: TableDef): IndexDef {
  return { id: 0, name: 'PRIMARY', unique: true, parts: table.primaryKey.map((position) => ({ position, direction: 'asc' })) };
}

// Every entry of `index` for the rewritten rows, in key order (sorted in steps).
function* indexEntries(table: TableDef, index: IndexDef, rows: readonly KeyedRow[]): Steps<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  for (const { row } of rows) {
    yield;
    const entry = indexEntryOf(table, index, row);
    checkKeyLength(entry.key, `index '${index.name}'`, table);
    entries.push(entry);
  }
  return yield* sortInSteps(entries, (a, b) => Buffer.compare(a.key, b.key));
}
