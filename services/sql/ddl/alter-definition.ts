// ALTER TABLE's actions applied to a table's definition, in the order written, as MySQL applies
// them: the result is the next version of the table and, for each of its columns, where its
// values come from. Pure: nothing here reads rows; ddl/alter-table.ts does, with what this
// decides (whether the rows must be rewritten, what to validate).
import { TideError } from '../../base/errors.js';
import { columnsPerTableMax } from '../../base/limits.js';
import { checksOf, hiddenRowIdColumn, indexesOf, isVisible } from '../../storage/types.js';
import type { CheckDef, ColumnDef, IndexDef, TableDef } from '../../storage/types.js';
import type { AlterAction, ColumnPlace, ColumnSpec, IndexSpec } from '../plan.js';
import { indexDefOf } from './index-ddl.js';

export interface AlteredTable {
  // The next version (version one more), complete: columns, keys, indexes, checks, name.
  readonly table: TableDef;
  // For each column of `table`, its position in the current version, or null for a new column
  // (its default, the type's implicit value, or a hidden row id fills it).
  readonly sources: readonly (number | null)[];
  // The rows must be converted and rewritten: reshaping on read (storage's reshapeRow, by
  // column name, no conversion) would not read them right (storage/DESIGN.md).
  readonly rewrite: boolean;
  // Every row must be read to check the new definition: a NOT NULL added to a column that
  // holds NULLs, a new CHECK. (A rewrite reads and checks every row anyway.)
  readonly validate: boolean;
  // Indexes of the current version that the next one drops, and specs of those it adds, in
  // order (without a rewrite they are built as index-ddl.ts builds them).
  readonly droppedIndexes: readonly IndexDef[];
  readonly addedIndexes: readonly IndexSpec[];
}

interface WorkColumn {
  column: ColumnDef;
  readonly source: number | null;
}

interface WorkIndex {
  readonly kept: IndexDef | null;
  readonly spec: IndexSpec;
}

class WorkingDefinition {
  database: string;
  name: string;
  readonly columns: WorkColumn[];
  // Names of the primary key's columns; null: keyed by the hidden row id.
  primaryKey: string[] | null;
  indexes: WorkIndex[];
  checks: CheckDef[];
  validate = false;

  constructor(readonly current: TableDef) {
    this.database = current.database;
    this.name = current.name;
    this.columns = [];
    current.columns.forEach((column, source) => {
      if (isVisible(column)) this.columns.push({ column, source });
    });
    const keyedByRowId = current.primaryKey.some((position) => !isVisible(current.columns[position]!));
    this.primaryKey = keyedByRowId ? null : current.primaryKey.map((position) => current.columns[position]!.name);
    this.indexes = indexesOf(current).map((index) => ({ kept: index, spec: specOf(current, index) }));
    this.checks = [...checksOf(current)];
  }

  find(name: string): WorkColumn | undefined {
    return this.columns.find((work) => sameName(work.column.name, name));
  }

  existing(name: string): WorkColumn {
    const found = this.find(name);
    if (found === undefined) throw new TideError('COLUMN_NOT_FOUND', `column '${name}' does not exist in table '${this.name}'`);
    return found;
  }

  checkFreeName(name: string): void {
    if (sameName(name, hiddenRowIdColumn)) throw new TideError('TABLE_DEFINITION_INVALID', `the column name '${name}' is reserved for the hidden row id`);
    if (this.find(name) !== undefined) throw new TideError('COLUMN_EXISTS', `table '${this.name}' already has a column '${name}'`);
  }

  place(work: WorkColumn, place: ColumnPlace, fallback: number): void {
    const at = this.columns.indexOf(work);
    if (at >= 0) this.columns.splice(at, 1);
    if (place === null) this.columns.splice(Math.min(fallback, this.columns.length), 0, work);
    else if (place.kind === 'first') this.columns.unshift(work);
    else this.columns.splice(this.columns.indexOf(this.existing(place.column)) + 1, 0, work);
  }

  // A column's new name in the primary key and in index parts.
  renameReferences(from: string, to: string): void {
    if (this.primaryKey !== null) this.primaryKey = this.primaryKey.map((name) => (sameName(name, from) ? to : name));
    this.indexes = this.indexes.map((index) => ({ ...index, spec: { ...index.spec, columns: index.spec.columns.map((part) => (sameName(part.name, from) ? { ...part, name: to } : part)) } }));
  }

  // The options a column declaration carries beside its definition: PRIMARY KEY, UNIQUE, CHECK.
  declare(spec: ColumnSpec): void {
    if (spec.primaryKey) this.addPrimaryKey([spec.column.name]);
    if (spec.unique) this.indexes.push({ kept: null, spec: { name: null, unique: true, columns: [{ name: spec.column.name, direction: 'asc' }] } });
    if (spec.check !== null) this.addCheck(spec.check.name, spec.check.expression);
  }

