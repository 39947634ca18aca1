// SHOW DATABASES, SHOW TABLES, SHOW COLUMNS / DESCRIBE, SHOW INDEX and SHOW CREATE TABLE:
// read-only answers about the catalog, with MariaDB's column names and its text for types, keys
// and DDL (compared with a real MariaDB in test/sql/show-differential.test.ts), so that tools
// written for MySQL read them. SHOW CREATE TABLE prints DDL that TideDB itself parses back.
import { foreignKeyClausesSql } from './foreign-key-shape.js';
import { TideError } from '../base/errors.js';
import { assertNever } from '../base/assert.js';
import { collationOf, indexesOf, isVisible } from '../storage/types.js';
import { isTextType } from './ddl/collation-syntax.js';
import type { ColumnDef, IndexDef, Row, TableDef, ViewDef } from '../storage/types.js';
import { identifier, nodes, unescapeString, unsupported } from './ast-reading.js';
import { compileLike, matchLike } from './like-matcher.js';
import { tableStatusColumns, tableStatusValues, viewStatusValues } from './table-status.js';
import { createViewText } from './view-text.js';
import type { StatementResult } from './executor.js';
import type { AstNode } from './parser.js';
import type { ShowTarget } from './plan.js';
import type { ReadView } from './read-view.js';
import { checkClausesSql, columnOptionsSql, defaultText, extraText } from './show-column-options.js';

// How SHOW finds what it names.
export interface ShowNames {
  // A live table or view by the parser's table reference; TABLE_NOT_FOUND when neither.
  relation(target: AstNode): TableDef | ViewDef;
  // A view's columns, as a table without keys, for DESCRIBE.
  describedView(definition: ViewDef): TableDef;
}

export function showTarget(ast: AstNode, defaultDatabase: string, names: ShowNames): ShowTarget {
  const described = (target: AstNode): TableDef => {
    const found = names.relation(target);
    return isView(found) ? names.describedView(found) : found;
  };
  if (ast['type'] === 'desc') return { kind: 'columns', table: described({ db: null, table: ast['table'] }) };
  if (ast['expr'] !== null && ast['expr'] !== undefined) throw unsupported('SHOW … LIKE and SHOW … WHERE');
  const keyword = String(ast['keyword']).toLowerCase();
  const like = typeof ast['like'] === 'string' ? unescapeString(ast['like']) : null;
  const database = typeof ast['database'] === 'string' ? identifier(ast['database'], 'database') : defaultDatabase;
  switch (keyword) {
    case 'databases':
      return { kind: 'databases' };
    case 'tables':
      return { kind: 'tables', database, full: ast['full'] === true, like };
    case 'table_status':
      return { kind: 'table_status', database, like };
    case 'columns':
    case 'fields':
      return { kind: 'columns', table: described(onlyTable(ast['from'])) };
    case 'index':
    case 'indexes':
    case 'keys':
      return { kind: 'index', table: tableOnly(names.relation(onlyTable(ast['from']))) };
    case 'create': {
      const suffix = String(ast['suffix']).toLowerCase();
      if (suffix !== 'table' && suffix !== 'view') throw unsupported(`SHOW CREATE ${suffix.toUpperCase()}`);
      const found = names.relation((ast['table'] ?? ast['view']) as AstNode);
      // SHOW CREATE TABLE of a view answers as SHOW CREATE VIEW, as in MySQL; not the reverse.
      if (isView(found)) return { kind: 'create_view', view: found };
      if (suffix === 'view') throw new TideError('NOT_A_VIEW', `'${found.database}.${found.name}' is not VIEW`);
      return { kind: 'create_table', table: found };
    }
    default:
      throw unsupported(`SHOW ${keyword.toUpperCase()}`);
  }
}

function isView(found: TableDef | ViewDef): found is ViewDef {
  return !('id' in found);
}

// SHOW INDEX of a view: a view has no indexes; MySQL answers as for a missing table.
function tableOnly(found: TableDef | ViewDef): TableDef {
  if (isView(found)) throw new TideError('TABLE_NOT_FOUND', `table '${found.database}.${found.name}' does not exist`);
  return found;
}

function onlyTable(from: unknown): AstNode {
  const [table, more] = nodes(from);
  if (table === undefined || more !== undefined) throw new TideError('SQL_SYNTAX', 'SHOW needs one table after FROM');
  return table;
}

export function showRows(target: ShowTarget, view: ReadView): StatementResult {
  switch (target.kind) {
    case 'databases':
      return result(['Database'], liveDatabases(view).map((name) => [name]));
    case 'tables':
      return tablesResult(target, view);
    case 'table_status':
      return tableStatusResult(target, view);
    case 'create_view':
      return result(['View', 'Create View', 'character_set_client', 'collation_connection'], [[target.view.name, createViewText(target.view), 'utf8mb4', 'utf8mb4_bin']]);
    case 'columns':
      return result(['Field', 'Type', 'Null', 'Key', 'Default', 'Extra'], columnRows(target.table));
    case 'index':
      return result(indexColumns, indexRows(target.table));
    case 'create_table':
      return result(['Table', 'Create Table'], [[target.table.name, createTableText(target.table, view)]]);
    default:
      return assertNever(target);
  }
}

