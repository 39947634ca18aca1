// The window operator: holds every input row (against the query's MemoryBudget, like a sort),
// then for each distinct window (PARTITION BY and ORDER BY) sorts the rows by partition and
// order, and computes that window's calls partition by partition (window-functions.ts).
// Output rows are the input rows, each followed by its window values, in the order of the
// last window computed, as MySQL returns them; ORDER BY above it orders them as asked.
import type { RowStream } from './iterators.js';
import type { Row, Value } from '../../storage/types.js';
import type { Expr, OrderTerm } from '../plan.js';
import { exprKey } from './expression-binder.js';
import type { LogicalPlan, WindowCall } from './logical-plan.js';
import type { MemoryBudget } from './memory-budget.js';
import { rowBytes } from './memory-budget.js';
import { compareNullsFirst } from './top-rows.js';
import { windowValues } from './window-functions.js';
import type { Evaluate, Partition } from './window-functions.js';


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
      // Each row's PARTITION BY values, then its ORDER BY values: computed once per window.
      const keys = held.map((row) => [...group.partitionBy.map((expr) => evaluate(expr, row)), ...group.orderBy.map((term) => evaluate(term.expr, row))]);
      const keyBytes = keys.reduce((sum, rowKeys) => sum + rowBytes(rowKeys), 0);
      hold(keyBytes);
      order = sortedForWindow(keys, group);
      for (const partition of partitionsOf(keys, order, group.partitionBy.length)) {
        for (const callAt of group.calls) {
          const values = windowValues(plan.calls[callAt]!, { rows: partition.positions.map((at) => held[at]!), peerFirst: partition.peerFirst, peerLast: partition.peerLast }, evaluate);
          partition.positions.forEach((at, index) => (results[callAt]![at] = values[index]!));
        }
        yield null;
      }
      budget.release(keyBytes);
      heldBytes -= keyBytes;
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

// Positions of the rows by partition values (ascending, NULLs first), then ORDER BY; the sort
// is stable, so peers keep their input order.
function sortedForWindow(keys: readonly (readonly Value[])[], group: WindowGroup): number[] {
  const descending = [...group.partitionBy.map(() => false), ...group.orderBy.map((term) => term.descending)];
  return keys.map((_, at) => at).sort((a, b) => {
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

// The partitions of the sorted rows: runs of equal values in the first `partitionParts` keys;
// peers are runs of equal values in the rest.
function* partitionsOf(keys: readonly (readonly Value[])[], order: readonly number[], partitionParts: number): Generator<PartitionPositions> {
  const same = (a: number, b: number, from: number, to: number): boolean => {
    for (let part = from; part < to; part++) if (compareNullsFirst(keys[a]![part]!, keys[b]![part]!) !== 0) return false;
    return true;
  };
  const width = keys[0]?.length ?? 0;
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && same(order[start]!, order[end]!, 0, partitionParts)) end++;
    const positions = order.slice(start, end);
    const peerFirst: number[] = [];
    const peerLast = new Array<number>(positions.length);
    positions.forEach((at, index) => peerFirst.push(index > 0 && same(at, positions[index - 1]!, partitionParts, width) ? peerFirst[index - 1]! : index));
    for (let index = positions.length - 1; index >= 0; index--) {
      peerLast[index] = index + 1 < positions.length && peerFirst[index + 1] === peerFirst[index] ? peerLast[index + 1]! : index;
    }
    yield { positions, peerFirst, peerLast };
    start = end;
  }
}