  addPrimaryKey(names: readonly string[]): void {
    if (this.primaryKey !== null) throw new TideError('PRIMARY_KEY_EXISTS', `table '${this.name}' already has a primary key`);
    this.primaryKey = names.map((name) => this.existing(name).column.name);
  }

  addCheck(name: string | null, expression: string): void {
    const taken = (candidate: string): boolean => this.checks.some((check) => sameName(check.name, candidate));
    let checkName = name;
    for (let n = 1; checkName === null; n++) if (!taken(`${this.name}_chk_${n}`)) checkName = `${this.name}_chk_${n}`;
    if (taken(checkName)) throw new TideError('TABLE_DEFINITION_INVALID', `duplicate check constraint name '${checkName}'`);
    this.checks.push({ name: checkName, expression });
    this.validate = true;
  }
}

export function alterDefinition(current: TableDef, actions: readonly AlterAction[]): AlteredTable {
  const work = new WorkingDefinition(current);
  for (const action of actions) applyAction(work, action);
  return finish(work);
}

function applyAction(work: WorkingDefinition, action: AlterAction): void {
  switch (action.kind) {
    case 'add_column': {
      work.checkFreeName(action.spec.column.name);
      if (action.spec.column.autoIncrement) throw new TideError('SQL_UNSUPPORTED', 'adding an AUTO_INCREMENT column is not supported yet');
      const added = { column: action.spec.column, source: null };
      work.place(added, action.place, work.columns.length);
      work.declare(action.spec);
      return;
    }
    case 'drop_column': {
      const found = work.find(action.name);
      if (found === undefined) throw new TideError('DROP_TARGET_NOT_FOUND', `cannot drop column '${action.name}': table '${work.name}' has none`);
      work.columns.splice(work.columns.indexOf(found), 1);
      // As MySQL: the column leaves every key it is part of; a key left with no part goes.
      if (work.primaryKey !== null) {
        work.primaryKey = work.primaryKey.filter((name) => !sameName(name, found.column.name));
        if (work.primaryKey.length === 0) work.primaryKey = null;
      }
      work.indexes = work.indexes
        .map((index) => ({ ...index, spec: { ...index.spec, columns: index.spec.columns.filter((part) => !sameName(part.name, found.column.name)) } }))
        .filter((index) => index.spec.columns.length > 0);
      return;
    }
    case 'modify_column': {
      const found = work.existing(action.from);
      const { column } = action.spec;
      if (!sameName(column.name, found.column.name)) work.checkFreeName(column.name);
      if (column.autoIncrement && !found.column.autoIncrement) throw new TideError('SQL_UNSUPPORTED', 'making a column AUTO_INCREMENT is not supported yet');
      if (found.column.nullable && !column.nullable) work.validate = true;
      work.renameReferences(found.column.name, column.name);
      found.column = column;
      if (action.place !== null) work.place(found, action.place, 0);
      work.declare(action.spec);
      return;
    }
    case 'rename_column': {
      const found = work.existing(action.from);
      if (!sameName(action.to, found.column.name)) work.checkFreeName(action.to);
      work.renameReferences(found.column.name, action.to);
      found.column = { ...found.column, name: action.to };
      return;
    }
    case 'add_index':
      work.indexes.push({ kept: null, spec: action.spec });
      return;
    case 'drop_index': {
      const found = work.indexes.find((index) => index.spec.name !== null && sameName(index.spec.name, action.name));
      if (found === undefined) throw new TideError('INDEX_NOT_FOUND', `table '${work.name}' has no index named '${action.name}'`);
      work.indexes = work.indexes.filter((index) => index !== found);
      return;
    }
    case 'add_primary_key':
      work.addPrimaryKey(action.columns);
      return;
    case 'drop_primary_key':
      if (work.primaryKey === null) throw new TideError('DROP_TARGET_NOT_FOUND', `cannot drop the primary key of table '${work.name}': it has none`);
      work.primaryKey = null;
      return;
    case 'add_check':
      work.addCheck(action.check.name, action.check.expression);
      return;
    case 'drop_check': {
      const found = work.checks.find((check) => sameName(check.name, action.name));
      if (found === undefined) throw new TideError('DROP_TARGET_NOT_FOUND', `cannot drop constraint '${action.name}': table '${work.name}' has none`);
      work.checks = work.checks.filter((check) => check !== found);
      return;
    }
    case 'rename_table':
      work.database = action.database;
      work.name = action.name;
      return;
    default:
      assertNeverAction(action);
  }
}

