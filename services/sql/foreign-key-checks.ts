// FOREIGN KEY enforcement on writes, as InnoDB does it: row by row, against the view that holds
// the statement's (and its transaction's) earlier writes, before anything is proposed. A child
// row needs its parent row; a parent row deleted or changed while children reference it is
// refused (RESTRICT, NO ACTION) or changes them (CASCADE, SET NULL), recursively, each cascaded
// change a row change of the same batch, so change streams and Kafka see it. Look-ups go
// through the parent's key and the child's index that leads with its columns; a full scan only
// if such an index was dropped since.
import { TideError } from '../base/errors.js';
import { changesPerBatchMax, foreignKeyCascadeDepthMax } from '../base/limits.js';
import { encodeKeyPart, encodeRowKey } from '../storage/key-codec.js';
import { foreignKeysOf, indexesOf } from '../storage/types.js';
import type { ForeignKeyDef, IndexDef, Row, TableDef, Value } from '../storage/types.js';
import { checkIndexedRow, duplicateKey } from './index-checks.js';
import type { OverlayView } from './overlay-view.js';
import type { ReadView } from './read-view.js';
import { foreignKeyClauseSql, parentKeyOf, sameKeyValues, sameName, supportingKeyExists } from './foreign-key-shape.js';
import { accessRows } from './select/key-lookup.js';
import type { AccessPath } from './select/access-path.js';
import { liveTables } from './show.js';
import { coerceToColumn } from './values.js';

interface KeyedRow {
  readonly key: Buffer;
  readonly row: Row;
}

// A foreign key seen from its parent: the child table (its live version) and the positions of
// the referenced columns in the parent.
interface Reference {
  readonly child: TableDef;
  readonly key: ForeignKeyDef;
  readonly parentPositions: readonly number[];
}

// Where a cascade has got: how deep, and which tables it has updated on the way. MySQL's rule:
// an ON UPDATE CASCADE or SET NULL that would update a table the cascade already updated acts as
// RESTRICT (so `UPDATE t SET id = …` on a self-referencing t with children is refused).
interface Cascade {
  readonly depth: number;
  readonly updated: ReadonlySet<number>;
}

const statementStart: Cascade = { depth: 0, updated: new Set() };

// One per statement: it remembers which foreign keys reference each table (the catalog does not
// change while a statement writes rows).
export class ForeignKeyWrites {
  private readonly referencesByTable = new Map<number, readonly Reference[]>();

  constructor(private readonly view: OverlayView) {}

  // Records a row change (`before` null: an insert; `after` null: a delete) with every foreign
  // key it touches held. A change of primary key is recorded as a delete and a create, as the
  // executor records it. The caller has checked the row itself (types, CHECKs, UNIQUE indexes).
  //
  // The row is recorded first, so that a cascade that comes back to it (a self-reference, a
  // cycle of tables) finds it gone. Then, as InnoDB goes through the parent's keys (the primary
  // key, then the indexes in order), each foreign key that references a changed value refuses or
  // cascades in turn; last, the row's own foreign keys need their parents.
  write(table: TableDef, before: Row | null, after: Row | null, cascade: Cascade = statementStart): void {
    const updated = before !== null && after !== null ? new Set([...cascade.updated, table.id]) : cascade.updated;
    recordRow(this.view, table, before, after);
    if (before !== null) {
      for (const reference of this.touched(table, before, after)) {
        if (restricts(reference, after, updated)) this.refuseIfReferenced(table, reference, before);
        else this.cascade(reference, before, after, { depth: cascade.depth + 1, updated });
      }
    }
    if (after !== null) {
      for (const key of foreignKeysOf(table)) {
        if (before !== null && sameKeyValues(table, key.columns, before, after)) continue; // InnoDB checks only changed keys
        if (!hasParentRow(this.view, table, key, after)) throw missingParent(table, key);
      }
    }
  }

  // Refuses an UPDATE of a row whose changed values children hold under RESTRICT (or a rule
  // acting as it), before the row's UNIQUE checks: InnoDB meets the parent's side of an index
  // before it inserts the index's new entry, so 1451 comes before 1062.
  refuseReferencedUpdate(table: TableDef, before: Row, after: Row): void {
    const updated = new Set([table.id]);
    for (const reference of this.touched(table, before, after)) {
      if (restricts(reference, after, updated)) this.refuseIfReferenced(table, reference, before);
    }
  }

  private touched(table: TableDef, before: Row, after: Row | null): Reference[] {
    return this.referencing(table).filter((reference) => referencedValuesChange(table, reference, before, after));
  }

  // RESTRICT counts the row itself when it references itself, as InnoDB does.
  private refuseIfReferenced(table: TableDef, reference: Reference, before: Row): void {
    if (referencesItself(table, reference, before) || !isEmpty(childRows(this.view, reference, before))) throw rowReferenced(reference);
  }

