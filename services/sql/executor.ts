// Runs a plan over an OverlayView: reads see the view, writes are recorded in it (they become
// the change batch). Nothing here touches storage or Raft, so a failed statement is undone
// by dropping its view. Execution is a generator that yields after each row it reads or
// writes, so that a driver can slice a big statement (base/time-slice.ts).
import { assert, assertNever } from '../base/assert.js';
import { topicNamesCollide } from '../base/identifiers.js';
import { TideError } from '../base/errors.js';
import { changesPerBatchMax } from '../base/limits.js';
import { runToEnd } from '../base/time-slice.js';
import type { Steps } from '../base/time-slice.js';
import { encodeRowKey } from '../storage/key-codec.js';
import { isVisible } from '../storage/types.js';
import type { ColumnDef, Row, TableDef, Value } from '../storage/types.js';
import { indexDefOf, indexDefsOf } from './ddl/index-ddl.js';
import { alterTable, renameTables } from './ddl/alter-table.js';
import { checkUse, createDatabase, dropDatabase } from './ddl/database-statements.js';
import { createView, dropView } from './ddl/view-statements.js';
import { executeAccountStatement } from './accounts/account-statements.js';
import { evaluate } from './expression.js';
import type { EvalContext } from './expression.js';
import { checkIndexedRow, clashingRows, duplicateKey } from './index-checks.js';
import { alterForeignKeys, newTableForeignKeys, refuseDropOfReferenced, refuseTruncateOfReferenced } from './ddl/foreign-keys.js';
import { ForeignKeyWrites } from './foreign-key-checks.js';
import type { OverlayView } from './overlay-view.js';
import type { Assignment, BoundCheck, JoinTarget, OnDuplicate, Plan } from './plan.js';
import { explainSteps } from './select/explain.js';
import { keyedRows } from './select/key-lookup.js';
import { runSelect } from './select/run-select.js';
import type { ColumnOrigin, LogicalPlan } from './select/logical-plan.js';
import { statementContext, StatementSubqueries } from './select/subquery-runner.js';
import { rows } from './select/iterators.js';
import type { QueryContext } from './select/iterators.js';
import { MemoryBudget } from './select/memory-budget.js';
import { showRows } from './show.js';
import { checkConstraints, defaultValue, touchOnUpdate } from './row-rules.js';
import { coerceToColumn } from './values.js';
import { Decimal } from '../values/decimal.js';

export interface StatementResult {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
  readonly rowsAffected: number;
  readonly lastInsertId: bigint | null;
  // A SELECT's result columns that read a table's column as it is (select/logical-plan.ts): the
  // MySQL protocol describes them by their declared type. Absent for other statements.
  readonly columnOrigins?: readonly (ColumnOrigin | null)[];
  // The rows a write found, for the MySQL protocol's CLIENT_FOUND_ROWS and its "Rows matched"
  // info; rowsAffected stays MySQL's count of rows changed, which HTTP answers. Every UPDATE's:
  // the rows its WHERE matched, changed or not. An INSERT's when some row an ON DUPLICATE KEY
  // UPDATE found was left as it was: its rows affected plus one for each such row. Absent
  // otherwise (the rows found are rowsAffected).
  readonly rowsMatched?: { readonly statement: 'update' | 'insert'; readonly rows: number };
  // The AUTO_INCREMENT column's value in the last row an INSERT or REPLACE wrote, given or
  // generated: MySQL's OK packet carries it when the statement generated no id, while
  // LAST_INSERT_ID() (lastInsertId) stays as it was. Absent when no row was written.
  readonly autoIncrementValue?: bigint;
}

const noRows = { columns: [], rows: [] } as const;

// The last part of a database's schema change topic, which no table may take.
const schemaChangesTopicName = '_schema';

// Runs a plan to its end at once: for small work, and for tests.
export function execute(plan: Plan, params: readonly Value[], view: OverlayView, nowMs: number = Date.now()): StatementResult {
  return runToEnd(executeSteps(plan, params, view, nowMs));
}

