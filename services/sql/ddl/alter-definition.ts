// ALTER TABLE's actions applied to a table's definition, in the order written, as MySQL applies
// them: the result is the next version of the table and, for each of its columns, where its
// values come from. Pure: nothing here reads rows; ddl/alter-table.ts does, with what this
// decides (whether the rows must be rewritten, what to validate).
import { assert, assertNever } from '../../base/assert.js';
import { TideError } from '../../base/errors.js';
import { columnsPerTableMax } from '../../base/limits.js';
import { checksOf, hiddenRowIdColumn, indexesOf, isVisible } from '../../storage/types.js';
import type { CheckDef, ColumnDef, IndexDef, TableDef } from '../../storage/types.js';
import type { Collation } from '../../values/collation.js';
import { withCollation } from './collation-syntax.js';
import type { AlterAction, ColumnPlace, ColumnSpec, IndexSpec } from '../plan.js';
import { fittedDefault } from './column-options.js';
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
  // Added, redefined or renamed by an earlier action: as in MySQL, the actions of one
  // statement name the table's columns as they were, so a column is altered at most once.
  altered: boolean;
}

// An index of the table as it was, with its parts by name (they follow renames and drops).
interface WorkIndex {
  readonly kept: IndexDef;
  readonly spec: IndexSpec;
}

// A key the statement adds, in the order written; its columns are named as they are at the
// statement's end, and checked then in this order (MySQL's 1072 and 1068 come in key order).
type AddedKey = { readonly kind: 'primary'; readonly names: readonly string[] } | { readonly kind: 'index'; readonly spec: IndexSpec };

class WorkingDefinition {
  database: string;
  name: string;
  readonly columns: WorkColumn[];
  // Names of the primary key's columns (following renames); null: keyed by the hidden row id.
  primaryKey: string[] | null;
  readonly addedKeys: AddedKey[] = [];
  readonly hadPrimaryKey: boolean;
  primaryKeyDropped = false;
  // The first DROP (in the order written) of something the table lacks: MySQL reports it
  // once the columns are done, before anything about keys, so it is thrown then.
  private missing: { readonly error: TideError; readonly at: number } | null = null;
  at = 0;

  missingDrop(error: TideError): void {
    if (this.missing === null || this.at < this.missing.at) this.missing = { error, at: this.at };
  }

  throwMissingDrop(): void {
    if (this.missing !== null) throw this.missing.error;
  }
  indexes: WorkIndex[];
  checks: CheckDef[];
  validate = false;

  // The table's default collation as the statement leaves it (ALTER TABLE … COLLATE).
  collation: Collation;