function finish(work: WorkingDefinition): AlteredTable {
  const { current } = work;
  if (work.columns.length === 0) throw new TideError('COLUMN_DROP_LAST', `cannot drop every column of table '${current.name}'; use DROP TABLE`);
  if (work.columns.length > columnsPerTableMax) throw new TideError('TABLE_DEFINITION_INVALID', `a table has at most ${columnsPerTableMax} columns`);
  const columns = work.columns.map((entry) => entry.column);
  const sources = work.columns.map((entry) => entry.source);
  let primaryKey: number[];
  if (work.primaryKey === null) {
    // Keyed by the hidden row id (types.ts): kept when the table had one, else numbered anew.
    if (columns.some((column) => column.autoIncrement)) throw new TideError('TABLE_DEFINITION_INVALID', 'AUTO_INCREMENT needs an INT or BIGINT column that starts the primary key');
    const hidden = current.columns.findIndex((column) => !isVisible(column));
    columns.push({ name: hiddenRowIdColumn, type: 'BIGINT', length: null, nullable: false, autoIncrement: false, hidden: true });
    sources.push(hidden >= 0 ? hidden : null);
    primaryKey = [columns.length - 1];
  } else {
    primaryKey = work.primaryKey.map((name) => columns.findIndex((column) => sameName(column.name, name)));
    if (new Set(primaryKey).size !== primaryKey.length) throw new TideError('TABLE_DEFINITION_INVALID', 'a primary key column is listed twice');
    for (const position of primaryKey) {
      // As in MySQL, a primary key column is NOT NULL; one that held NULLs fails the rewrite.
      if (columns[position]!.type === 'JSON') throw new TideError('TABLE_DEFINITION_INVALID', 'a JSON column cannot be in the primary key');
      columns[position] = { ...columns[position]!, nullable: false };
    }
    const autoIncrement = columns.findIndex((column) => column.autoIncrement);
    if (autoIncrement >= 0 && (primaryKey[0] !== autoIncrement || (columns[autoIncrement]!.type !== 'INT' && columns[autoIncrement]!.type !== 'BIGINT'))) {
      throw new TideError('TABLE_DEFINITION_INVALID', 'AUTO_INCREMENT needs an INT or BIGINT column that starts the primary key');
    }
  }
  const base: TableDef = { id: current.id, version: current.version + 1, database: work.database, name: work.name, columns, primaryKey };
  // Kept indexes with their parts at the new positions; new ones checked and numbered after.
  const kept: IndexDef[] = [];
  for (const index of work.indexes) {
    if (index.kept !== null) kept.push({ ...index.kept, parts: index.spec.columns.map((part) => ({ position: columns.findIndex((column) => sameName(column.name, part.name)), direction: part.direction })) });
  }
  const indexes = [...kept];
  const addedIndexes = work.indexes.filter((index) => index.kept === null).map((index) => index.spec);
  for (const spec of addedIndexes) indexes.push(indexDefOf({ ...base, indexes }, spec, indexes));
  const table: TableDef = { ...base, ...(indexes.length > 0 ? { indexes } : {}), ...(work.checks.length > 0 ? { checks: work.checks } : {}) };
  const droppedIndexes = indexesOf(current).filter((index) => !kept.some((candidate) => candidate.id === index.id));
  const rewrite = needsRewrite(current, table, sources, kept);
  const tightened = columns.some((column, at) => sources[at] !== null && !column.nullable && current.columns[sources[at]!]!.nullable);
  return { table, sources, rewrite, validate: work.validate || tightened, droppedIndexes, addedIndexes };
}

// Whether reading the current rows by column name (storage's reshapeRow) would misread them:
// a column dropped (its name could come back later), renamed or of another shape, a new column
// that reads as something other than NULL, another primary key, an index whose parts changed.
function needsRewrite(current: TableDef, next: TableDef, sources: readonly (number | null)[], kept: readonly IndexDef[]): boolean {
  if (current.columns.some((_, position) => !sources.includes(position))) return true;
  const changedColumn = next.columns.some((column, at) => {
    const source = sources[at];
    if (source === null || source === undefined) return !column.nullable || column.default !== undefined;
    const old = current.columns[source]!;
    return old.name !== column.name || !sameShape(old, column);
  });
  if (changedColumn) return true;
  const keyOf = (table: TableDef): string => table.primaryKey.map((position) => table.columns[position]!.name).join(',');
  if (keyOf(current) !== keyOf(next)) return true;
  return kept.some((index) => {
    const old = indexesOf(current).find((candidate) => candidate.id === index.id)!;
    const partsOf = (table: TableDef, definition: IndexDef): string => definition.parts.map((part) => `${table.columns[part.position]!.name}:${part.direction}`).join(',');
    return partsOf(current, old) !== partsOf(next, index);
  });
}

// What a stored value's encoding depends on (storage's rule for a version that keeps its rows).
export function sameShape(a: ColumnDef, b: ColumnDef): boolean {
  return a.type === b.type && a.length === b.length && a.precision === b.precision && a.scale === b.scale && a.fsp === b.fsp && a.unsigned === b.unsigned;
}

function specOf(table: TableDef, index: IndexDef): IndexSpec {
  return { name: index.name, unique: index.unique, columns: index.parts.map((part) => ({ name: table.columns[part.position]!.name, direction: part.direction })) };
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function assertNeverAction(action: never): never {
  throw new TideError('INTERNAL', `unknown ALTER TABLE action ${JSON.stringify(action)}`);
}