// `nowMs` is the statement's time (CURRENT_TIMESTAMP defaults), read once by the caller.
export function* executeSteps(plan: Plan, params: readonly Value[], view: OverlayView, nowMs: number = Date.now()): Steps<StatementResult> {
  switch (plan.kind) {
    case 'create_table':
      return createTable(plan, view);
    case 'drop_table':
      return dropTable(plan, view);
    case 'truncate_table':
      return truncateTable(plan, view);
    case 'create_database':
      return { ...noRows, rowsAffected: createDatabase(plan, view), lastInsertId: null };
    case 'drop_database':
      return { ...noRows, rowsAffected: dropDatabase(plan, view), lastInsertId: null };
    case 'insert':
      return yield* insert(plan, params, view, nowMs);
    case 'update':
      return yield* update(plan, params, view, nowMs);
    case 'delete':
      return yield* deleteRows(plan, params, view);
    case 'multi_update':
      return yield* multiUpdate(plan, params, view, nowMs);
    case 'multi_delete':
      return yield* multiDelete(plan, params, view);
    case 'select': {
      const { columns, rows, origins } = yield* runSelect(plan.query, params, view);
      return { columns, rows, rowsAffected: 0, lastInsertId: null, ...(origins === undefined ? {} : { columnOrigins: origins }) };
    }
    case 'explain':
      return { ...(yield* explainSteps(plan.query, plan.analyze, params, view)), rowsAffected: 0, lastInsertId: null };
    case 'alter_table':
      return { ...noRows, rowsAffected: yield* alterTable(plan, view, nowMs), lastInsertId: null };
    case 'rename_tables':
      renameTables(plan, view);
      return { ...noRows, rowsAffected: 0, lastInsertId: null };
    case 'alter_foreign_keys':
      yield* alterForeignKeys(plan, view);
      return { ...noRows, rowsAffected: 0, lastInsertId: null };
    case 'show':
      return showRows(plan.target, view);
    case 'create_view':
      createView(plan, view);
      return { ...noRows, rowsAffected: 0, lastInsertId: null };
    case 'drop_view':
      dropView(plan, view);
      return { ...noRows, rowsAffected: 0, lastInsertId: null };
    case 'use':
      checkUse(plan.database, view);
      return { ...noRows, rowsAffected: 0, lastInsertId: null };
    case 'account':
      return executeAccountStatement(plan.statement, view, view.currentAccount);
    default:
      return assertNever(plan);
  }
}

function createTable(plan: Extract<Plan, { kind: 'create_table' }>, view: OverlayView): StatementResult {
  // A view's name is taken as a table's is (one namespace).
  if (view.table(plan.database, plan.name) !== undefined || view.viewDef(plan.database, plan.name) !== undefined) {
    if (plan.ifNotExists) return { ...noRows, rowsAffected: 0, lastInsertId: null };
    throw new TideError('TABLE_EXISTS', `table '${plan.database}.${plan.name}' already exists`);
  }
  // `<prefix>.<database>._schema` is the database's schema change topic (cdc/schema-change-events.ts).
  const schemaTopic = { database: plan.database, name: schemaChangesTopicName };
  if (plan.name.toLowerCase() === schemaChangesTopicName || topicNamesCollide(schemaTopic, plan)) {
    throw new TideError('TABLE_DEFINITION_INVALID', `table '${plan.database}.${plan.name}' would share a Kafka topic with the database's schema changes ('${schemaChangesTopicName}')`);
  }
  const clash = view.allTables().find((existing) => topicNamesCollide(existing, plan));
  if (clash !== undefined) {
    throw new TideError('TABLE_DEFINITION_INVALID', `table '${plan.database}.${plan.name}' would share a Kafka topic with '${clash.database}.${clash.name}' (Kafka treats '.' and '_' alike)`);
  }
  const table: TableDef = { id: view.nextTableId(), version: 1, database: plan.database, name: plan.name, columns: plan.columns, primaryKey: plan.primaryKey, ...(plan.checks.length > 0 ? { checks: plan.checks } : {}), ...(plan.collation === 'utf8mb4_general_ci' ? { collation: plan.collation } : {}) };
  const declared = indexDefsOf(table, plan.indexes);
  const keyed = plan.foreignKeys.length === 0 ? null : newTableForeignKeys(view, { ...table, indexes: declared }, plan.foreignKeys);
  // InnoDB's index for each foreign key that no declared index leads with comes after them.
  const indexes = [...declared];
  for (const spec of keyed?.indexes ?? []) indexes.push(indexDefOf(table, spec, indexes));
  view.createTable({ ...table, ...(indexes.length > 0 ? { indexes } : {}), ...(keyed !== null && keyed.foreignKeys.length > 0 ? { foreignKeys: keyed.foreignKeys } : {}) });
  return { ...noRows, rowsAffected: 0, lastInsertId: null };
}

