// Which columns of each table a SELECT reads, so that its scans decode only those
// (storage/row-columns.ts): `SELECT id, v FROM t WHERE id BETWEEN …` leaves every other column
// of each row packed. Worked out once per plan, from the top: a node needs of its input what
// its own expressions read and what the nodes above need of its output. Every expression of a
// node counts, needed above or not, since the node evaluates them all. A query with a
// correlated subquery anywhere gets no masks: the subquery reads the rows of this level
// through outer references, which are not followed here.
import { assertNever } from '../../base/assert.js';
import type { ColumnMask } from '../../storage/row-columns.js';
import type { Expr } from '../plan.js';
import { children } from './expr-walk.js';
import type { LogicalPlan } from './logical-plan.js';
import { rowExprs } from './aggregates.js';

type ScanPlan = Extract<LogicalPlan, { kind: 'scan' }>;

// Per scan of the plan, the columns its rows must hold; a scan absent from the map reads all.
export type ScanColumns = ReadonlyMap<ScanPlan, ColumnMask>;

const noMasks: ScanColumns = new Map();
const computed = new WeakMap<LogicalPlan, ScanColumns>();

// A plan is immutable and kept by the plan cache: its masks are worked out on its first run.
export function scanColumnsOf(plan: LogicalPlan): ScanColumns {
  let masks = computed.get(plan);
  if (masks === undefined) computed.set(plan, (masks = workOut(plan)));
  return masks;
}

// Output positions a node's consumer reads: some, or every one.
type Needed = Set<number> | 'all';

class Correlated extends Error {}

function workOut(plan: LogicalPlan): ScanColumns {
  const masks = new Map<ScanPlan, boolean[]>();
  try {
    need(plan, 'all', masks);
  } catch (error) {
    if (error instanceof Correlated) return noMasks;
    throw error;
  }
  return masks;
}

function need(plan: LogicalPlan, needed: Needed, masks: Map<ScanPlan, boolean[]>): void {
  switch (plan.kind) {
    case 'scan': {
      const mask = masks.get(plan) ?? new Array<boolean>(plan.table.columns.length).fill(false);
      for (let position = 0; position < mask.length; position++) if (needed === 'all' || needed.has(position)) mask[position] = true;
      masks.set(plan, mask);
      return;
    }
    case 'single_row':
    case 'virtual':
    // A WITH query's plan runs apart from the plan that reads it, and reads whole rows.
    case 'cte':
    case 'cte_iteration':
      return;
    case 'derived':
      return need(plan.query.plan, 'all', masks);
    case 'filter':
      return need(plan.input, withColumnsOf([plan.predicate], needed), masks);
    case 'project':
      return need(plan.input, columnsOf(plan.exprs), masks);
    case 'join': {
      const joined = withColumnsOf(plan.on === null ? [] : [plan.on], needed);
      const left = columnsOf(plan.leftKeys);
      const right = columnsOf(plan.rightKeys);
      if (joined === 'all') {
        need(plan.left, 'all', masks);
        need(plan.right, 'all', masks);
        return;
      }
      for (const position of joined) {
        if (position < plan.leftWidth) left.add(position);
        else right.add(position - plan.leftWidth);
      }
      need(plan.left, left, masks);
      need(plan.right, right, masks);
      return;
    }
    case 'aggregate': {
      // The output row begins with the group's first input row.
      const input = columnsOf([...plan.groupBy, ...plan.aggregates.flatMap((call) => [...(call.arg === null ? [] : [call.arg]), ...(rowExprs(call) ?? [])])]);
      if (needed === 'all') for (let position = 0; position < plan.inputWidth; position++) input.add(position);
      else for (const position of needed) if (position < plan.inputWidth) input.add(position);
      return need(plan.input, input, masks);
    }
    // Window calls read the input row in ways not followed here (frames, partitions).
    case 'window':
      return need(plan.input, 'all', masks);
    case 'distinct': {
      if (needed === 'all') return need(plan.input, 'all', masks);
      const input = new Set(needed);
      for (let position = 0; position < plan.width; position++) input.add(position);
      return need(plan.input, input, masks);
    }
    case 'sort':
      return need(plan.input, withColumnsOf(plan.keys.map((key) => key.expr), needed), masks);
    case 'limit':
      return need(plan.input, needed, masks);
    case 'union_all':
      for (const input of plan.inputs) need(input, 'all', masks);
      return;
    case 'set_filter':
      need(plan.left, 'all', masks);
      need(plan.right, 'all', masks);
      return;
    default:
      return assertNever(plan);
  }
}

// `needed` with the columns `exprs` read added (a new set: `needed` may be a consumer's).
function withColumnsOf(exprs: readonly Expr[], needed: Needed): Needed {
  if (needed !== 'all') return columnsOf(exprs, new Set(needed));
  for (const expr of exprs) addColumns(expr, needed);
  return needed;
}

function columnsOf(exprs: readonly Expr[], into = new Set<number>()): Set<number> {
  for (const expr of exprs) addColumns(expr, into);
  return into;
}

function addColumns(expr: Expr, into: Needed): void {
  switch (expr.kind) {
    case 'column':
      if (into !== 'all') into.add(expr.position);
      return;
    case 'outer_column':
      throw new Correlated();
    case 'subquery':
    case 'in_subquery':
      if (expr.correlated) throw new Correlated();
      break;
    default:
      break;
  }
  for (const child of children(expr)) addColumns(child, into);
}
