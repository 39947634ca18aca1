// GROUP BY … WITH ROLLUP when the query runs: every row is added to its group at each level
// (all GROUP BY values, all but the last, …, none), and the groups come out in GROUP BY order
// (ascending, NULLs first), each super-aggregate row right after the last group it sums up,
// the grand total last, as MySQL returns them. Over no rows there is no row at all.
// Output row: the group's first input row, the GROUP BY values (NULL where rolled up), one
// GROUPING() bit per GROUP BY expression, then the aggregates (see logical-plan.ts).
import type { RowStream } from './iterators.js';
import type { Row, Value } from '../../storage/types.js';
import type { Expr } from '../plan.js';
import { newAccumulator, rowExprs } from './aggregates.js';
import type { Accumulator } from './aggregates.js';
import type { LogicalPlan } from './logical-plan.js';
import type { MemoryBudget } from './memory-budget.js';
import { rowBytes } from './memory-budget.js';
import { compareNullsFirst } from './top-rows.js';
import { rowKey } from './value-key.js';


interface Group {
  readonly first: Row;
  readonly values: readonly Value[];
  readonly accumulators: readonly Accumulator[];
  // The groups this one's rows also count in, by level (index = GROUP BY values kept).
  readonly within: Group[];
}

export function* rollupRows(plan: Extract<LogicalPlan, { kind: 'aggregate' }>, input: RowStream, evaluate: (expr: Expr, row: Row) => Value, budget: MemoryBudget): RowStream {
  const depth = plan.groupBy.length;
  const levels = Array.from({ length: depth + 1 }, () => new Map<string, Group>());
  const groupBytes = 64 * (plan.aggregates.length + depth + 1);
  let heldBytes = 0;
  try {
    for (const row of input) {
      if (row !== null) {
        const values = plan.groupBy.map((expr) => evaluate(expr, row));
        const args = plan.aggregates.map((call) => (call.arg === null ? true : evaluate(call.arg, row)));
        const keys = plan.aggregates.map((call) => rowExprs(call)?.map((expr) => evaluate(expr, row)));
        const within: Group[] = [];
        for (let level = 0; level <= depth; level++) {
          const key = rowKey(values.slice(0, level));
          let group = levels[level]!.get(key);
          if (group === undefined) {
            const bytes = rowBytes(row) + groupBytes;
            budget.charge(bytes);
            heldBytes += bytes;
            group = { first: row, values: values.slice(0, level), accumulators: plan.aggregates.map(newAccumulator), within: [...within] };
            levels[level]!.set(key, group);
          }
          within.push(group);
          group.accumulators.forEach((accumulator, at) => accumulator.add(args[at]!, keys[at]));
        }
      }
      yield null;
    }
    const groups = [...levels[depth]!.values()].sort((a, b) => compareGroups(a.values, b.values));
    const emitted = new Set<Group>();
    for (const [at, group] of groups.entries()) {
      yield outputRow(group, depth);
      const next = groups[at + 1];
      // Close each enclosing group the next one is not in, innermost first.
      for (let level = depth - 1; level >= 0; level--) {
        const enclosing = group.within[level]!;
        if (next !== undefined && next.within[level] === enclosing) break;
        if (emitted.has(enclosing)) continue;
        emitted.add(enclosing);
        yield outputRow(enclosing, depth);
      }
    }
  } finally {
    budget.release(heldBytes);
  }
}

function outputRow(group: Group, depth: number): Row {
  const values = Array.from({ length: depth }, (_, at) => (at < group.values.length ? group.values[at]! : null));
  const bits = Array.from({ length: depth }, (_, at) => (at < group.values.length ? 0n : 1n));
  return [...group.first, ...values, ...bits, ...group.accumulators.map((accumulator) => accumulator.result())];
}

function compareGroups(a: readonly Value[], b: readonly Value[]): number {
  for (let at = 0; at < a.length; at++) {
    const order = compareNullsFirst(a[at]!, b[at]!);
    if (order !== 0) return order;
  }
  return 0;
}