function dropTable(plan: Extract<Plan, { kind: 'drop_table' }>, view: OverlayView): StatementResult {
  const tables: TableDef[] = [];
  for (const name of plan.names) {
    const table = view.table(plan.database, name);
    if (table === undefined) {
      if (plan.ifExists) continue;
      // MySQL's answer (1051) for DROP TABLE of a table that does not exist, or of a view.
      if (view.viewDef(plan.database, name) !== undefined) throw new TideError('TABLE_UNKNOWN', `unknown table '${plan.database}.${name}': it is a view (DROP VIEW drops it)`);
      throw new TideError('TABLE_UNKNOWN', `unknown table '${plan.database}.${name}'`);
    }
    tables.push(table);
  }
  // A parent goes only with its children (MySQL's 3730), whatever their order in the statement.
  refuseDropOfReferenced(view, tables);
  for (const table of tables) view.dropTable(table);
  return { ...noRows, rowsAffected: 0, lastInsertId: null };
}

// One change however many rows the table holds (storage removes them in slices); MySQL
// reports 0 rows affected.
function truncateTable(plan: Extract<Plan, { kind: 'truncate_table' }>, view: OverlayView): StatementResult {
  const table = view.table(plan.database, plan.name);
  if (table === undefined) throw new TideError('TABLE_NOT_FOUND', `table '${plan.database}.${plan.name}' does not exist`);
  refuseTruncateOfReferenced(view, table);
  view.truncateTable(table);
  return { ...noRows, rowsAffected: 0, lastInsertId: null };
}

