// The logical plan of a SELECT: a tree of readonly operators whose expressions are bound
// (columns are positions in the row the operator's input produces). The binder builds it;
// iterators.ts runs it. Every operator's output row is described by its `width`.
import type { TableDef } from '../../storage/types.js';
import type { Expr, OrderTerm } from '../plan.js';
import type { KeyOrder } from './access-path.js';
import type { ViewBinder, VirtualTable } from './virtual-table.js';

export type AggregateFunction = 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'GROUP_CONCAT';

export interface AggregateCall {
  readonly fn: AggregateFunction;
  // null for COUNT(*).
  readonly arg: Expr | null;
  readonly distinct: boolean;
  // AVG of exact numbers is a DECIMAL with 4 more digits than its argument (a rounded
  // double here, as `/` is); null for an AVG of doubles and for every other function.
  readonly scale: number | null;
}

export type JoinType = 'inner' | 'left' | 'right';

export type LogicalPlan =
  // One empty row: the FROM of a SELECT without one.
  | { readonly kind: 'single_row' }
  // `order`: the rows are needed in that key's order (index-order.ts).
  | { readonly kind: 'scan'; readonly table: TableDef; readonly width: number; readonly order?: KeyOrder }
  // A table of information_schema: rows made from the catalog as the query runs.
  | { readonly kind: 'virtual'; readonly source: VirtualTable; readonly width: number; readonly bindView: ViewBinder }
  // A derived table (a subquery in FROM): its rows as they come.
  | { readonly kind: 'derived'; readonly query: SelectQuery }
  | { readonly kind: 'filter'; readonly input: LogicalPlan; readonly predicate: Expr }
  | { readonly kind: 'project'; readonly input: LogicalPlan; readonly exprs: readonly Expr[] }
  // Rows of left and right side by side. `leftKeys[i] = rightKeys[i]` are equalities the
  // join answers by hashing the right side (each key bound to its own side's row); `on` is
  // the rest of the condition, over the joined row. Without keys it is a nested loop.
  | {
      readonly kind: 'join';
      readonly type: JoinType;
      readonly left: LogicalPlan;
      readonly right: LogicalPlan;
      readonly leftWidth: number;
      readonly rightWidth: number;
      readonly leftKeys: readonly Expr[];
      readonly rightKeys: readonly Expr[];
      readonly on: Expr | null;
    }
  // Output row: the group's first input row (so that a column outside GROUP BY reads as
  // MySQL's "any value" of its group, and expressions of the group's columns need no slots),
  // then one value per aggregate.
  | {
      readonly kind: 'aggregate';
      readonly input: LogicalPlan;
      readonly inputWidth: number;
      readonly groupBy: readonly Expr[];
      readonly aggregates: readonly AggregateCall[];
    }
  // Distinct on the first `width` columns of each row.
  | { readonly kind: 'distinct'; readonly input: LogicalPlan; readonly width: number }
  // `limit` bounds what the sort keeps (ORDER BY … LIMIT n holds n rows, not the input).
  | { readonly kind: 'sort'; readonly input: LogicalPlan; readonly keys: readonly OrderTerm[]; readonly limit: Expr | null; readonly offset: Expr | null }
  | { readonly kind: 'limit'; readonly input: LogicalPlan; readonly limit: Expr | null; readonly offset: Expr | null }
  | { readonly kind: 'union_all'; readonly inputs: readonly LogicalPlan[] }
  // INTERSECT (keep 'common') and EXCEPT (keep 'left_only'): the distinct rows of left that
  // are (or are not) among right's, rows compared as DISTINCT compares them.
  | { readonly kind: 'set_filter'; readonly keep: 'common' | 'left_only'; readonly left: LogicalPlan; readonly right: LogicalPlan; readonly width: number };

// A bound SELECT: its plan and the names of its result columns.
export interface SelectQuery {
  readonly plan: LogicalPlan;
  readonly columns: readonly string[];
}
