// The first `keep` rows in ORDER BY order, without sorting all the rows a sort reads: rows
// gather until there are twice `keep`, then are sorted and cut back to `keep`. Sorting is
// stable and a cut keeps the earlier of equal rows, so the result is that of one full sort.
// With ORDER BY … LIMIT 10 over a big table this holds 20 rows, not the table; without a
// LIMIT it holds every row, against the query's memory budget. NULLs sort first, as in MySQL.
import type { Row, Value } from '../../storage/types.js';
import type { OrderTerm } from '../plan.js';
import { compareValues } from '../values.js';
import type { MemoryBudget } from './memory-budget.js';
import { rowBytes } from './memory-budget.js';

interface Entry {
  readonly row: Row;
  readonly keys: readonly Value[];
  readonly bytes: number;
}

export class TopRows {
  private entries: Entry[] = [];
  private heldBytes = 0;

  constructor(
    private readonly orderBy: readonly OrderTerm[],
    private readonly keep: number,
    private readonly budget: MemoryBudget,
  ) {}

  add(row: Row, keys: readonly Value[]): void {
    const bytes = rowBytes(row) + rowBytes(keys);
    this.budget.charge(bytes);
    this.heldBytes += bytes;
    this.entries.push({ row, keys, bytes });
    if (this.entries.length >= 2 * this.keep) this.cut();
  }

  rows(): Row[] {
    this.cut();
    return this.entries.map((entry) => entry.row);
  }

  releaseAll(): void {
    this.budget.release(this.heldBytes);
    this.heldBytes = 0;
  }

  private cut(): void {
    const orderBy = this.orderBy;
    this.entries.sort((a, b) => compareByTerms(a.keys, b.keys, orderBy));
    if (this.entries.length > this.keep) {
      for (const dropped of this.entries.slice(this.keep)) {
        this.budget.release(dropped.bytes);
        this.heldBytes -= dropped.bytes;
      }
      this.entries.length = this.keep;
    }
  }
}

// Two rows' ORDER BY keys compared as the terms say: NULLs first, DESC reversed, the first term
// that differs deciding.
export function compareByTerms(a: readonly Value[], b: readonly Value[], orderBy: readonly OrderTerm[]): number {
  // An indexed loop: the comparator runs n log n times, an entries() iterator each time.
  for (let at = 0; at < orderBy.length; at++) {
    const term = orderBy[at]!;
    const order = compareNullsFirst(a[at] ?? null, b[at] ?? null, term.collation);
    if (order !== 0) return term.descending ? -order : order;
  }
  return 0;
}

export function compareNullsFirst(a: Value, b: Value, collation?: 'utf8mb4_general_ci'): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareValues(a, b, collation);
}