function* insert(plan: Extract<Plan, { kind: 'insert' }>, params: readonly Value[], view: OverlayView, nowMs: number): Steps<StatementResult> {
  const { table } = plan;
  const autoPosition = table.columns.findIndex((column) => column.autoIncrement);
  const rowIdPosition = table.columns.findIndex((column) => !isVisible(column));
  // The hidden row ids this statement allocates, from the table's counter; the counter moves
  // once, after the last row, so a batch carries one counter change per statement.
  let nextRowId = rowIdPosition >= 0 ? view.autoIncrementNext(table.id) : 0n;
  let lastInsertId: bigint | null = null;
  // INSERT … SELECT reads all its rows before writing any, as MySQL does through a temporary
  // table: a SELECT of the target table must not see the rows this statement adds.
  const context = statementContext(view, params);
  const keys = new ForeignKeyWrites(view);
  const selected = plan.select === null ? null : (yield* runSelect(plan.select.query, params, view)).rows;
  const count = selected === null ? plan.rows.length : selected.length;
  let affected = 0;
  let matched = 0;
  let autoIncrementValue: bigint | null = null;
  for (let at = 0; at < count; at++) {
    yield;
    const given = selected === null ? plan.rows[at]!.map((expr) => (expr === null ? undefined : evaluate(expr, [], params, context))) : selectedValues(table, plan.select!.positions, selected[at]!);
    const values = given.map((value, position) => (value === undefined ? omittedValue(table.columns[position]!, nowMs) : value));
    if (rowIdPosition >= 0) values[rowIdPosition] = nextRowId++;
    const generated = autoPosition >= 0 ? assignAutoIncrement(table, autoPosition, values, view) : null;
    const row = table.columns.map((column, position) => coerceToColumn(column, values[position] ?? null));
    checkConstraints(plan.checks, row, context);
    const outcome = writeInsertedRow(plan.onDuplicate, row, { table, params, view, context, nowMs, checks: plan.checks, keys });
    affected += outcome.affected;
    matched += outcome.written !== null && outcome.affected === 0 ? 1 : outcome.affected;
    const stored = autoPosition >= 0 && outcome.affected > 0 ? (outcome.written?.[autoPosition] ?? null) : null;
    if (stored !== null) autoIncrementValue = integerOf(stored);
    // As in MySQL: for the first row given a generated id, that id if the row was inserted, or
    // the id of the row it updated instead; never an id given explicitly nor one of a row
    // ignored or left as it was (MariaDB's OK packet then says 0).
    if (generated !== null && lastInsertId === null && outcome.written !== null && outcome.affected > 0) {
      const id = outcome.written === row ? generated : (outcome.written[autoPosition] ?? null);
      lastInsertId = id === null ? null : integerOf(id);
    }
  }
  if (rowIdPosition >= 0 && count > 0) view.setAutoIncrementNext(table.id, nextRowId);
  return { ...noRows, rowsAffected: affected, lastInsertId, ...(matched === affected ? {} : { rowsMatched: { statement: 'insert', rows: matched } }), ...(autoIncrementValue === null ? {} : { autoIncrementValue }) };
}

// A column an INSERT row leaves out (or gives DEFAULT): its default. A NOT NULL column without
// one is refused as MySQL's strict mode refuses it (1364, not the 1048 of an explicit NULL),
// unless a counter fills it (AUTO_INCREMENT, the hidden row id).
function omittedValue(column: ColumnDef, nowMs: number): Value {
  if (column.default === undefined && !column.nullable && !column.autoIncrement && isVisible(column)) {
    throw new TideError('FIELD_NO_DEFAULT', `field '${column.name}' doesn't have a default value`);
  }
  return defaultValue(column, nowMs);
}

// Writes one row an INSERT produced, doing with a collision what `onDuplicate` says. Returns
// the rows affected as MySQL counts them, and the row written: `row` itself, the row an ON
// DUPLICATE KEY UPDATE left in its place, or null when it was ignored.
function writeInsertedRow(onDuplicate: OnDuplicate, row: Row, write: WriteContext): { affected: number; written: Row | null } {
  const { table, view } = write;
  if (onDuplicate.kind === 'error') return insertNewRow(row, write);
  // Rows of this statement count too: a later row may collide with an earlier one.
  const clashing = clashingRows(view, table, row);
  if (clashing.length === 0) return insertNewRow(row, write);
  switch (onDuplicate.kind) {
    case 'ignore':
      return { affected: 0, written: null };
    case 'replace': {
      // As MySQL counts it: one per row deleted, and one for the row inserted. A clashing row an
      // earlier one's ON DELETE CASCADE removed is gone, and not counted.
      let deleted = 0;
      for (const old of clashing) {
        if (view.getRow(table, old.key) === undefined) continue;
        write.keys.write(table, old.row, null);
        deleted++;
      }
      return { affected: deleted + insertNewRow(row, write).affected, written: row };
    }
    case 'update':
      return updateOnDuplicate(onDuplicate.assignments, clashing[0]!, row, write);
    default:
      return assertNever(onDuplicate);
  }
}

function insertNewRow(row: Row, { table, view, keys }: WriteContext): { affected: number; written: Row } {
  if (view.getRow(table, encodeRowKey(table, row)) !== undefined) throw duplicateKey(table, row);
  checkIndexedRow(view, table, row, null);
  keys.write(table, null, row);
  return { affected: 1, written: row };
}

