// EXPLAIN and EXPLAIN ANALYZE of a SELECT: its operator tree as rows, as MySQL and TiDB print
// theirs — one row per operator, children indented under their parent (a join's build side
// second), with the table and key each access reads, its ranges and order, and each join's
// method. ANALYZE runs the query (its result is dropped) and adds, per operator, the rows it
// passed up (`actRows`) and, for a table access, the rows it read from storage (`rowsRead`):
// what the plan really cost, which tests read to prove that a LIMIT stops a scan early or that
// a lookup reads only the rows its key pins.
import { assertNever } from '../../base/assert.js';
import type { Steps } from '../../base/time-slice.js';
import { indexesOf } from '../../storage/types.js';
import type { IndexDef, Row, TableDef, Value } from '../../storage/types.js';
import { evaluate } from '../expression.js';
import type { Expr } from '../plan.js';
import type { ReadView } from '../read-view.js';
import { chooseAccess } from './access-path.js';
import { residualWhere } from './covered-conjuncts.js';
import type { AccessPath } from './access-path.js';
import { conjuncts } from './expr-walk.js';
import { rows } from './iterators.js';
import type { OperatorStats, PlanStats } from './iterators.js';
import type { LogicalPlan, SelectQuery } from './logical-plan.js';
import { indexLookupOf } from './lookup-join.js';
import type { IndexLookup, JoinEstimates } from './lookup-join.js';
import { MemoryBudget } from './memory-budget.js';
import { StatementSubqueries } from './subquery-runner.js';

export function* explainSteps(query: SelectQuery, analyze: boolean, params: readonly Value[], view: ReadView): Steps<{ columns: readonly string[]; rows: readonly Row[] }> {
  let stats: PlanStats | null = null;
  if (analyze) {
    stats = new Map();
    const context = { ...new StatementSubqueries(view, params, new MemoryBudget()).context([]), stats };
    for (const _ of rows(query.plan, context)) yield;
  }
  const lines: Line[] = [];
  describe(query.plan, { view, params }, lines, { prefix: '', last: true, root: true });
  const columns = stats === null ? ['id', 'access object', 'operator info'] : ['id', 'actRows', 'rowsRead', 'access object', 'operator info'];
  const counted = (line: Line): Value[] => {
    if (stats === null) return [];
    const operator: OperatorStats | undefined = stats.get(line.plan);
    // A table access passes up what it reads; its filter, when it has one, counts what passed.
    const passed = line.plan.kind === 'scan' ? operator?.rowsRead : operator?.rowsOut;
    return [BigInt(passed ?? 0), line.plan.kind === 'scan' ? BigInt(operator?.rowsRead ?? 0) : null];
  };
  return { columns, rows: lines.map((line) => [line.id, ...counted(line), line.access, line.info]) };
}

interface Line {
  readonly plan: LogicalPlan;
  readonly id: string;
  readonly access: string;
  readonly info: string;
}

interface Position {
  readonly prefix: string;
  readonly last: boolean;
  readonly root: boolean;
}