  // The children of a parent row deleted or changed, under CASCADE or SET NULL. They are
  // collected before any is written: the view must not change under its own scan.
  private cascade(reference: Reference, before: Row, after: Row | null, next: Cascade): void {
    const { child, key } = reference;
    const rule = after === null ? key.onDelete : key.onUpdate;
    const children = [...childRows(this.view, reference, before)];
    if (children.length > 0 && next.depth > foreignKeyCascadeDepthMax) throw new TideError('FOREIGN_KEY_CASCADE_TOO_DEEP', `foreign key cascade delete/update exceeds max depth of ${foreignKeyCascadeDepthMax}`);
    // A cascade over more rows than one batch carries fails here, before it holds them all.
    if (this.view.changes().length + children.length > changesPerBatchMax) throw new TideError('BATCH_TOO_LARGE', `a transaction changes at most ${changesPerBatchMax} rows`);
    for (const old of children) {
      if (after === null && rule === 'cascade') {
        // A row an earlier branch of this cascade already removed is gone.
        if (this.view.getRow(child, old.key) !== undefined) this.write(child, old.row, null, next);
        continue;
      }
      const current = this.view.getRow(child, old.key);
      if (current === undefined) continue;
      const changed = [...current];
      key.columns.forEach((position, at) => {
        changed[position] = rule === 'set_null' ? null : coerceToColumn(child.columns[position]!, after![reference.parentPositions[at]!] ?? null);
      });
      const afterKey = encodeRowKey(child, changed);
      if (!afterKey.equals(old.key) && this.view.getRow(child, afterKey) !== undefined) throw duplicateKey(child, changed);
      checkIndexedRow(this.view, child, changed, { key: old.key, row: current });
      this.write(child, current, changed, next);
    }
  }

  private referencing(table: TableDef): readonly Reference[] {
    const known = this.referencesByTable.get(table.id);
    if (known !== undefined) return known;
    const references: Reference[] = [];
    for (const child of liveTables(this.view)) {
      for (const key of foreignKeysOf(child)) {
        if (!sameName(table, key.parentDatabase, key.parentTable)) continue;
        const parentPositions = key.parentColumns.map((name) => table.columns.findIndex((column) => column.name === name));
        if (parentPositions.every((position) => position >= 0)) references.push({ child, key, parentPositions });
      }
    }
    // In the order InnoDB meets them: by the parent's key (primary key first, then its indexes).
    const keyOrder = (reference: Reference): number => {
      const key = parentKeyOf(table, reference.parentPositions);
      return key === null ? Number.MAX_SAFE_INTEGER : key.index === null ? -1 : indexesOf(table).indexOf(key.index);
    };
    references.sort((a, b) => keyOrder(a) - keyOrder(b));
    this.referencesByTable.set(table.id, references);
    return references;
  }
}

// Whether the reference's rule refuses the change: RESTRICT and NO ACTION, and MySQL's rule that
// an update cascading into a table this cascade already updated acts as RESTRICT.
function restricts(reference: Reference, after: Row | null, updated: ReadonlySet<number>): boolean {
  const rule = after === null ? reference.key.onDelete : reference.key.onUpdate;
  return rule === 'restrict' || rule === 'no_action' || (after !== null && updated.has(reference.child.id));
}

// Whether a change of `before` into `after` (null: a delete) takes away values a child may hold.
function referencedValuesChange(table: TableDef, reference: Reference, before: Row, after: Row | null): boolean {
  if (reference.parentPositions.some((position) => before[position] === null || before[position] === undefined)) return false;
  return after === null || !sameKeyValues(table, reference.parentPositions, before, after);
}

// Refuses to drop an index a foreign key looks up through (MySQL's 1553): the child's only index
// leading with its columns, or the parent's UNIQUE index its columns are. Without it each
// look-up would read the whole table.
export function refuseDropOfIndexInUse(view: ReadView, table: TableDef, index: IndexDef): void {
  const without = { ...table, indexes: indexesOf(table).filter((candidate) => candidate.id !== index.id) };
  for (const key of foreignKeysOf(table)) {
    if (!supportingKeyExists(without, key.columns)) throw indexInUse(index, key);
  }
  for (const child of liveTables(view)) {
    for (const key of foreignKeysOf(child)) {
      if (!sameName(table, key.parentDatabase, key.parentTable)) continue;
      const positions = key.parentColumns.map((name) => table.columns.findIndex((column) => column.name === name));
      if (parentKeyOf(table, positions)?.index?.id === index.id) throw indexInUse(index, key);
    }
  }
}

function indexInUse(index: IndexDef, key: ForeignKeyDef): TideError {
  return new TideError('FOREIGN_KEY_INDEX_IN_USE', `cannot drop index '${index.name}': needed in foreign key constraint '${key.name}'`);
}

// Whether `row` is its own child under the reference (a self-reference to the row itself).
function referencesItself(table: TableDef, { child, key, parentPositions }: Reference, row: Row): boolean {
  if (child.id !== table.id) return false;
  return key.columns.every((position, at) => encodeKeyPart(table.columns[position]!, row[position] ?? null).equals(encodeKeyPart(table.columns[parentPositions[at]!]!, row[parentPositions[at]!] ?? null)));
}