interface KeyedRow {
  readonly key: Buffer;
  readonly row: Row;
}

// What writing one row needs besides the row: the statement's table, parameters, view, time,
// CHECKs and foreign keys.
interface WriteContext {
  readonly keys: ForeignKeyWrites;
  readonly table: TableDef;
  readonly params: readonly Value[];
  readonly view: OverlayView;
  readonly context: EvalContext;
  readonly nowMs: number;
  readonly checks: readonly BoundCheck[];
}

// ON DUPLICATE KEY UPDATE on the first row `inserted` collides with. Its assignments see the
// existing row, then the inserted one (VALUES(col)); each sees the ones before it. Returns the
// rows affected as MySQL counts them (2 for a changed row, 0 for an unchanged one) and the row
// as it is now.
function updateOnDuplicate(assignments: readonly Assignment[], existing: KeyedRow, inserted: Row, write: WriteContext): { affected: number; written: Row } {
  const after = assignRow(write.table, assignments, existing.row, inserted, write);
  if (sameRow(existing.row, after)) return { affected: 0, written: existing.row };
  writeUpdatedRow(existing, after, write);
  return { affected: 2, written: after };
}

// The row after an UPDATE's assignments, run left to right, each seeing the ones before it
// (as in MySQL); `extra` follows the row's columns in what they read (ON DUPLICATE KEY
// UPDATE's inserted row), or is empty.
function assignRow(table: TableDef, assignments: readonly Assignment[], row: Row, extra: Row, write: Pick<WriteContext, 'params' | 'context'>): Value[] {
  const scratch = [...row, ...extra];
  for (const { position, expr } of assignments) {
    scratch[position] = coerceToColumn(table.columns[position]!, evaluate(expr, scratch, write.params, write.context));
  }
  return scratch.slice(0, row.length);
}

// Writes a changed row over `old`: its ON UPDATE columns touched, its CHECKs and UNIQUE
// indexes checked, and the auto-increment counter moved past an id set by hand.
function writeUpdatedRow(old: KeyedRow, after: Value[], write: WriteContext & { readonly assigned?: ReadonlySet<number> }): void {
  const { table, view } = write;
  touchOnUpdate(table, write.assigned ?? new Set(), after, write.nowMs);
  checkConstraints(write.checks, after, write.context);
  const autoPosition = table.columns.findIndex((column) => column.autoIncrement);
  // An id set by hand at or past the counter moves it, or a later insert would collide.
  const autoValue = autoPosition >= 0 && after[autoPosition] !== null ? integerOf(after[autoPosition]!) : null;
  if (autoValue !== null && autoValue >= view.autoIncrementNext(table.id)) view.setAutoIncrementNext(table.id, counterAfter(autoValue));
  const afterKey = encodeRowKey(table, after);
  write.keys.refuseReferencedUpdate(table, old.row, after);
  checkIndexedRow(view, table, after, old);
  // A new primary key is a different row: downstream sees the old one deleted and the new one
  // created (foreign-key-checks.ts records it so).
  if (!afterKey.equals(old.key) && view.getRow(table, afterKey) !== undefined) throw duplicateKey(table, after);
  write.keys.write(table, old.row, after);
}

// A selected row spread over the table's columns: each value at its listed position, the
// rest undefined (their defaults, filled as an INSERT's omitted columns are).
function selectedValues(table: TableDef, positions: readonly number[], row: Row): (Value | undefined)[] {
  const values: (Value | undefined)[] = table.columns.map(() => undefined);
  positions.forEach((position, at) => (values[position] = row[at] ?? null));
  return values;
}

