// Pull iterators that run a logical plan. Each operator is a generator pulling rows from its
// inputs; it yields a row, or null after a unit of work that produced none (a row filtered
// out, a row added to a hash table), so that the executor can give the event loop back between
// any two units, whatever the plan. Streaming operators (scan, filter, project, limit, the
// probe side of a join) hold one row; blocking ones (a join's build side, sort, aggregate,
// distinct) hold theirs against the query's MemoryBudget and give it back when they finish.
import { assertNever } from '../../base/assert.js';
import { mapIterable } from '../../base/iterables.js';
import { TideError } from '../../base/errors.js';
import type { Row, Value } from '../../storage/types.js';
import { evaluate, truth } from '../expression.js';
import type { EvalContext } from '../expression.js';
import type { Expr } from '../plan.js';
import type { ReadView } from '../read-view.js';
import { newAccumulator, rowExprs } from './aggregates.js';
import { chooseAccess } from './access-path.js';
import { conjunction } from './expr-walk.js';
import { accessRows, keyedRows } from './key-lookup.js';
import { indexLookupOf } from './lookup-join.js';
import type { IndexLookup } from './lookup-join.js';
import type { Accumulator } from './aggregates.js';
import type { LogicalPlan } from './logical-plan.js';
import type { CommonTableRows } from './common-table-rows.js';
import type { MemoryBudget } from './memory-budget.js';
import type { ScanColumns } from './scan-columns.js';
import { rowBytes } from './memory-budget.js';
import { rollupRows } from './rollup-aggregate.js';
import { TopRows } from './top-rows.js';
import { windowRows } from './window-operator.js';
import { rowKey, valueKey } from './value-key.js';
import { generalCiKeyValue } from './collation-rules.js';

// An operator's rows. Most operators are generators; the per-row layers of a scan (the
// table's rows, a filter on them, a projection) are plain iterators (base/iterables.ts).
export type RowStream = Iterable<Row | null>;

// What every operator of one query level runs with.
export interface QueryContext {
  readonly view: ReadView;
  readonly params: readonly Value[];
  readonly budget: MemoryBudget;
  // The enclosing queries' rows and the subquery runner, for expressions.
  readonly eval: EvalContext;
  // The statement's WITH queries' rows.
  readonly tables: CommonTableRows;
  // Set by EXPLAIN ANALYZE: what each operator of the plan produced and read.
  readonly stats?: PlanStats;
  // The columns each scan of the plan must read (scan-columns.ts); absent: every column.
  readonly scanColumns?: ScanColumns;
}

export interface OperatorStats {
  // Rows the operator passed up.
  rowsOut: number;
  // Rows a table access read from storage (before its filter).
  rowsRead: number;
}

export type PlanStats = Map<LogicalPlan, OperatorStats>;

export function statsOf(stats: PlanStats, plan: LogicalPlan): OperatorStats {
  let found = stats.get(plan);
  if (found === undefined) stats.set(plan, (found = { rowsOut: 0, rowsRead: 0 }));
  return found;
}

export function rows(plan: LogicalPlan, context: QueryContext): RowStream {
  const stream = operatorRows(plan, context);
  return context.stats === undefined ? stream : counted(stream, statsOf(context.stats, plan));
}

function* counted(stream: RowStream, stats: OperatorStats): RowStream {
  for (const row of stream) {
    if (row !== null) stats.rowsOut++;
    yield row;
  }
}

function operatorRows(plan: LogicalPlan, context: QueryContext): RowStream {
  switch (plan.kind) {
    case 'single_row':
      return singleRow();
    case 'scan':
      return scan(plan, context);
    case 'virtual':
      return virtualRows(plan, context);
    case 'derived':
      return rows(plan.query.plan, context);
    case 'filter':
      return filter(plan, context);
    case 'project':
      return project(plan, context);
    case 'join':
      return join(plan, context);
    case 'aggregate':
      return plan.rollup ? rollupRows(plan, rows(plan.input, context), evaluator(context), context.budget) : aggregate(plan, context);
    case 'window':
      return windowRows(plan, rows(plan.input, context), evaluator(context), context.budget);
    case 'cte':
      return context.tables.rows(plan.table, (input) => rows(input, context));
    case 'cte_iteration':
      return context.tables.iteration(plan.table);
    case 'distinct':
      return distinct(plan, context);
    case 'sort':
      return sort(plan, context);
    case 'limit':
      return limit(plan, context);
    case 'union_all':
      return unionAll(plan, context);
    case 'set_filter':
      return setFilter(plan, context);
    default:
      return assertNever(plan);
  }
}

