// WITH queries when the statement runs. A query read once streams like a derived table; one
// read several times, or recursive, is computed once per statement execution and its rows
// kept (charged to the query's MemoryBudget for the rest of the statement, as a cached
// subquery's are). A recursive one iterates its step over the previous iteration's rows until
// an iteration adds none, at most cteRecursionDepthMax times (MySQL's cte_max_recursion_depth,
// its error 3636 past it); with UNION DISTINCT a row already produced is not produced again,
// so a recursion that only repeats itself ends.
import type { RowStream } from './iterators.js';
import { TideError } from '../../base/errors.js';
import { cteRecursionDepthMax } from '../../base/limits.js';
import type { Row } from '../../storage/types.js';
import type { CommonTable, LogicalPlan } from './logical-plan.js';
import type { MemoryBudget } from './memory-budget.js';
import { rowBytes } from './memory-budget.js';
import { rowKey } from './value-key.js';

type Run = (plan: LogicalPlan) => RowStream;

// The rows computed so far, those the last pass added, and (UNION DISTINCT) the keys seen.
interface Gathered {
  readonly all: Row[];
  added: Row[];
  readonly seen: Set<string> | null;
  heldBytes: number;
}

// One statement execution's WITH rows.
export class CommonTableRows {
  private readonly computed = new Map<CommonTable, readonly Row[]>();
  private readonly iterations = new Map<CommonTable, readonly Row[]>();

  constructor(private readonly budget: MemoryBudget) {}

  *rows(table: CommonTable, run: Run): RowStream {
    if (table.recursive === null && table.uses.count <= 1) {
      yield* run(table.plan);
      return;
    }
    let rows = this.computed.get(table);
    if (rows === undefined) {
      rows = yield* this.compute(table, run);
      this.computed.set(table, rows);
    }
    yield* rows;
  }

  // The previous iteration's rows, read by the recursive step.
  *iteration(table: CommonTable): RowStream {
    yield* this.iterations.get(table) ?? [];
  }

  // The rows stay charged to the budget for the rest of the statement; a failure gives them back.
  private *compute(table: CommonTable, run: Run): Generator<null, Row[], undefined> {
    const gathered: Gathered = { all: [], added: [], seen: table.recursive?.distinct === true ? new Set<string>() : null, heldBytes: 0 };
    let iterations = 0;
    try {
      yield* this.gather(run(table.plan), gathered);
      while (table.recursive !== null && gathered.added.length > 0) {
        if (++iterations > cteRecursionDepthMax) {
          throw new TideError('RECURSION_TOO_DEEP', `recursive query '${table.name}' aborted after ${iterations} iterations (cte_max_recursion_depth is ${cteRecursionDepthMax}); add a condition that ends it`);
        }
        this.iterations.set(table, gathered.added);
        gathered.added = [];
        yield* this.gather(run(table.recursive.step), gathered);
      }
    } catch (error) {
      this.budget.release(gathered.heldBytes);
      throw error;
    } finally {
      this.iterations.delete(table);
    }
    return gathered.all;
  }

  private *gather(rows: RowStream, gathered: Gathered): Generator<null, void, undefined> {
    for (const row of rows) {
      if (row !== null && this.keep(row, gathered)) {
        gathered.all.push(row);
        gathered.added.push(row);
      }
      yield null;
    }
  }

  // Charges a row kept for the statement; with `seen` (UNION DISTINCT) keeps it only once.
  private keep(row: Row, gathered: Gathered): boolean {
    const key = gathered.seen === null ? null : rowKey(row, row.length);
    if (key !== null && gathered.seen!.has(key)) return false;
    const bytes = rowBytes(row) + (key === null ? 0 : 2 * key.length + 48);
    this.budget.charge(bytes);
    gathered.heldBytes += bytes;
    if (key !== null) gathered.seen!.add(key);
    return true;
  }
}
