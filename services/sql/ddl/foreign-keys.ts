// FOREIGN KEY declarations checked against the tables they name, and the DDL around them:
// CREATE TABLE's constraints (with the child index InnoDB would add), ALTER TABLE … ADD
// FOREIGN KEY (validating the rows already there) and DROP FOREIGN KEY, DROP TABLE of a
// referenced parent, and the listing other modules read (SHOW CREATE TABLE, information_schema).
// Enforcement on writes is foreign-key-checks.ts.
import { TideError } from '../../base/errors.js';
import { partsPerIndexMax } from '../../base/limits.js';
import type { Steps } from '../../base/time-slice.js';
import { foreignKeysOf, indexesOf, isVisible } from '../../storage/types.js';
import type { ColumnDef, ForeignKeyDef, ForeignKeyRule, TableDef } from '../../storage/types.js';
import type { OverlayView } from '../overlay-view.js';
import type { BoundCheck, Expr, ForeignKeyAction, ForeignKeySpec, IndexSpec, Plan } from '../plan.js';
import { children } from '../select/expr-walk.js';
import type { ReadView } from '../read-view.js';
import { liveTables } from '../show.js';
import { changeIndexes } from './index-ddl.js';
import { hasParentRow, missingParent } from '../foreign-key-checks.js';
import { parentKeyOf, sameName, supportingKeyExists } from '../foreign-key-shape.js';

// --- CREATE TABLE -------------------------------------------------------------------------------

// A new table's foreign keys, checked against their parents (the table itself for a
// self-reference), and the indexes to add so that each leads with its columns: InnoDB adds one
// per foreign key that no index (the primary key included) leads with, named after the
// constraint, else after its first column. `table` already has its declared indexes.
export function newTableForeignKeys(view: ReadView, table: TableDef, specs: readonly ForeignKeySpec[]): { foreignKeys: ForeignKeyDef[]; indexes: IndexSpec[] } {
  const foreignKeys: ForeignKeyDef[] = [];
  for (const spec of specs) foreignKeys.push(foreignKeyDefOf(view, table, spec, foreignKeys));
  const names = foreignKeys.map((key) => key.columns.map((position) => table.columns[position]!.name));
  const needed = foreignKeys.map((key) => !supportingKeyExists(table, key.columns));
  const indexes: IndexSpec[] = [];
  names.forEach((columns, at) => {
    // An index another foreign key gets may serve this one too: MySQL drops a generated index
    // that another one (longer, or equal and earlier) leads with.
    const servedByOther = names.some((other, by) => by !== at && needed[by] === true && leadsWith(other, columns) && (other.length > columns.length || (other.length === columns.length && by < at)));
    if (needed[at] !== true || servedByOther) return;
    indexes.push(childIndexSpec(specs[at]!, columns, [...indexesOf(table).map((index) => index.name), ...indexes.map((index) => index.name)]));
  });
  return { foreignKeys, indexes };
}

// The index InnoDB adds for a foreign key: named after the constraint, else after the FOREIGN
// KEY's index name, else (and when an index has that name) MySQL's default for an index.
function childIndexSpec(spec: ForeignKeySpec, columns: readonly string[], taken: readonly (string | null)[]): IndexSpec {
  const name = spec.name ?? spec.indexName;
  const free = name !== null && !taken.some((other) => other?.toLowerCase() === name.toLowerCase());
  return { name: free ? name : null, unique: false, columns: columns.map((column) => ({ name: column, direction: 'asc' })) };
}

// MySQL's 3823: a column a CHECK reads is not one a foreign key's CASCADE or SET NULL may
// change, since such changes are made by the cascade, outside the statement that checks rows.
export function refuseCheckedActionColumns(columns: readonly ColumnDef[], checks: readonly BoundCheck[], specs: readonly ForeignKeySpec[]): void {
  for (const spec of specs) {
    if (!acts(spec.onDelete) && !acts(spec.onUpdate)) continue;
    for (const name of spec.columns) {
      const position = columns.findIndex((column) => column.name.toLowerCase() === name.toLowerCase());
      const check = checks.find((candidate) => readsColumn(candidate.expr, position));
      if (check !== undefined) throw new TideError('FOREIGN_KEY_CHECKED_COLUMN', `column '${name}' cannot be used in a check constraint '${check.name}': needed in a foreign key constraint '${spec.name ?? spec.indexName ?? name}' referential action`);
    }
  }
}

function acts(rule: ForeignKeyRule): boolean {
  return rule === 'cascade' || rule === 'set_null';
}

function readsColumn(expr: Expr, position: number): boolean {
  return (expr.kind === 'column' && expr.position === position) || children(expr).some((child) => readsColumn(child, position));
}