// True when `row` (of the child `table`) has its parent row under `key`, or holds a NULL in
// one of the key's columns (which then constrains nothing, as in MySQL).
export function hasParentRow(view: ReadView, table: TableDef, key: ForeignKeyDef, row: Row): boolean {
  const values = key.columns.map((position) => row[position] ?? null);
  if (values.some((value) => value === null)) return true;
  const parent = view.table(key.parentDatabase, key.parentTable);
  if (parent === undefined) return false;
  const positions = key.parentColumns.map((name) => parent.columns.findIndex((column) => column.name === name));
  if (positions.some((position) => position < 0)) return false;
  const parentKey = parentKeyOf(parent, positions);
  const path: AccessPath = parentKey === null ? { kind: 'full_scan', reverse: false } : parentKey.index === null ? { kind: 'point', keys: [reorderedToPrimaryKey(parent, positions, values)] } : exactRange(parentKey.index, values);
  return !isEmpty(matching(view, parent, positions, values, path));
}

// The child rows whose columns under the reference hold the parent row's referenced values.
function childRows(view: ReadView, { child, key, parentPositions }: Reference, parentRow: Row): Iterable<KeyedRow> {
  const values = parentPositions.map((position) => parentRow[position] ?? null);
  return matching(view, child, key.columns, values, childPath(child, key.columns, values));
}

// A path over the child's primary key or an index that leads with the key's columns, in order.
function childPath(table: TableDef, columns: readonly number[], values: readonly Value[]): AccessPath {
  const leads = (parts: readonly number[]): boolean => columns.every((position, at) => parts[at] === position);
  if (leads(table.primaryKey)) return table.primaryKey.length === columns.length ? { kind: 'point', keys: [values] } : { kind: 'range', index: null, ranges: [exactBounds(values)], reverse: false, parts: columns.length };
  const index = indexesOf(table).find((candidate) => leads(candidate.parts.map((part) => part.position)));
  return index === undefined ? { kind: 'full_scan', reverse: false } : exactRange(index, values);
}

function exactRange(index: Exclude<Extract<AccessPath, { kind: 'range' }>['index'], null>, values: readonly Value[]): AccessPath {
  return { kind: 'range', index, ranges: [exactBounds(values)], reverse: false, parts: values.length };
}

function exactBounds(values: readonly Value[]): { low: { values: readonly Value[]; inclusive: true }; high: { values: readonly Value[]; inclusive: true } } {
  return { low: { values, inclusive: true }, high: { values, inclusive: true } };
}

// The primary key's values when `positions` (the referenced columns) are its parts in order.
function reorderedToPrimaryKey(parent: TableDef, positions: readonly number[], values: readonly Value[]): Value[] {
  return parent.primaryKey.map((position) => values[positions.indexOf(position)] ?? null);
}

// The rows a path reads whose `positions` hold `values`, compared as stored: a path only
// narrows what is read.
function* matching(view: ReadView, table: TableDef, positions: readonly number[], values: readonly Value[], path: AccessPath): Generator<KeyedRow> {
  const wanted = positions.map((position, at) => encodeKeyPart(table.columns[position]!, values[at] ?? null));
  for (const candidate of accessRows(table, path, view)) {
    if (positions.every((position, at) => encodeKeyPart(table.columns[position]!, candidate.row[position] ?? null).equals(wanted[at]!))) yield candidate;
  }
}

function isEmpty(rows: Iterable<KeyedRow>): boolean {
  for (const _ of rows) return false;
  return true;
}

// The row change as the batch records it: a new primary key is a delete and a create.
function recordRow(view: OverlayView, table: TableDef, before: Row | null, after: Row | null): void {
  if (before === null) view.writeRow(table, 'c', null, after);
  else if (after === null) view.writeRow(table, 'd', before, null);
  else if (encodeRowKey(table, before).equals(encodeRowKey(table, after))) view.writeRow(table, 'u', before, after);
  else {
    view.writeRow(table, 'd', before, null);
    view.writeRow(table, 'c', null, after);
  }
}

// MySQL's 1452, quoting the constraint.
export function missingParent(table: TableDef, key: ForeignKeyDef): TideError {
  return new TideError('FOREIGN_KEY_PARENT_MISSING', `cannot add or update a child row: a foreign key constraint fails (\`${table.database}\`.\`${table.name}\`, ${foreignKeyClauseSql(table, key)})`);
}

// MySQL's 1451, quoting the constraint.
function rowReferenced({ child, key }: Reference): TideError {
  return new TideError('FOREIGN_KEY_ROW_REFERENCED', `cannot delete or update a parent row: a foreign key constraint fails (\`${child.database}\`.\`${child.name}\`, ${foreignKeyClauseSql(child, key)})`);
}