// `lookup`: the plan is the inner table of an index nested-loop join, read by key per outer row.
function describe(plan: LogicalPlan, estimates: JoinEstimates, lines: Line[], at: Position, predicate: Expr | null = null, lookup: IndexLookup | null = null): void {
  const { params } = estimates;
  const branch = at.root ? '' : `${at.prefix}${at.last ? '└─' : '├─'}`;
  const index = lines.length + 1;
  if (plan.kind === 'scan' && lookup !== null) {
    const key = lookupKey(lookup);
    lines.push({ plan, id: `${branch}${key === null ? 'TableRangeScan' : 'IndexRangeScan'}_${index}`, access: `table:${plan.table.name}, index:${key === null ? 'PRIMARY' : indexText(plan.table, key)}`, info: 'ranges: the outer row\'s key values, looked up per outer row' });
    return;
  }
  lines.push({ plan, id: `${branch}${operatorName(plan, estimates, predicate)}_${index}`, access: plan.kind === 'scan' ? `table:${plan.table.name}${indexNamed(plan.table, pathOf(plan, params, predicate))}` : '', info: operatorInfo(plan, estimates, predicate) });
  const inner = at.root ? '' : `${at.prefix}${at.last ? '  ' : '│ '}`;
  const children = childrenOf(plan);
  const innerLookup = plan.kind === 'join' ? indexLookupOf(plan, estimates) : lookup;
  children.forEach((child, at) => {
    // A filter straight over a table is the table access's own filter: the access it chooses
    // depends on it.
    const childPredicate = plan.kind === 'filter' && child.kind === 'scan' ? plan.predicate : null;
    const childLookup = (plan.kind === 'join' && at === 1) || (plan.kind === 'filter' && child.kind === 'scan') ? innerLookup : null;
    describe(child, estimates, lines, { prefix: inner, last: at === children.length - 1, root: false }, childPredicate, childLookup);
  });
}

// The key an index nested-loop join reads its inner table by: null for the primary key.
function lookupKey(lookup: IndexLookup): IndexDef | null {
  const columns = new Set(lookup.keyColumns.map(({ position }) => position));
  if (columns.has(lookup.table.primaryKey[0]!)) return null;
  return indexesOf(lookup.table).find((index) => columns.has(index.parts[0]!.position)) ?? null;
}

function childrenOf(plan: LogicalPlan): readonly LogicalPlan[] {
  switch (plan.kind) {
    case 'single_row':
    case 'scan':
    case 'virtual':
    case 'cte_iteration':
      return [];
    case 'derived':
      return [plan.query.plan];
    case 'cte':
      return plan.table.recursive === null ? [plan.table.plan] : [plan.table.plan, plan.table.recursive.step];
    case 'filter':
    case 'project':
    case 'aggregate':
    case 'window':
    case 'distinct':
    case 'sort':
    case 'limit':
      return [plan.input];
    case 'join':
    case 'set_filter':
      return [plan.left, plan.right];
    case 'union_all':
      return plan.inputs;
    default:
      return assertNever(plan);
  }
}

function pathOf(plan: Extract<LogicalPlan, { kind: 'scan' }>, params: readonly Value[], predicate: Expr | null): AccessPath {
  return chooseAccess(plan.table, predicate, params, undefined, plan.order ?? null);
}

function operatorName(plan: LogicalPlan, estimates: JoinEstimates, predicate: Expr | null): string {
  const { params } = estimates;
  switch (plan.kind) {
    case 'single_row':
      return 'TableDual';
    case 'scan': {
      const path = pathOf(plan, params, predicate);
      if (path.kind === 'full_scan') return 'TableFullScan';
      if (path.kind === 'point') return path.keys.length === 1 ? 'Point_Get' : 'Batch_Point_Get';
      return path.index === null ? 'TableRangeScan' : path.ranges.length === 1 && path.ranges[0]!.low === null && path.ranges[0]!.high === null ? 'IndexFullScan' : 'IndexRangeScan';
    }
    // TiDB's name for its information_schema reads.
    case 'virtual':
      return 'MemTableScan';
    case 'derived':
      return 'Derived';
    case 'filter':
      return 'Selection';
    case 'project':
      return 'Projection';
    case 'join':
      return indexLookupOf(plan, estimates) !== null ? 'IndexJoin' : plan.leftKeys.length > 0 ? 'HashJoin' : 'NestedLoopJoin';
    case 'aggregate':
      return plan.rollup ? 'StreamAgg' : 'HashAgg';
    case 'window':
      return 'Window';
    case 'cte':
      return 'CTEFullScan';
    case 'cte_iteration':
      return 'CTETable';
    case 'distinct':
      return 'Distinct';
    case 'sort':
      return plan.limit === null ? 'Sort' : 'TopN';
    case 'limit':
      return 'Limit';
    case 'union_all':
      return 'Union';
    case 'set_filter':
      return plan.keep === 'common' ? 'Intersect' : 'Except';
    default:
      return assertNever(plan);
  }
}