function* singleRow(): RowStream {
  yield [];
}

function scan(plan: Extract<LogicalPlan, { kind: 'scan' }>, context: QueryContext): RowStream {
  const counter = context.stats === undefined ? undefined : statsOf(context.stats, plan);
  return mapIterable(keyedRows(plan.table, null, context.params, context.view, context.eval, plan.order ?? null, counter, context.scanColumns?.get(plan)), rowOf);
}

function rowOf(candidate: { readonly row: Row } | null): Row | null {
  return candidate === null ? null : candidate.row;
}

function* virtualRows(plan: Extract<LogicalPlan, { kind: 'virtual' }>, context: QueryContext): RowStream {
  yield* plan.source.rows(context.view, plan.bindView);
}

function value(expr: Expr, row: Row, context: QueryContext): Value {
  return evaluate(expr, row, context.params, context.eval);
}

function evaluator(context: QueryContext): (expr: Expr, row: Row) => Value {
  return (expr, row) => value(expr, row, context);
}

function filter(plan: Extract<LogicalPlan, { kind: 'filter' }>, context: QueryContext): RowStream {
  // A filter straight over a table may read it by key (key-lookup.ts).
  if (plan.input.kind === 'scan') {
    // The scan counts the rows it reads; rows() counts for the filter the rows that pass.
    const counter = context.stats === undefined ? undefined : statsOf(context.stats, plan.input);
    return mapIterable(keyedRows(plan.input.table, plan.predicate, context.params, context.view, context.eval, plan.input.order ?? null, counter, context.scanColumns?.get(plan.input)), rowOf);
  }
  return mapIterable(rows(plan.input, context), (row) => (row !== null && truth(value(plan.predicate, row, context)) === true ? row : null));
}

function project(plan: Extract<LogicalPlan, { kind: 'project' }>, context: QueryContext): RowStream {
  const exprs = plan.exprs;
  return mapIterable(rows(plan.input, context), (row) => {
    if (row === null) return null;
    const projected = new Array<Value>(exprs.length);
    for (let at = 0; at < exprs.length; at++) projected[at] = value(exprs[at]!, row, context);
    return projected;
  });
}

// The build side (right) is read once into memory, hashed by the equality keys when there are
// any; the probe side (left) streams. A LEFT join pads a probe row that matched nothing with
// NULLs; a RIGHT join remembers which build rows matched and pads the rest at the end.
function* join(plan: Extract<LogicalPlan, { kind: 'join' }>, context: QueryContext): RowStream {
  const lookup = indexLookupOf(plan, context);
  if (lookup !== null) {
    yield* lookupJoin(plan, lookup, context);
    return;
  }
  const built: Row[] = [];
  const hashed = plan.leftKeys.length > 0 ? new Map<string, number[]>() : null;
  let heldBytes = 0;
  try {
    for (const row of rows(plan.right, context)) {
      if (row !== null) {
        const bytes = rowBytes(row);
        context.budget.charge(bytes);
        heldBytes += bytes;
        const at = built.push(row) - 1;
        if (hashed !== null) {
          const key = keyOf(plan.rightKeys, row, context);
          if (key !== null) hashed.get(key)?.push(at) ?? hashed.set(key, [at]);
        }
      }
      yield null;
    }
    const matched = plan.type === 'right' ? new Uint8Array(built.length) : null;
    const everyRow = hashed === null ? built.map((_, at) => at) : [];
    for (const left of rows(plan.left, context)) {
      if (left === null) {
        yield null;
        continue;
      }
      const key = hashed === null ? null : keyOf(plan.leftKeys, left, context);
      const candidates = hashed === null ? everyRow : key === null ? noCandidates : hashed.get(key) ?? noCandidates;
      let any = false;
      for (const at of candidates) {
        const joined = joinedRow(left, built[at]!);
        if (plan.on === null || truth(value(plan.on, joined, context)) === true) {
          any = true;
          if (matched !== null) matched[at] = 1;
          yield joined;
        } else {
          yield null;
        }
      }
      if (!any && plan.type === 'left') yield [...left, ...nulls(plan.rightWidth)];
      if (candidates.length === 0) yield null;
    }
    if (matched !== null) {
      const padding = nulls(plan.leftWidth);
      for (const [at, row] of built.entries()) yield matched[at] === 1 ? null : [...padding, ...row];
    }
  } finally {
    context.budget.release(heldBytes);
  }
}