// Tables and views of one database, by name, those LIKE the pattern if one is given.
function namesIn(view: ReadView, database: string, like: string | null): { name: string; table: TableDef | null; definition: ViewDef | null }[] {
  const pattern = like === null ? null : compileLike(like);
  const tables = liveTables(view).filter((table) => table.database === database).map((table) => ({ name: table.name, table, definition: null }));
  const views = view.allViews().filter((definition) => definition.database === database).map((definition) => ({ name: definition.name, table: null, definition }));
  return [...tables, ...views].filter((entry) => pattern === null || matchLike(pattern, entry.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function tablesResult(target: Extract<ShowTarget, { kind: 'tables' }>, view: ReadView): StatementResult {
  const heading = `Tables_in_${target.database}${target.like === null ? '' : ` (${target.like})`}`;
  const entries = namesIn(view, target.database, target.like);
  if (!target.full) return result([heading], entries.map((entry) => [entry.name]));
  return result([heading, 'Table_type'], entries.map((entry) => [entry.name, entry.table === null ? 'VIEW' : 'BASE TABLE']));
}

function tableStatusResult(target: Extract<ShowTarget, { kind: 'table_status' }>, view: ReadView): StatementResult {
  const rows = namesIn(view, target.database, target.like).map((entry) => [entry.name, ...(entry.table === null ? viewStatusValues() : tableStatusValues(view, entry.table))]);
  return result(tableStatusColumns, rows);
}

function result(columns: readonly string[], rows: readonly Row[]): StatementResult {
  return { columns, rows, rowsAffected: 0, lastInsertId: null };
}

// Every table ever created is in allTables; a live one is what its name finds now.
export function liveTables(view: ReadView): TableDef[] {
  return view.allTables().filter((table) => view.table(table.database, table.name)?.id === table.id);
}

// A database exists once CREATE DATABASE made it, and also while a table or view lives in it.
export function liveDatabases(view: ReadView): string[] {
  const named = [...liveTables(view).map((table) => table.database), ...view.allViews().map((definition) => definition.database)];
  return [...new Set([...view.createdDatabases(), ...named])].sort();
}

// --- types and keys as MariaDB prints them ------------------------------------------------------

const unsignedWidths = { TINYINT: 'tinyint(3)', SMALLINT: 'smallint(5)', MEDIUMINT: 'mediumint(8)', INT: 'int(10)', BIGINT: 'bigint(20)' } as const;

export function typeText(column: ColumnDef): string {
  // MariaDB's display width of an UNSIGNED integer is one less (no sign to show).
  if (column.unsigned === true) return `${unsignedWidths[column.type as keyof typeof unsignedWidths]} unsigned`;
  switch (column.type) {
    case 'TINYINT':
      return 'tinyint(4)';
    case 'SMALLINT':
      return 'smallint(6)';
    case 'MEDIUMINT':
      return 'mediumint(9)';
    case 'INT':
      return 'int(11)';
    case 'BIGINT':
      return 'bigint(20)';
    case 'DOUBLE':
      return 'double';
    case 'CHAR':
      return `char(${column.length ?? 1})`;
    case 'VARCHAR':
      return `varchar(${column.length ?? 0})`;
    case 'TEXT':
      return 'text';
    case 'BOOLEAN':
      // MySQL's BOOLEAN is TINYINT(1), and it says so.
      return 'tinyint(1)';
    case 'DECIMAL':
      return `decimal(${column.precision ?? 10},${column.scale ?? 0})`;
    case 'DATE':
      return 'date';
    case 'TIME':
    case 'DATETIME':
    case 'TIMESTAMP':
      return column.fsp === undefined || column.fsp === 0 ? column.type.toLowerCase() : `${column.type.toLowerCase()}(${column.fsp})`;
    case 'BINARY':
    case 'VARBINARY':
      return `${column.type.toLowerCase()}(${column.length ?? 1})`;
    case 'BLOB':
      return 'blob';
    case 'JSON':
      // MySQL's name; MariaDB prints longtext with a json_valid CHECK.
      return 'json';
    default:
      return assertNever(column.type);
  }
}

// The primary key's columns, if the table has a declared one; for a table keyed by its hidden
// row id, those of its first UNIQUE index whose columns are all NOT NULL, which MySQL shows as
// the primary key in DESCRIBE.
export function primaryPositions(table: TableDef): readonly number[] {
  if (table.primaryKey.every((position) => isVisible(table.columns[position]!))) return table.primaryKey;
  const promoted = sortedIndexes(table).find((index) => index.unique && index.parts.every((part) => !table.columns[part.position]!.nullable));
  return promoted === undefined ? [] : promoted.parts.map((part) => part.position);
}

// PRI for primary key columns; else UNI for a column that is a one-column UNIQUE index; else
// MUL for the first column of any other index. (MySQL's order of precedence.)
export function keyText(table: TableDef, position: number): string {
  if (primaryPositions(table).includes(position)) return 'PRI';
  const leading = indexesOf(table).filter((index) => index.parts[0]!.position === position);
  if (leading.some((index) => index.unique && index.parts.length === 1)) return 'UNI';
  return leading.length > 0 ? 'MUL' : '';
}

function columnRows(table: TableDef): Row[] {
  return table.columns.flatMap((column, position): Row[] => {
    if (!isVisible(column)) return [];
    return [[column.name, typeText(column), column.nullable ? 'YES' : 'NO', keyText(table, position), defaultText(column), extraText(column)]];
  });
}

// Indexes in MariaDB's order: UNIQUE ones without a nullable column, then other UNIQUE ones,
// then the rest, each group in the order they were added.
export function sortedIndexes(table: TableDef): IndexDef[] {
  const group = (index: IndexDef): number => (!index.unique ? 2 : index.parts.some((part) => table.columns[part.position]!.nullable) ? 1 : 0);
  return [...indexesOf(table)].sort((a, b) => group(a) - group(b));
}

// MariaDB 10.11's SHOW INDEX columns. Cardinality is an estimate there; TideDB keeps no
// statistics yet and says NULL, as MySQL does for an index it has not analyzed.
const indexColumns = ['Table', 'Non_unique', 'Key_name', 'Seq_in_index', 'Column_name', 'Collation', 'Cardinality', 'Sub_part', 'Packed', 'Null', 'Index_type', 'Comment', 'Index_comment', 'Ignored'];

export function indexRows(table: TableDef): Row[] {
  const rows: Row[] = [];
  const add = (name: string, unique: boolean, parts: readonly { position: number; direction: 'asc' | 'desc' }[]): void => {
    for (const [at, part] of parts.entries()) {
      const column = table.columns[part.position]!;
      rows.push([table.name, unique ? 0n : 1n, name, BigInt(at + 1), column.name, part.direction === 'desc' ? 'D' : 'A', null, null, null, column.nullable ? 'YES' : '', 'BTREE', '', '', 'NO']);
    }
  };
  if (table.primaryKey.every((position) => isVisible(table.columns[position]!))) add('PRIMARY', true, table.primaryKey.map((position) => ({ position, direction: 'asc' })));
  for (const index of sortedIndexes(table)) add(index.name, index.unique, index.parts);
  return rows;
}

// --- SHOW CREATE TABLE --------------------------------------------------------------------------

function createTableText(table: TableDef, view: ReadView): string {
  const lines: string[] = [];
  for (const column of table.columns) {
    if (!isVisible(column)) continue;
    lines.push(`  ${quoted(column.name)} ${typeText(column)}${collationSql(column, table)} ${columnOptionsSql(column)}`);
  }
  if (table.primaryKey.every((position) => isVisible(table.columns[position]!))) {
    lines.push(`  PRIMARY KEY (${table.primaryKey.map((position) => quoted(table.columns[position]!.name)).join(',')})`);
  }
  for (const index of sortedIndexes(table)) {
    const parts = index.parts.map((part) => `${quoted(table.columns[part.position]!.name)}${part.direction === 'desc' ? ' DESC' : ''}`);
    lines.push(`  ${index.unique ? 'UNIQUE KEY' : 'KEY'} ${quoted(index.name)} (${parts.join(',')})`);
  }
  for (const key of foreignKeyClausesSql(table)) lines.push(`  ${key}`);
  for (const check of checkClausesSql(table)) lines.push(`  ${check}`);
  // The counter shows once it has moved, as MariaDB's AUTO_INCREMENT=n does.
  const next = view.autoIncrementNext(table.id);
  const counter = table.columns.some((column) => column.autoIncrement) && next > 1n ? ` AUTO_INCREMENT=${next}` : '';
  return `CREATE TABLE ${quoted(table.name)} (\n${lines.join(',\n')}\n) ENGINE=InnoDB${counter} DEFAULT CHARSET=utf8mb4 COLLATE=${table.collation ?? 'utf8mb4_bin'}`;
}

// A text column's collation where it is not the table's default, as MariaDB prints it.
function collationSql(column: ColumnDef, table: TableDef): string {
  if (!isTextType(column.type) || column.collation === table.collation) return '';
  return ` CHARACTER SET utf8mb4 COLLATE ${collationOf(column)}`;
}

// Names are identifiers (base/identifiers.ts), which never hold a backquote.
function quoted(name: string): string {
  return `\`${name}\``;
}