function operatorInfo(plan: LogicalPlan, estimates: JoinEstimates, predicate: Expr | null): string {
  const { params } = estimates;
  switch (plan.kind) {
    case 'scan':
      return accessInfo(plan, pathOf(plan, params, predicate));
    case 'filter': {
      const count = conjuncts(plan.predicate).length;
      if (plan.input.kind !== 'scan') return `conditions: ${count}`;
      // Those the key range read already guarantees are not checked again (covered-conjuncts.ts).
      const residual = residualWhere(plan.input.table, plan.predicate, pathOf(plan.input, params, plan.predicate), params, undefined);
      return `conditions: ${count}, checked per row: ${residual === null ? 0 : conjuncts(residual).length}`;
    }
    case 'join': {
      const method = indexLookupOf(plan, estimates) !== null ? ', inner side looked up by key per outer row' : ' (build: right side)';
      const keys = plan.leftKeys.length > 0 ? `, equal keys: ${plan.leftKeys.length}${method}` : '';
      return `${plan.type} join${keys}${plan.on === null ? '' : ', other conditions'}`;
    }
    case 'aggregate':
      return `group by: ${plan.groupBy.length}${plan.rollup ? ' with rollup' : ''}, funcs: ${plan.aggregates.map((call) => `${call.fn}${call.distinct ? '(DISTINCT)' : ''}`).join(', ') || 'none'}`;
    case 'window':
      return `funcs: ${plan.calls.map((call) => (call.aggregate === null ? call.fn : call.aggregate.fn)).join(', ')}`;
    case 'cte':
      return `${plan.table.recursive === null ? '' : 'recursive '}cte: ${plan.table.name}`;
    case 'sort':
      return `keys: ${plan.keys.map((key) => (key.descending ? 'desc' : 'asc')).join(', ')}${limitInfo(plan.limit, plan.offset, params)}`;
    case 'limit':
      return limitInfo(plan.limit, plan.offset, params).slice(2);
    default:
      return '';
  }
}

function accessInfo(plan: Extract<LogicalPlan, { kind: 'scan' }>, path: AccessPath): string {
  const order = plan.order === undefined ? 'keep order: false' : `keep order: true${plan.order.reverse ? ', desc' : ''}`;
  switch (path.kind) {
    case 'full_scan':
      return order;
    case 'point':
      return `keys: ${path.keys.length}`;
    case 'range': {
      const fetch = path.index === null ? '' : ', fetch rows by primary key';
      const parts = Number.isInteger(path.parts) ? `equal on ${path.parts} key parts` : `equal on ${Math.floor(path.parts)} key parts, range on the next`;
      return `ranges: ${path.ranges.length}, ${parts}${fetch}, ${order}`;
    }
    default:
      return assertNever(path);
  }
}

function indexNamed(table: TableDef, path: AccessPath): string {
  if (path.kind === 'full_scan') return '';
  if (path.kind === 'point' || path.index === null) return ', index:PRIMARY';
  return `, index:${indexText(table, path.index)}`;
}

function indexText(table: TableDef, index: IndexDef): string {
  return `${index.name}(${index.parts.map((part) => table.columns[part.position]!.name + (part.direction === 'desc' ? ' DESC' : '')).join(', ')})`;
}

function limitInfo(limit: Expr | null, offset: Expr | null, params: readonly Value[]): string {
  const text = (expr: Expr | null): string => (expr === null ? '' : String(evaluateOrNull(expr, params)));
  return `${limit === null ? '' : `, limit: ${text(limit)}`}${offset === null ? '' : `, offset: ${text(offset)}`}`;
}

function evaluateOrNull(expr: Expr, params: readonly Value[]): Value {
  try {
    return evaluate(expr, [], params);
  } catch {
    return null;
  }
}