// --- ALTER TABLE --------------------------------------------------------------------------------

// ALTER TABLE … ADD FOREIGN KEY / DROP FOREIGN KEY, drops first (as MySQL). Each is a new
// version of the table; an added key first gets its index if none leads with its columns (an
// index build, as ALTER TABLE … ADD INDEX), then every row is checked for its parent (1452,
// nothing changed, when one has none).
export function* alterForeignKeys(plan: Extract<Plan, { kind: 'alter_foreign_keys' }>, view: OverlayView): Steps<void> {
  for (const action of plan.actions) {
    if (action.kind === 'drop') dropForeignKey(view, currentTable(view, plan), action);
  }
  for (const action of plan.actions) {
    if (action.kind !== 'add') continue;
    let table = currentTable(view, plan);
    const key = foreignKeyDefOf(view, table, action.spec, []);
    if (!supportingKeyExists(table, key.columns)) {
      const spec = childIndexSpec(action.spec, key.columns.map((position) => table.columns[position]!.name), indexesOf(table).map((index) => index.name));
      yield* changeIndexes(view, table, [], [spec]);
      table = currentTable(view, plan);
    }
    const withKey: TableDef = { ...table, version: table.version + 1, foreignKeys: [...foreignKeysOf(table), key] };
    for (const { row } of view.scanRows(table)) {
      yield;
      if (!hasParentRow(view, withKey, key, row)) throw missingParent(withKey, key);
    }
    view.alterTable(table, withKey);
  }
}

function dropForeignKey(view: OverlayView, table: TableDef, action: Extract<ForeignKeyAction, { kind: 'drop' }>): void {
  const key = foreignKeysOf(table).find((candidate) => candidate.name.toLowerCase() === action.name.toLowerCase());
  if (key === undefined) throw new TideError('FOREIGN_KEY_NOT_FOUND', `can't DROP '${action.name}'; table '${table.name}' has no foreign key of that name`);
  // The index that served it stays, as in MySQL.
  view.alterTable(table, { ...table, version: table.version + 1, foreignKeys: foreignKeysOf(table).filter((candidate) => candidate !== key) });
}

function currentTable(view: ReadView, plan: { readonly database: string; readonly name: string }): TableDef {
  const table = view.table(plan.database, plan.name);
  if (table === undefined) throw new TideError('TABLE_NOT_FOUND', `table '${plan.database}.${plan.name}' does not exist`);
  return table;
}

// --- DROP TABLE ---------------------------------------------------------------------------------

// Refuses to drop a table that a table outside `dropped` references (MySQL's 3730): its
// children would hold values no parent row can match. A table may reference itself, and a
// child dropped by the same statement (or before) no longer counts.
export function refuseDropOfReferenced(view: ReadView, dropped: readonly TableDef[]): void {
  const droppedIds = new Set(dropped.map((table) => table.id));
  for (const child of liveTables(view)) {
    if (droppedIds.has(child.id)) continue;
    for (const key of foreignKeysOf(child)) {
      const parent = dropped.find((table) => sameName(table, key.parentDatabase, key.parentTable));
      if (parent !== undefined) throw new TideError('FOREIGN_KEY_TABLE_REFERENCED', `cannot drop table '${parent.name}' referenced by a foreign key constraint '${key.name}' on table '${child.name}'`);
    }
  }
}

// TRUNCATE empties a table without looking at its rows, so InnoDB refuses it on any table
// another table's foreign key references (1701), empty or not; a self-reference is no obstacle.
export function refuseTruncateOfReferenced(view: ReadView, table: TableDef): void {
  for (const child of liveTables(view)) {
    if (child.id === table.id) continue;
    const key = foreignKeysOf(child).find((candidate) => sameName(table, candidate.parentDatabase, candidate.parentTable));
    if (key !== undefined) throw new TideError('TRUNCATE_REFERENCED', `cannot truncate table '${table.name}' referenced in a foreign key constraint ('${key.name}' on table '${child.name}')`);
  }
}

// --- checks of one declaration ------------------------------------------------------------------