// Fills a NULL (or 0, as MySQL does) auto-increment value with the table's next id and moves
// the counter past any explicit value. Returns the generated id, if one was.
function assignAutoIncrement(table: TableDef, position: number, values: Value[], view: OverlayView): bigint | null {
  const given = values[position] ?? null;
  const column = table.columns[position]!;
  if (given === null || given === 0n || given === 0) {
    const id = view.autoIncrementNext(table.id);
    // The counter may have run past the column's range; BIGINT UNSIGNED holds it as a Decimal.
    values[position] = coerceToColumn(column, id);
    view.setAutoIncrementNext(table.id, id + 1n);
    return id;
  }
  const explicit = integerOf(coerceToColumn(column, given));
  if (explicit >= view.autoIncrementNext(table.id)) view.setAutoIncrementNext(table.id, counterAfter(explicit));
  return null;
}

// The counter after an explicit id: one more, but never past 2^64 - 1, the largest a batch
// stores; a BIGINT UNSIGNED at its maximum then makes the next generated id a duplicate, where
// MySQL fails to read the counter (1467).
function counterAfter(id: bigint): bigint {
  return id < counterMax ? id + 1n : counterMax;
}

const counterMax = 2n ** 64n - 1n;

// An AUTO_INCREMENT column's value as the counter counts: a bigint, or the Decimal of scale 0
// a BIGINT UNSIGNED column holds.
function integerOf(value: Value): bigint {
  if (value instanceof Decimal) {
    assert(value.scale === 0);
    return value.unscaled;
  }
  assert(typeof value === 'bigint');
  return value;
}

function* update(plan: Extract<Plan, { kind: 'update' }>, params: readonly Value[], view: OverlayView, nowMs: number): Steps<StatementResult> {
  const assigned = new Set(plan.assignments.map((assignment) => assignment.position));
  const { table } = plan;
  // Collect first: the view must not change under its own scan.
  const context = statementContext(view, params);
  const write = { table, params, view, context, nowMs, checks: plan.checks, assigned, keys: new ForeignKeyWrites(view) };
  const matches = yield* collectForWrite(keyedRows(table, plan.where, params, view, context));
  let changed = 0;
  let matched = 0;
  for (const match of matches) {
    yield;
    // A foreign key's cascade may have changed or removed a row collected before it ran.
    const current = view.getRow(table, match.key);
    if (current === undefined) continue;
    matched++;
    const after = assignRow(table, plan.assignments, current, [], write);
    if (sameRow(current, after)) continue; // MySQL counts changed rows, and an unchanged row is no event
    writeUpdatedRow({ key: match.key, row: current }, after, write);
    changed++;
  }
  return { ...noRows, rowsAffected: changed, lastInsertId: null, rowsMatched: { statement: 'update', rows: matched } };
}

function* deleteRows(plan: Extract<Plan, { kind: 'delete' }>, params: readonly Value[], view: OverlayView): Steps<StatementResult> {
  const matches = yield* collectForWrite(keyedRows(plan.table, plan.where, params, view, statementContext(view, params)));
  const keys = new ForeignKeyWrites(view);
  let deleted = 0;
  for (const { key } of matches) {
    yield;
    // A row an earlier row's ON DELETE CASCADE removed is gone, and not counted (as in MySQL).
    const row = view.getRow(plan.table, key);
    if (row === undefined) continue;
    keys.write(plan.table, row, null);
    deleted++;
  }
  return { ...noRows, rowsAffected: deleted, lastInsertId: null };
}

