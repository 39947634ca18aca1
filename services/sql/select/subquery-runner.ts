// Runs the subqueries of one statement execution. An uncorrelated subquery has one answer for
// the whole statement and runs once (its answer cached by its node); a correlated one runs for
// each row of its enclosing query, with that row on the stack of outer rows. A subquery runs
// to its end inside the evaluation of one expression, without yielding: its work counts as
// part of the row that asked for it.
import { TideError } from '../../base/errors.js';
import type { Row, Value } from '../../storage/types.js';
import type { EvalContext, SubqueryRunner } from '../expression.js';
import type { Expr } from '../plan.js';
import type { ReadView } from '../read-view.js';
import { compareValues } from '../values.js';
import { CommonTableRows } from './common-table-rows.js';
import { rows } from './iterators.js';
import type { QueryContext } from './iterators.js';
import type { SelectQuery } from './logical-plan.js';
import { MemoryBudget, valueBytesOf } from './memory-budget.js';
import { valueKey } from './value-key.js';
import { generalCiKeyValue } from './collation-rules.js';

// The values of an IN subquery, hashed by kind: a number finds numbers and a string finds
// strings by one lookup; a mixed list compares one by one, as MySQL converts.
interface ValueSet {
  readonly keys: ReadonlySet<string>;
  readonly values: readonly Exclude<Value, null>[];
  readonly kinds: 'numeric' | 'text' | 'mixed' | 'none';
  readonly hasNull: boolean;
}

// What a DML statement's expressions evaluate with: subqueries run over `view`, with a
// memory budget of their own.
export function statementContext(view: ReadView, params: readonly Value[]): EvalContext {
  return new StatementSubqueries(view, params, new MemoryBudget()).context([]).eval;
}

export class StatementSubqueries implements SubqueryRunner {
  private readonly answers = new Map<Expr, Value | boolean | ValueSet>();
  private readonly tables: CommonTableRows;
  // The statement's time, read once: NOW() is one value for the whole statement.
  private readonly nowMs = Date.now();

  constructor(
    private readonly view: ReadView,
    private readonly params: readonly Value[],
    private readonly budget: MemoryBudget,
  ) {
    this.tables = new CommonTableRows(budget);
  }

  // The context of a query level whose enclosing rows are `outer`.
  context(outer: readonly Row[]): QueryContext {
    return { view: this.view, params: this.params, budget: this.budget, eval: { outer, subqueries: this, nowMs: this.nowMs }, tables: this.tables };
  }

  scalar(expr: Extract<Expr, { kind: 'subquery' }>, outer: readonly Row[]): Value {
    return this.cached(expr, () => {
      let result: Value = null;
      let count = 0;
      for (const row of this.resultRows(expr.query, outer)) {
        if (++count > 1) throw new TideError('SUBQUERY_TOO_MANY_ROWS', 'a subquery used as a value returned more than one row');
        result = row[0] ?? null;
      }
      return result;
    }) as Value;
  }

  exists(expr: Extract<Expr, { kind: 'subquery' }>, outer: readonly Row[]): boolean {
    return this.cached(expr, () => {
      for (const _ of this.resultRows(expr.query, outer)) return true;
      return false;
    }) as boolean;
  }

  contains(expr: Extract<Expr, { kind: 'in_subquery' }>, operand: Value, outer: readonly Row[]): boolean | null {
    const set = this.cached(expr, () => this.valueSet(expr.query, outer, expr.collation)) as ValueSet;
    if (operand === null) return set.kinds === 'none' && !set.hasNull ? false : null;
    const operandKind = typeof operand === 'string' ? 'text' : 'numeric';
    if (set.kinds === operandKind) {
      if (set.keys.has(valueKey(expr.collation === undefined ? operand : generalCiKeyValue(operand)))) return true;
    } else if (set.values.some((item) => compareValues(operand, item, expr.collation) === 0)) {
      return true;
    }
    return set.hasNull ? null : false;
  }

  private cached(expr: Expr & { readonly correlated: boolean }, compute: () => Value | boolean | ValueSet): Value | boolean | ValueSet {
    if (expr.correlated) return compute();
    if (this.answers.has(expr)) return this.answers.get(expr)!;
    const answer = compute();
    this.answers.set(expr, answer);
    return answer;
  }

  // Under general_ci the strings are keyed by their sort keys.
  private valueSet(query: SelectQuery, outer: readonly Row[], collation: 'utf8mb4_general_ci' | undefined): ValueSet {
    const keys = new Set<string>();
    const values: Exclude<Value, null>[] = [];
    let hasNull = false;
    let kinds: ValueSet['kinds'] = 'none';
    for (const row of this.resultRows(query, outer)) {
      const item = row[0] ?? null;
      if (item === null) {
        hasNull = true;
        continue;
      }
      const kind = typeof item === 'string' ? 'text' : 'numeric';
      kinds = kinds === 'none' || kinds === kind ? kind : 'mixed';
      // Held for the rest of the statement when cached: charged and never given back.
      this.budget.charge(2 * valueBytesOf(item));
      keys.add(valueKey(collation === undefined ? item : generalCiKeyValue(item)));
      values.push(item);
    }
    return { keys, values, kinds, hasNull };
  }

  private *resultRows(query: SelectQuery, outer: readonly Row[]): Generator<Row> {
    for (const row of rows(query.plan, this.context(outer))) if (row !== null) yield row;
  }
}