  constructor(readonly current: TableDef) {
    this.collation = current.collation ?? 'utf8mb4_bin';
    this.database = current.database;
    this.name = current.name;
    this.columns = [];
    current.columns.forEach((column, source) => {
      if (isVisible(column)) this.columns.push({ column, source, altered: false });
    });
    const keyedByRowId = current.primaryKey.some((position) => !isVisible(current.columns[position]!));
    this.primaryKey = keyedByRowId ? null : current.primaryKey.map((position) => current.columns[position]!.name);
    this.hadPrimaryKey = !keyedByRowId;
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

  // A column of the table as it was, which no earlier action of the statement altered.
  original(name: string): WorkColumn {
    const found = this.existing(name);
    if (found.altered) throw new TideError('COLUMN_NOT_FOUND', `column '${name}' is altered by an earlier action of this statement`);
    return found;
  }

  checkNewName(name: string): void {
    if (sameName(name, hiddenRowIdColumn)) throw new TideError('TABLE_DEFINITION_INVALID', `the column name '${name}' is reserved for the hidden row id`);
  }

  // Added columns, and redefined ones with FIRST or AFTER, in the order written: placed once
  // every column has its new name, as MySQL places them (AFTER names a column as it will be).
  readonly placements: { readonly work: WorkColumn; readonly place: ColumnPlace }[] = [];

  placeColumns(): void {
    for (const { work, place } of this.placements) {
      const at = this.columns.indexOf(work);
      if (at >= 0) this.columns.splice(at, 1);
      if (place === null) this.columns.push(work);
      else if (place.kind === 'first') this.columns.unshift(work);
      else this.columns.splice(this.columns.indexOf(this.existing(place.column)) + 1, 0, work);
    }
  }

  checkDistinctNames(): void {
    const seen = new Set<string>();
    for (const { column } of this.columns) {
      if (seen.has(column.name.toLowerCase())) throw new TideError('COLUMN_EXISTS', `table '${this.name}' already has a column '${column.name}'`);
      seen.add(column.name.toLowerCase());
    }
  }

  // A column's new name in the primary key and in index parts.
  renameReferences(from: string, to: string): void {
    if (this.primaryKey !== null) this.primaryKey = this.primaryKey.map((name) => (sameName(name, from) ? to : name));
    this.indexes = this.indexes.map((index) => ({ ...index, spec: { ...index.spec, columns: index.spec.columns.map((part) => (sameName(part.name, from) ? { ...part, name: to } : part)) } }));
  }

  // The options a column declaration carries beside its definition: PRIMARY KEY, UNIQUE, CHECK.
  declare(spec: ColumnSpec): void {
    if (spec.primaryKey) this.addedKeys.push({ kind: 'primary', names: [spec.column.name] });
    if (spec.unique) this.addedKeys.push({ kind: 'index', spec: { name: null, unique: true, columns: [{ name: spec.column.name, direction: 'asc' }] } });
    if (spec.check !== null) this.addCheck(spec.check.name, spec.check.expression);
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

// As MySQL prepares an ALTER: column actions first, then keys and indexes, then CHECKs, each
// group in the order written. The result is the same in any order (keys name the columns as
// they are at the end); the first error is then the one MySQL reports.
export function alterDefinition(current: TableDef, actions: readonly AlterAction[]): AlteredTable {
  const work = new WorkingDefinition(current);
  // A new default applies to every column the statement adds or redefines, wherever it is written.
  for (const action of actions) if (action.kind === 'table_collation') work.collation = action.collation;
  for (const group of actionGroups) {
    for (const [at, action] of actions.entries()) {
      work.at = at;
      if (group.has(action.kind)) applyAction(work, action);
    }
    if (group !== actionGroups[0]) continue;
    work.placeColumns();
    if (work.columns.length === 0) throw new TideError('COLUMN_DROP_LAST', `cannot drop every column of table '${current.name}'; use DROP TABLE`);
    findMissingDrops(work, actions);
    work.throwMissingDrop();
    work.checkDistinctNames();
  }
  return finish(work);
}

// DROP INDEX, DROP PRIMARY KEY and DROP CONSTRAINT name what the table had before the statement.
function findMissingDrops(work: WorkingDefinition, actions: readonly AlterAction[]): void {
  const indexes = indexesOf(work.current).map((index) => index.name.toLowerCase());
  const checks = checksOf(work.current).map((check) => check.name.toLowerCase());
  let primaryKey = work.hadPrimaryKey;
  const take = (names: string[], name: string): boolean => {
    const at = names.indexOf(name.toLowerCase());
    if (at >= 0) names.splice(at, 1);
    return at >= 0;
  };
  for (const [at, action] of actions.entries()) {
    work.at = at;
    if (action.kind === 'drop_index' && !take(indexes, action.name)) work.missingDrop(new TideError('INDEX_NOT_FOUND', `table '${work.name}' has no index named '${action.name}'`));
    if (action.kind === 'drop_check' && !take(checks, action.name)) work.missingDrop(new TideError('DROP_TARGET_NOT_FOUND', `cannot drop constraint '${action.name}': table '${work.name}' has none`));
    if (action.kind === 'drop_primary_key' && !primaryKey) work.missingDrop(new TideError('DROP_TARGET_NOT_FOUND', `cannot drop the primary key of table '${work.name}': it has none`));
    if (action.kind === 'drop_primary_key') primaryKey = false;
  }
}

const actionGroups: readonly ReadonlySet<AlterAction['kind']>[] = [
  new Set(['add_column', 'drop_column', 'modify_column', 'rename_column', 'alter_default']),
  new Set(['drop_primary_key', 'drop_index', 'add_primary_key', 'add_index']),
  new Set(['drop_check', 'add_check', 'rename_table', 'table_collation']),
];

function applyAction(work: WorkingDefinition, action: AlterAction): void {
  switch (action.kind) {
    case 'add_column': {
      work.checkNewName(action.spec.column.name);
      if (action.spec.column.autoIncrement) throw new TideError('SQL_UNSUPPORTED', 'adding an AUTO_INCREMENT column is not supported yet');
      const added = { column: withCollation(action.spec.column, action.spec.collation, work.collation), source: null, altered: true };
      work.placements.push({ work: added, place: action.place });
      work.declare(action.spec);
      return;
    }
    case 'drop_column': {
      // DROP names a column of the table as it was, even one an earlier action renamed.
      const found = work.find(action.name) ?? work.columns.find((candidate) => candidate.source !== null && sameName(work.current.columns[candidate.source]!.name, action.name));
      if (found === undefined) return work.missingDrop(new TideError('DROP_TARGET_NOT_FOUND', `cannot drop column '${action.name}': table '${work.name}' has none`));
      if (found.altered) throw new TideError('COLUMN_NOT_FOUND', `column '${action.name}' is altered by an earlier action of this statement`);
      work.columns.splice(work.columns.indexOf(found), 1);
      // As MySQL: the column leaves every key it is part of; a key left with no part goes (at
      // the end: a DROP INDEX of the statement still names it).
      if (work.primaryKey !== null) {
        work.primaryKey = work.primaryKey.filter((name) => !sameName(name, found.column.name));
        if (work.primaryKey.length === 0) work.primaryKey = null;
      }
      work.indexes = work.indexes.map((index) => ({ ...index, spec: { ...index.spec, columns: index.spec.columns.filter((part) => !sameName(part.name, found.column.name)) } }));
      return;
    }
    case 'modify_column': {
      const found = work.original(action.from);
      const column = withCollation(action.spec.column, action.spec.collation, work.collation);
      work.checkNewName(column.name);
      if (column.autoIncrement && !found.column.autoIncrement) throw new TideError('SQL_UNSUPPORTED', 'making a column AUTO_INCREMENT is not supported yet');
      if (found.column.nullable && !column.nullable) work.validate = true;
      work.renameReferences(found.column.name, column.name);
      found.column = column;
      found.altered = true;
      if (action.place !== null) work.placements.push({ work: found, place: action.place });
      work.declare(action.spec);
      return;
    }
    case 'rename_column': {
      const found = work.original(action.from);
      work.checkNewName(action.to);
      work.renameReferences(found.column.name, action.to);
      found.column = { ...found.column, name: action.to };
      found.altered = true;
      return;
    }
    case 'alter_default': {
      const found = work.original(action.column);
      const { default: _old, ...rest } = found.column;
      const fitted = action.value === null ? undefined : fittedDefault(found.column, action.value);
      found.column = fitted === undefined ? rest : { ...rest, default: fitted };
      found.altered = true;
      return;
    }
    case 'add_index':
      work.addedKeys.push({ kind: 'index', spec: action.spec });
      return;
    case 'drop_index': {
      const found = work.indexes.find((index) => index.spec.name !== null && sameName(index.spec.name, action.name));
      if (found === undefined) return work.missingDrop(new TideError('INDEX_NOT_FOUND', `table '${work.name}' has no index named '${action.name}'`));
      work.indexes = work.indexes.filter((index) => index !== found);
      return;
    }
    case 'add_primary_key':
      work.addedKeys.push({ kind: 'primary', names: action.columns });
      return;
    case 'drop_primary_key':
      // The key of the table as it was (its columns may be dropped by the statement).
      if (!work.hadPrimaryKey || work.primaryKeyDropped) return work.missingDrop(new TideError('DROP_TARGET_NOT_FOUND', `cannot drop the primary key of table '${work.name}': it has none`));
      work.primaryKey = null;
      work.primaryKeyDropped = true;
      return;
    case 'add_check':
      work.addCheck(action.check.name, action.check.expression);
      return;
    case 'drop_check': {
      const found = work.checks.find((check) => sameName(check.name, action.name));
      if (found === undefined) return work.missingDrop(new TideError('DROP_TARGET_NOT_FOUND', `cannot drop constraint '${action.name}': table '${work.name}' has none`));
      work.checks = work.checks.filter((check) => check !== found);
      return;
    }
    case 'rename_table':
      work.database = action.database;
      work.name = action.name;
      return;
    case 'table_collation':
      return; // taken before every other action (alterDefinition)
    default:
      assertNever(action);
  }
}

function finish(work: WorkingDefinition): AlteredTable {
  const { current } = work;
  if (work.columns.length > columnsPerTableMax) throw new TideError('TABLE_DEFINITION_INVALID', `a table has at most ${columnsPerTableMax} columns`);
  const columns = work.columns.map((entry) => entry.column);
  const sources = work.columns.map((entry) => entry.source);
  // Kept indexes with their parts at the new positions (an index left with no part goes), then
  // the keys the statement adds, checked and numbered in the order written.
  const kept: IndexDef[] = [];
  for (const index of work.indexes) {
    if (index.spec.columns.length > 0) kept.push({ ...index.kept, parts: index.spec.columns.map((part) => ({ position: columns.findIndex((column) => sameName(column.name, part.name)), direction: part.direction })) });
  }
  const indexes = [...kept];
  const addedIndexes: IndexSpec[] = [];
  for (const key of work.addedKeys) {
    if (key.kind === 'index') {
      indexes.push(indexDefOf({ id: current.id, version: current.version + 1, database: work.database, name: work.name, columns, primaryKey: [], indexes }, key.spec, indexes));
      addedIndexes.push(key.spec);
      continue;
    }
    const missing = key.names.find((name) => !columns.some((column) => sameName(column.name, name)));
    if (missing !== undefined) throw new TideError('KEY_COLUMN_NOT_FOUND', `key column '${missing}' does not exist in table '${work.name}'`);
    if (work.primaryKey !== null) throw new TideError('PRIMARY_KEY_EXISTS', `table '${work.name}' already has a primary key`);
    work.primaryKey = [...key.names];
  }
  let primaryKey: number[];
  if (work.primaryKey === null) {
    // Keyed by the hidden row id (types.ts): kept when the table had one, else numbered anew.
    if (columns.some((column) => column.autoIncrement)) throw new TideError('TABLE_DEFINITION_INVALID', 'AUTO_INCREMENT needs an INT or BIGINT column that starts the primary key');
    const hidden = current.columns.findIndex((column) => !isVisible(column));
    columns.push({ name: hiddenRowIdColumn, type: 'BIGINT', length: null, nullable: false, autoIncrement: false, hidden: true });
    sources.push(hidden >= 0 ? hidden : null);
    primaryKey = [columns.length - 1];
  } else {
    primaryKey = work.primaryKey.map((name) => {
      const position = columns.findIndex((column) => sameName(column.name, name));
      assert(position >= 0, `primary key column ${name} follows its column`);
      return position;
    });
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
  const table: TableDef = { ...base, ...(indexes.length > 0 ? { indexes } : {}), ...(work.checks.length > 0 ? { checks: work.checks } : {}), ...(work.collation === 'utf8mb4_general_ci' ? { collation: work.collation } : {}) };
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
// A collation decides a text column's keys, so changing it rewrites the table (its keys rebuilt).
export function sameShape(a: ColumnDef, b: ColumnDef): boolean {
  return a.type === b.type && a.length === b.length && a.precision === b.precision && a.scale === b.scale && a.fsp === b.fsp && a.unsigned === b.unsigned && a.collation === b.collation;
}

function specOf(table: TableDef, index: IndexDef): IndexSpec {
  return { name: index.name, unique: index.unique, columns: index.parts.map((part) => ({ name: table.columns[part.position]!.name, direction: part.direction })) };
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
