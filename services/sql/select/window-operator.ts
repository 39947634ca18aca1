// The window operator: holds every input row (against the query's MemoryBudget, like a sort),
// then for each distinct window (PARTITION BY and ORDER BY) sorts the rows by partition and
// order, and computes that window's calls partition by partition (window-functions.ts).
// Output rows are the input rows, each followed by its window values, in the order of the
// last window computed, as MySQL returns them; ORDER BY above it orders them as asked.
import type { Row, Value } from '../../storage/types.js';
import type { Expr, OrderTerm } from '../plan.js';
import { exprKey } from './expression-binder.js';
import type { LogicalPlan, WindowCall } from './logical-plan.js';
import type { MemoryBudget } from './memory-budget.js';
import { rowBytes } from './memory-budget.js';
import { compareNullsFirst } from './top-rows.js';
import { windowValues } from './window-functions.js';
import type { Evaluate, Partition } from './window-functions.js';

type RowStream = Generator<Row | null, void, undefined>;

interface WindowGroup {
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderTerm[];
  // Positions in the operator's list of calls.
  readonly calls: number[];
}

export function* windowRows(plan: Extract<LogicalPlan, { kind: 'window' }>, input: RowStream, evaluate: Evaluate, budget: MemoryBudget): RowStream {
  const held: Row[] = [];
  let heldBytes = 0;
  const hold = (bytes: number): void => {
    budget.charge(bytes);
    heldBytes += bytes;
  };
  try {
    for (const row of input) {
      if (row !== null) {
        hold(rowBytes(row));
        held.push(row);
      }
      yield null;
    }
    const results: Value[][] = plan.calls.map(() => new Array<Value>(held.length).fill(null));
    hold(plan.calls.length * held.length * 16);
    let order = held.map((_, at) => at);
    for (const group of windowGroups(plan.calls)) {
      order = sortedForWindow(held, group, evaluate);
      for (const partition of partitionsOf(held, order, group, evaluate)) {
        for (const callAt of group.calls) {
          const values = windowValues(plan.calls[callAt]!, { rows: partition.positions.map((at) => held[at]!), peerFirst: partition.peerFirst, peerLast: partition.peerLast }, evaluate);
          partition.positions.forEach((at, index) => (results[callAt]![at] = values[index]!));
        }
        yield null;
      }
    }
    for (const at of order) yield [...held[at]!, ...results.map((values) => values[at]!)];
  } finally {
    budget.release(heldBytes);
  }
}

// Calls of the same PARTITION BY and ORDER BY share one sort, in the order they came.
function windowGroups(calls: readonly WindowCall[]): WindowGroup[] {
  const groups = new Map<string, WindowGroup>();
  calls.forEach((call, at) => {
    const key = exprKey({ partitionBy: call.partitionBy, orderBy: call.orderBy });
    const group = groups.get(key) ?? { partitionBy: call.partitionBy, orderBy: call.orderBy, calls: [] };
    group.calls.push(at);
    groups.set(key, group);
  });
  return [...groups.values()];
}

// Positions of the held rows by partition values (ascending, NULLs first), then ORDER BY;
// the sort is stable, so peers keep their input order.
function sortedForWindow(held: readonly Row[], group: WindowGroup, evaluate: Evaluate): number[] {
  const keys = held.map((row) => [...group.partitionBy.map((expr) => evaluate(expr, row)), ...group.orderBy.map((term) => evaluate(term.expr, row))]);
  const descending = [...group.partitionBy.map(() => false), ...group.orderBy.map((term) => term.descending)];
  return held.map((_, at) => at).sort((a, b) => {
    for (let part = 0; part < descending.length; part++) {
      const order = compareNullsFirst(keys[a]![part]!, keys[b]![part]!);
      if (order !== 0) return descending[part] ? -order : order;
    }
    return 0;
  });
}

interface PartitionPositions extends Omit<Partition, 'rows'> {
  readonly positions: readonly number[];
}

function* partitionsOf(held: readonly Row[], order: readonly number[], group: WindowGroup, evaluate: Evaluate): Generator<PartitionPositions> {
  const keysOf = (at: number, exprs: readonly Expr[]): Value[] => exprs.map((expr) => evaluate(expr, held[at]!));
  const orderExprs = group.orderBy.map((term) => term.expr);
  let start = 0;
  while (start < order.length) {
    const partitionKeys = keysOf(order[start]!, group.partitionBy);
    let end = start + 1;
    while (end < order.length && sameValues(partitionKeys, keysOf(order[end]!, group.partitionBy))) end++;
    const positions = order.slice(start, end);
    const orderKeys = positions.map((at) => keysOf(at, orderExprs));
    const peerFirst: number[] = [];
    const peerLast = new Array<number>(positions.length);
    orderKeys.forEach((keys, at) => peerFirst.push(at > 0 && sameValues(keys, orderKeys[at - 1]!) ? peerFirst[at - 1]! : at));
    for (let at = positions.length - 1; at >= 0; at--) {
      peerLast[at] = at + 1 < positions.length && peerFirst[at + 1] === peerFirst[at] ? peerLast[at + 1]! : at;
    }
    yield { positions, peerFirst, peerLast };
    start = end;
  }
}

function sameValues(a: readonly Value[], b: readonly Value[]): boolean {
  return a.every((value, at) => compareNullsFirst(value, b[at]!) === 0);
}