// An index nested-loop join (lookup-join.ts): the inner rows of each outer row are read through
// the access path its key values give, then matched exactly as the hash join matches them.
function* lookupJoin(plan: Extract<LogicalPlan, { kind: 'join' }>, lookup: IndexLookup, context: QueryContext): RowStream {
  const counter = context.stats === undefined ? undefined : statsOf(context.stats, lookup.scan);
  const passed = context.stats === undefined ? undefined : statsOf(context.stats, plan.right);
  const filterConjuncts = lookup.filter === null ? [] : [lookup.filter];
  for (const left of rows(plan.left, context)) {
    if (left === null) {
      yield null;
      continue;
    }
    let any = false;
    const key = keyOf(plan.leftKeys, left, context);
    if (key !== null) {
      const equalities = lookup.keyColumns.map(({ at, position }): Expr => ({ kind: 'binary', operator: '=', left: { kind: 'column', position }, right: { kind: 'literal', value: value(plan.leftKeys[at]!, left, context) } }));
      const path = chooseAccess(lookup.table, conjunction([...filterConjuncts, ...equalities]), context.params, context.eval);
      for (const { row: right } of accessRows(lookup.table, path, context.view)) {
        if (counter !== undefined) counter.rowsRead++;
        if ((lookup.filter !== null && truth(value(lookup.filter, right, context)) !== true) || keyOf(plan.rightKeys, right, context) !== key) {
          yield null;
          continue;
        }
        if (passed !== undefined && passed !== counter) passed.rowsOut++;
        const joined = joinedRow(left, right);
        if (plan.on === null || truth(value(plan.on, joined, context)) === true) {
          any = true;
          yield joined;
        } else {
          yield null;
        }
      }
    }
    yield any || plan.type !== 'left' ? null : [...left, ...nulls(plan.rightWidth)];
  }
}

// The hash key of a row's join keys, or null when one is NULL (NULL equals nothing).
function keyOf(keys: readonly Expr[], row: Row, context: QueryContext): string | null {
  let key = '';
  for (const expr of keys) {
    const keyValue = value(expr, row, context);
    if (keyValue === null) return null;
    key += `${valueKey(keyValue)}|`;
  }
  return key;
}

const noCandidates: readonly number[] = [];

// [...left, ...right], without the spread's iteration: a join makes one per matching pair.
function joinedRow(left: Row, right: Row): Value[] {
  const joined = new Array<Value>(left.length + right.length);
  for (let at = 0; at < left.length; at++) joined[at] = left[at]!;
  for (let at = 0; at < right.length; at++) joined[left.length + at] = right[at]!;
  return joined;
}

function nulls(count: number): Value[] {
  return new Array<Value>(count).fill(null);
}

interface Group {
  readonly first: Row;
  readonly accumulators: readonly Accumulator[];
}

// Groups in the order their first rows came. Without GROUP BY there is one group, even over no
// rows (COUNT(*) is then 0 and the other columns NULL).
function* aggregate(plan: Extract<LogicalPlan, { kind: 'aggregate' }>, context: QueryContext): RowStream {
  const groups = new Map<string, Group>();
  const groupBytes = 64 * (plan.aggregates.length + 1);
  let heldBytes = 0;
  try {
    const { groupBy, aggregates } = plan;
    for (const row of rows(plan.input, context)) {
      if (row !== null) {
        let key = '';
        for (const expr of groupBy) key += `${valueKey(value(expr, row, context))}|`;
        let group = groups.get(key);
        if (group === undefined) {
          const bytes = rowBytes(row) + groupBytes;
          context.budget.charge(bytes);
          heldBytes += bytes;
          group = { first: row, accumulators: aggregates.map(newAccumulator) };
          groups.set(key, group);
        }
        for (let at = 0; at < aggregates.length; at++) {
          const call = aggregates[at]!;
          // COUNT(*) counts rows: any non-NULL marker will do.
          group.accumulators[at]!.add(call.arg === null ? true : value(call.arg, row, context), rowExprs(call)?.map((expr) => value(expr, row, context)));
        }
      }
      yield null;
    }
    if (groups.size === 0 && plan.groupBy.length === 0) {
      groups.set('', { first: nulls(plan.inputWidth), accumulators: plan.aggregates.map(newAccumulator) });
    }
    for (const group of groups.values()) yield [...group.first, ...group.accumulators.map((accumulator) => accumulator.result())];
  } finally {
    context.budget.release(heldBytes);
  }
}

