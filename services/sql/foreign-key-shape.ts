// What a foreign key is, read off its definition without touching rows: the clause as SHOW
// CREATE TABLE prints it, the listing information_schema reads, and which keys of the parent
// and the child serve its look-ups. Shared by the DDL (ddl/foreign-keys.ts) and the checks on
// writes (foreign-key-checks.ts).
import { encodeKeyPart } from '../storage/key-codec.js';
import { foreignKeysOf, indexesOf, isVisible } from '../storage/types.js';
import type { ForeignKeyDef, ForeignKeyRule, IndexDef, Row, TableDef } from '../storage/types.js';

// A table's foreign keys by name, as information_schema (REFERENTIAL_CONSTRAINTS,
// KEY_COLUMN_USAGE) and SHOW CREATE TABLE show them: rules in MySQL's words.
export interface ForeignKeyListing extends Omit<ForeignKeyDef, 'columns' | 'onDelete' | 'onUpdate'> {
  readonly columns: readonly string[];
  readonly onDelete: RuleSql;
  readonly onUpdate: RuleSql;
}

type RuleSql = (typeof ruleSql)[ForeignKeyRule];

export function listForeignKeys(table: TableDef): ForeignKeyListing[] {
  return sortedForeignKeys(table).map((key) => ({
    name: key.name,
    columns: key.columns.map((position) => table.columns[position]!.name),
    parentDatabase: key.parentDatabase,
    parentTable: key.parentTable,
    parentColumns: key.parentColumns,
    onDelete: ruleSql[key.onDelete],
    onUpdate: ruleSql[key.onUpdate],
  }));
}

const ruleSql = { restrict: 'RESTRICT', no_action: 'NO ACTION', cascade: 'CASCADE', set_null: 'SET NULL' } as const;

// By name, the order MariaDB prints them in.
function sortedForeignKeys(table: TableDef): ForeignKeyDef[] {
  return [...foreignKeysOf(table)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// The clause as SHOW CREATE TABLE prints it and MySQL's errors quote it. RESTRICT, the default,
// is not printed (as MariaDB prints it); the parent's database only when it is not the child's.
export function foreignKeyClauseSql(table: TableDef, key: ForeignKeyDef): string {
  const names = (list: readonly string[]): string => list.map(quoted).join(', ');
  const parent = key.parentDatabase === table.database ? quoted(key.parentTable) : `${quoted(key.parentDatabase)}.${quoted(key.parentTable)}`;
  const onDelete = key.onDelete === 'restrict' ? '' : ` ON DELETE ${ruleSql[key.onDelete]}`;
  const onUpdate = key.onUpdate === 'restrict' ? '' : ` ON UPDATE ${ruleSql[key.onUpdate]}`;
  return `CONSTRAINT ${quoted(key.name)} FOREIGN KEY (${names(key.columns.map((position) => table.columns[position]!.name))}) REFERENCES ${parent} (${names(key.parentColumns)})${onDelete}${onUpdate}`;
}

export function foreignKeyClausesSql(table: TableDef): string[] {
  return sortedForeignKeys(table).map((key) => foreignKeyClauseSql(table, key));
}

function quoted(name: string): string {
  return `\`${name}\``;
}

// The parent's key the referenced columns are, in order: its primary key (null index) or a
// UNIQUE index; undefined when neither (look-ups from the child need one of them).
export function parentKeyOf(parent: TableDef, positions: readonly number[]): { readonly index: IndexDef | null } | null {
  const same = (parts: readonly number[]): boolean => parts.length === positions.length && parts.every((position, at) => position === positions[at]);
  if (parent.primaryKey.every((position) => isVisible(parent.columns[position]!)) && same(parent.primaryKey)) return { index: null };
  const index = indexesOf(parent).find((candidate) => candidate.unique && same(candidate.parts.map((part) => part.position)));
  return index === undefined ? null : { index };
}

// True when the primary key or an index of `table` leads with `columns`, in order.
export function supportingKeyExists(table: TableDef, columns: readonly number[]): boolean {
  const leads = (parts: readonly number[]): boolean => columns.every((position, at) => parts[at] === position);
  return leads(table.primaryKey) || indexesOf(table).some((index) => leads(index.parts.map((part) => part.position)));
}

export function sameName(table: TableDef, database: string, name: string): boolean {
  return table.database === database && table.name === name;
}

// Whether two rows hold the same values at `positions`, compared as stored (so 1 and 1.0 in a
// DOUBLE agree, and a key part's bytes decide).
export function sameKeyValues(table: TableDef, positions: readonly number[], a: Row, b: Row): boolean {
  return positions.every((position) => {
    const column = table.columns[position]!;
    return encodeKeyPart(column, a[position] ?? null).equals(encodeKeyPart(column, b[position] ?? null));
  });
}
