// Runs a bound SELECT to its result: pulls rows from the plan's iterators, yielding between
// units of work (paced) so a driver can slice it (base/time-slice.ts), and holds the result to
// the limits of one answer (rows, bytes as JSON).
import { YieldPacer } from '../../base/time-slice.js';
import type { Steps } from '../../base/time-slice.js';
import type { Row, Value } from '../../storage/types.js';
import type { ReadView } from '../read-view.js';
import { rows } from './iterators.js';
import type { SelectQuery } from './logical-plan.js';
import { MemoryBudget } from './memory-budget.js';
import { pointGetOf, pointGetRows } from './point-get.js';
import { accessPaths } from './access-path.js';
import { scanColumnsOf } from './scan-columns.js';
import { StatementSubqueries } from './subquery-runner.js';
import { ResultBounds } from './result-limits.js';
import type { SelectResult } from './result-limits.js';

export function* runSelect(query: SelectQuery, params: readonly Value[], view: ReadView, budget: MemoryBudget = new MemoryBudget()): Steps<SelectResult> {
  const context = { ...new StatementSubqueries(view, params, budget).context([]), scanColumns: scanColumnsOf(query.plan) };
  const result: Row[] = [];
  const bounds = new ResultBounds();
  const pacer = new YieldPacer();
  const point = accessPaths.enabled ? pointGetOf(query.plan) : null;
  for (const row of (point === null ? null : pointGetRows(point, params, view, context.eval)) ?? rows(query.plan, context)) {
    if (pacer.due()) yield;
    if (row === null) continue;
    bounds.admit(row);
    result.push(row);
  }
  return { columns: query.columns, rows: result, ...(query.origins === undefined ? {} : { origins: query.origins }) };
}