function* distinct(plan: Extract<LogicalPlan, { kind: 'distinct' }>, context: QueryContext): RowStream {
  const seen = new Set<string>();
  let heldBytes = 0;
  try {
    for (const row of rows(plan.input, context)) {
      if (row === null) {
        yield null;
        continue;
      }
      const key = setKey(row, plan);
      if (seen.has(key)) {
        yield null;
        continue;
      }
      const bytes = 2 * key.length + 48;
      context.budget.charge(bytes);
      heldBytes += bytes;
      seen.add(key);
      yield row;
    }
  } finally {
    context.budget.release(heldBytes);
  }
}

function* sort(plan: Extract<LogicalPlan, { kind: 'sort' }>, context: QueryContext): RowStream {
  const offset = plan.offset === null ? 0 : countOf(plan.offset, context, 'OFFSET');
  const count = plan.limit === null ? Infinity : countOf(plan.limit, context, 'LIMIT');
  if (count === 0) return;
  const top = new TopRows(plan.keys, offset + count, context.budget);
  try {
    for (const row of rows(plan.input, context)) {
      if (row !== null) top.add(row, plan.keys.map((key) => value(key.expr, row, context)));
      yield null;
    }
    const sorted = top.rows();
    for (let at = offset; at < sorted.length; at++) yield sorted[at]!;
  } finally {
    top.releaseAll();
  }
}

function* limit(plan: Extract<LogicalPlan, { kind: 'limit' }>, context: QueryContext): RowStream {
  const offset = plan.offset === null ? 0 : countOf(plan.offset, context, 'OFFSET');
  const count = plan.limit === null ? Infinity : countOf(plan.limit, context, 'LIMIT');
  if (count === 0) return;
  let seen = 0;
  // Returning closes the input: a LIMIT over a scan stops reading the table.
  for (const row of rows(plan.input, context)) {
    if (row === null) {
      yield null;
      continue;
    }
    seen++;
    if (seen <= offset) {
      yield null;
      continue;
    }
    yield row;
    if (seen >= offset + count) return;
  }
}

function* unionAll(plan: Extract<LogicalPlan, { kind: 'union_all' }>, context: QueryContext): RowStream {
  for (const input of plan.inputs) yield* rows(input, context);
}

// Right's rows are counted by key; a left row then passes by its key's count. With `all`
// each right row matches (INTERSECT ALL) or cancels (EXCEPT ALL) one left row of its key.
function* setFilter(plan: Extract<LogicalPlan, { kind: 'set_filter' }>, context: QueryContext): RowStream {
  const right = new Map<string, number>();
  const emitted = new Set<string>();
  let heldBytes = 0;
  const hold = (key: string): void => {
    const bytes = 2 * key.length + 48;
    context.budget.charge(bytes);
    heldBytes += bytes;
  };
  try {
    for (const row of rows(plan.right, context)) {
      if (row !== null) {
        const key = setKey(row, plan);
        const count = right.get(key);
        if (count === undefined) hold(key);
        right.set(key, (count ?? 0) + 1);
      }
      yield null;
    }
    for (const row of rows(plan.left, context)) {
      if (row === null) {
        yield null;
        continue;
      }
      const key = setKey(row, plan);
      const count = right.get(key) ?? 0;
      if (plan.all) {
        if (count > 0) right.set(key, count - 1);
        yield (count > 0) === (plan.keep === 'common') ? row : null;
        continue;
      }
      if (emitted.has(key) || (count > 0) !== (plan.keep === 'common')) {
        yield null;
        continue;
      }
      hold(key);
      emitted.add(key);
      yield row;
    }
  } finally {
    context.budget.release(heldBytes);
  }
}

export function countOf(expr: Expr, context: QueryContext, clause: string): number {
  const count = value(expr, [], context);
  const number = typeof count === 'bigint' ? Number(count) : typeof count === 'number' ? count : NaN;
  if (!Number.isInteger(number) || number < 0) throw new TideError('TYPE_MISMATCH', `${clause} needs a non-negative integer`);
  return number;
}

// The key DISTINCT and the set filters compare rows by: general_ci columns by their sort keys.
function setKey(row: Row, plan: { readonly width: number; readonly collations?: readonly ('utf8mb4_general_ci' | undefined)[] }): string {
  return rowKey(plan.collations === undefined ? row : collatedRow(row, plan.collations), plan.width);
}

// A row's general_ci columns as their sort keys, for keying DISTINCT.
function collatedRow(row: Row, collations: readonly ('utf8mb4_general_ci' | undefined)[]): Row {
  return row.map((item, at) => (collations[at] === undefined ? item : generalCiKeyValue(item)));
}