// One foreign key of `table` (its columns and indexes as they will be), beside `declared` ones
// of the same statement. The parent is `table` itself when the spec names it.
function foreignKeyDefOf(view: ReadView, table: TableDef, spec: ForeignKeySpec, declared: readonly ForeignKeyDef[]): ForeignKeyDef {
  const label = spec.name ?? `${table.name}'s foreign key`;
  if (spec.columns.length === 0 || spec.columns.length !== spec.parentColumns.length || spec.columns.length > partsPerIndexMax) {
    throw new TideError('FOREIGN_KEY_DEFINITION_INVALID', `incorrect foreign key definition for '${label}': key reference and table reference don't match`);
  }
  const columns = spec.columns.map((name) => columnPosition(table, name, `foreign key column '${name}' does not exist in table '${table.name}'`));
  if (new Set(columns).size !== columns.length) throw new TideError('FOREIGN_KEY_DEFINITION_INVALID', `foreign key '${label}' lists a column twice`);
  const parent = sameName(table, spec.parentDatabase, spec.parentTable) ? table : view.table(spec.parentDatabase, spec.parentTable);
  if (parent === undefined) throw new TideError('FOREIGN_KEY_PARENT_NOT_FOUND', `failed to open the referenced table '${spec.parentTable}'`);
  const parentPositions = spec.parentColumns.map((name) => columnPosition(parent, name, `failed to add the foreign key constraint: missing column '${name}' for constraint '${label}' in the referenced table '${parent.name}'`));
  if (parentKeyOf(parent, parentPositions) === null) {
    throw new TideError('FOREIGN_KEY_PARENT_INDEX_MISSING', `failed to add the foreign key constraint: the referenced columns of '${label}' must be the primary key or a UNIQUE index of '${parent.name}', in that order`);
  }
  columns.forEach((position, at) => {
    const column = table.columns[position]!;
    const parentColumn = parent.columns[parentPositions[at]!]!;
    if (!compatibleColumns(column, parentColumn)) throw new TideError('FOREIGN_KEY_COLUMNS_INCOMPATIBLE', `referencing column '${column.name}' and referenced column '${parentColumn.name}' in foreign key constraint '${label}' are incompatible`);
    if (!column.nullable && (spec.onDelete === 'set_null' || spec.onUpdate === 'set_null')) throw new TideError('FOREIGN_KEY_COLUMN_NOT_NULL', `column '${column.name}' cannot be NOT NULL: needed in a foreign key constraint '${label}' SET NULL`);
  });
  const name = spec.name ?? generatedName(table, declared);
  const taken = [...liveTables(view).filter((other) => other.id !== table.id && other.database === table.database).flatMap(foreignKeysOf), ...foreignKeysOf(table), ...declared];
  if (taken.some((key) => key.name.toLowerCase() === name.toLowerCase())) throw new TideError('FOREIGN_KEY_EXISTS', `duplicate foreign key constraint name '${name}'`);
  const rules: { onDelete: ForeignKeyRule; onUpdate: ForeignKeyRule } = { onDelete: spec.onDelete, onUpdate: spec.onUpdate };
  return { name, columns, parentDatabase: parent.database, parentTable: parent.name, parentColumns: parentPositions.map((position) => parent.columns[position]!.name), ...rules };
}

// MySQL's default name: `<table>_ibfk_<n>`, n one past the highest such name of the table.
function generatedName(table: TableDef, declared: readonly ForeignKeyDef[]): string {
  const prefix = `${table.name}_ibfk_`.toLowerCase();
  const numbers = [...foreignKeysOf(table), ...declared].map((key) => key.name.toLowerCase()).filter((name) => name.startsWith(prefix)).map((name) => Number(name.slice(prefix.length))).filter(Number.isInteger);
  return `${table.name}_ibfk_${Math.max(0, ...numbers) + 1}`;
}

function leadsWith(parts: readonly string[], columns: readonly string[]): boolean {
  return columns.every((name, at) => parts[at]?.toLowerCase() === name.toLowerCase());
}

// Types a child and a parent column may pair with: the same type, sign, precision, scale and
// fractional digits, where only the declared length of VARCHAR and VARBINARY may differ (MySQL
// also lets the lengths of strings differ). CHAR does not pair with VARCHAR here: a CHAR drops
// trailing spaces a VARCHAR keeps, so equal keys would not match. TEXT, BLOB and JSON are in
// no foreign key, as in MySQL (no index holds them whole). Strings pair only in one collation,
// as MySQL requires: a child's key must find its parent's under the same equality.
function compatibleColumns(child: ColumnDef, parent: ColumnDef): boolean {
  if (child.type !== parent.type || ['TEXT', 'BLOB', 'JSON'].includes(child.type)) return false;
  const lengthMayDiffer = child.type === 'VARCHAR' || child.type === 'VARBINARY';
  return (lengthMayDiffer || child.length === parent.length) && child.unsigned === parent.unsigned && child.precision === parent.precision && child.scale === parent.scale && child.fsp === parent.fsp && child.collation === parent.collation;
}

function columnPosition(table: TableDef, name: string, message: string): number {
  const position = table.columns.findIndex((column) => column.name.toLowerCase() === name.toLowerCase() && isVisible(column));
  if (position < 0) throw new TideError('COLUMN_NOT_FOUND', message);
  return position;
}

