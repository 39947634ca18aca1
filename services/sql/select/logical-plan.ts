// The logical plan of a SELECT: a tree of readonly operators whose expressions are bound
// (columns are positions in the row the operator's input produces). The binder builds it;
// iterators.ts runs it. Every operator's output row is described by its `width`.
import type { ColumnDef, TableDef } from '../../storage/types.js';
import type { Expr, OrderTerm } from '../plan.js';
import type { KeyOrder } from './access-path.js';
import type { ViewBinder, VirtualTable } from './virtual-table.js';

export type AggregateFunction =
  | 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'GROUP_CONCAT'
  | 'STDDEV_POP' | 'STDDEV_SAMP' | 'VAR_POP' | 'VAR_SAMP' | 'BIT_AND' | 'BIT_OR' | 'BIT_XOR' | 'JSON_ARRAYAGG' | 'JSON_OBJECTAGG';

export interface AggregateCall {
  readonly fn: AggregateFunction;
  // null for COUNT(*).
  readonly arg: Expr | null;
  readonly distinct: boolean;
  // AVG of exact numbers is a DECIMAL with 4 more digits than its argument (a rounded
  // double here, as `/` is); null for an AVG of doubles and for every other function.
  readonly scale: number | null;
  // MIN, MAX and DISTINCT of a general_ci string compare by its sort key; absent: utf8mb4_bin.
  readonly collation?: 'utf8mb4_general_ci';
  // GROUP_CONCAT's ORDER BY, over each input row (absent: the rows' order), and SEPARATOR
  // (absent: ',').
  readonly order?: readonly OrderTerm[];
  readonly separator?: string;
  // JSON_OBJECTAGG's value, beside its key (`arg`).
  readonly value?: Expr;
}

export type JoinType = 'inner' | 'left' | 'right';

export type WindowFunction =
  | 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK' | 'PERCENT_RANK' | 'CUME_DIST' | 'NTILE'
  | 'LAG' | 'LEAD' | 'FIRST_VALUE' | 'LAST_VALUE' | 'NTH_VALUE' | 'AGGREGATE';

// One end of a window frame; `offset` counts rows for `preceding` and `following`.
export interface FrameBound {
  readonly kind: 'unbounded_preceding' | 'preceding' | 'current_row' | 'following' | 'unbounded_following';
  readonly offset: number;
}

// In a RANGE frame CURRENT ROW means the row's peers (the rows of equal ORDER BY values), and
// an offset is a distance from the row's one ORDER BY value (range-frame.ts).
export interface WindowFrame {
  readonly units: 'rows' | 'range';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

// A window function call, evaluated over the rows of its partition in its order. `arg` is the
// value read (LAG, FIRST_VALUE…) or aggregated; `count` is NTILE's buckets, LAG/LEAD's offset
// or NTH_VALUE's n (a constant); `fallback` is LAG/LEAD's default.
export interface WindowCall {
  readonly fn: WindowFunction;
  readonly arg: Expr | null;
  readonly aggregate: AggregateCall | null;
  readonly count: Expr | null;
  readonly fallback: Expr | null;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderTerm[];
  readonly frame: WindowFrame;
}

// A query named by WITH. Its rows are computed once per statement execution when the query
// reads it more than once (or it is recursive) and streamed like a derived table otherwise;
// `uses` is counted while binding. A recursive one is its anchor's rows, then the rows `step`
// makes from the previous iteration's (read by `cte_iteration`), until an iteration makes none.
export interface CommonTable {
  readonly name: string;
  readonly columns: readonly string[];
  readonly plan: LogicalPlan;
  readonly recursive: { readonly step: LogicalPlan; readonly distinct: boolean } | null;
  readonly uses: { count: number };
}

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
  // With `rollup`, the output row is the group's first input row, its GROUP BY values (NULL
  // where rolled up), one GROUPING() bit per GROUP BY expression, then the aggregates; rows
  // come in GROUP BY order, each super-aggregate row after the groups it sums up.
  | {
      readonly kind: 'aggregate';
      readonly input: LogicalPlan;
      readonly inputWidth: number;
      readonly groupBy: readonly Expr[];
      readonly aggregates: readonly AggregateCall[];
      readonly rollup: boolean;
    }
  // Output row: the input row followed by one value per window call.
  | { readonly kind: 'window'; readonly input: LogicalPlan; readonly calls: readonly WindowCall[] }
  | { readonly kind: 'cte'; readonly table: CommonTable }
  // Inside a recursive query's step: the rows of its previous iteration.
  | { readonly kind: 'cte_iteration'; readonly table: CommonTable }
  // Distinct on the first `width` columns of each row; a column whose `collations` entry is
  // utf8mb4_general_ci compares by its sort key (the first row of equal ones is kept).
  | { readonly kind: 'distinct'; readonly input: LogicalPlan; readonly width: number; readonly collations?: readonly ('utf8mb4_general_ci' | undefined)[] }
  // `limit` bounds what the sort keeps (ORDER BY … LIMIT n holds n rows, not the input).
  | { readonly kind: 'sort'; readonly input: LogicalPlan; readonly keys: readonly OrderTerm[]; readonly limit: Expr | null; readonly offset: Expr | null }
  | { readonly kind: 'limit'; readonly input: LogicalPlan; readonly limit: Expr | null; readonly offset: Expr | null }
  | { readonly kind: 'union_all'; readonly inputs: readonly LogicalPlan[] }
  // INTERSECT (keep 'common') and EXCEPT (keep 'left_only'): the distinct rows of left that
  // are (or are not) among right's, rows compared as DISTINCT compares them. With `all`
  // (INTERSECT ALL, EXCEPT ALL) duplicates count: a row of left appears min(m, n) times, or
  // max(m - n, 0) times, for m copies in left and n in right.
  | { readonly kind: 'set_filter'; readonly keep: 'common' | 'left_only'; readonly all: boolean; readonly left: LogicalPlan; readonly right: LogicalPlan; readonly width: number; readonly collations?: readonly ('utf8mb4_general_ci' | undefined)[] };

// A bound SELECT: its plan and the names of its result columns.
export interface SelectQuery {
  readonly plan: LogicalPlan;
  readonly columns: readonly string[];
  // Per result column, the table column it reads as it is (`SELECT id, name FROM t`), for
  // protocols that describe result columns by declared type (the MySQL protocol); null for a
  // computed column. Absent where not worked out (set operations, WITH).
  readonly origins?: readonly (ColumnOrigin | null)[];
}

// A table's column a result column reads unchanged. `nullable` also holds in a query with an
// outer join (on either side, conservatively: the outer side reads NULL for a NOT NULL column).
export interface ColumnOrigin {
  readonly table: TableDef;
  readonly column: ColumnDef;
  readonly nullable: boolean;
}