// Multi-table UPDATE: every target's rows are found before the first write, each with the
// joined row of its first match (MySQL's rule for a row the join matches several times); then
// the targets are written in FROM order, each row as a single-table UPDATE writes it. A
// target's assignments run left to right over the joined row, seeing its own earlier ones and
// the other tables' columns as the join read them.
function* multiUpdate(plan: Extract<Plan, { kind: 'multi_update' }>, params: readonly Value[], view: OverlayView, nowMs: number): Steps<StatementResult> {
  const statement = new StatementSubqueries(view, params, new MemoryBudget()).context([]);
  const matches = yield* firstMatches(plan.join, plan.targets, statement);
  const keys = new ForeignKeyWrites(view);
  let changed = 0;
  let matched = 0;
  for (const [at, target] of plan.targets.entries()) {
    const { table, offset } = target;
    const assigned = new Set(target.assignments.map((assignment) => assignment.position));
    const write = { table, params, view, context: statement.eval, nowMs, checks: target.checks, assigned, keys };
    for (const { key, joined } of matches[at]!) {
      yield;
      // An earlier target's write, or a foreign key's cascade, may have changed or removed it.
      const current = view.getRow(table, key);
      if (current === undefined) continue;
      matched++;
      const scratch = [...joined];
      scratch.splice(offset, current.length, ...current);
      for (const { position, expr } of target.assignments) {
        scratch[offset + position] = coerceToColumn(table.columns[position]!, evaluate(expr, scratch, params, statement.eval));
      }
      const after = scratch.slice(offset, offset + current.length);
      if (sameRow(current, after)) continue;
      writeUpdatedRow({ key, row: current }, after, write);
      changed++;
    }
  }
  return { ...noRows, rowsAffected: changed, lastInsertId: null, rowsMatched: { statement: 'update', rows: matched } };
}

// Multi-table DELETE: every target's rows found first, then deleted target by target; a row a
// cascade removed before its turn is not counted (as in single-table DELETE).
function* multiDelete(plan: Extract<Plan, { kind: 'multi_delete' }>, params: readonly Value[], view: OverlayView): Steps<StatementResult> {
  const matches = yield* firstMatches(plan.join, plan.targets, new StatementSubqueries(view, params, new MemoryBudget()).context([]));
  const keys = new ForeignKeyWrites(view);
  let deleted = 0;
  for (const [at, { table }] of plan.targets.entries()) {
    for (const { key } of matches[at]!) {
      yield;
      const row = view.getRow(table, key);
      if (row === undefined) continue;
      keys.write(table, row, null);
      deleted++;
    }
  }
  return { ...noRows, rowsAffected: deleted, lastInsertId: null };
}

// Reads the whole join, then gives for each target its distinct rows, in the order the join
// first met them, each with that first joined row. A target padded with NULLs by an outer join
// (its key is NULL) has no row there.
function* firstMatches(join: LogicalPlan, targets: readonly JoinTarget[], context: QueryContext): Steps<{ key: Buffer; joined: Row }[][]> {
  const found = targets.map(() => new Map<string, { key: Buffer; joined: Row }>());
  let total = 0;
  for (const joined of rows(join, context)) {
    yield;
    if (joined === null) continue;
    for (const [at, { table, offset }] of targets.entries()) {
      const own = joined.slice(offset, offset + table.columns.length);
      if (table.primaryKey.some((position) => own[position] === null)) continue;
      const key = encodeRowKey(table, own);
      const id = key.toString('latin1');
      if (found[at]!.has(id)) continue;
      if (++total > changesPerBatchMax) throw new TideError('BATCH_TOO_LARGE', `a statement changes at most ${changesPerBatchMax} rows`);
      found[at]!.set(id, { key, joined });
    }
  }
  return found.map((rowsOfTarget) => [...rowsOfTarget.values()]);
}

// The rows a write will change, refused early once there are more than one batch may carry:
// collecting them all first would hold the event loop for a statement that must fail anyway.
function* collectForWrite(rows: Iterable<{ key: Buffer; row: Row } | null>): Steps<{ key: Buffer; row: Row }[]> {
  const collected: { key: Buffer; row: Row }[] = [];
  for (const row of rows) {
    yield;
    if (row === null) continue;
    if (collected.length >= changesPerBatchMax) throw new TideError('BATCH_TOO_LARGE', `a statement changes at most ${changesPerBatchMax} rows`);
    collected.push(row);
  }
  return collected;
}

function sameRow(a: Row, b: Row): boolean {
  return a.every((value, position) => value === b[position]);
}
