// What a table's definition adds to a row a statement writes, beyond the values it gives:
// column defaults, ON UPDATE CURRENT_TIMESTAMP, and CHECK constraints. The statement's time is
// read once by the leader for the whole statement (the executor's `nowMs`) and the rows carry
// its value, so followers applying the batch never read a clock.
import { TideError } from '../base/errors.js';
import type { ColumnDef, Row, TableDef, Value } from '../storage/types.js';
import { SqlDateTime } from '../values/temporal.js';
import { evaluate, truth } from './expression.js';
import type { EvalContext } from './expression.js';
import type { BoundCheck } from './plan.js';
import { dateTimeAt } from './temporal-functions.js';
import { coerceToColumn } from './values.js';

// The value an INSERT stores in a column it gives no value (before coerceToColumn fits it).
export function defaultValue(column: ColumnDef, nowMs: number): Value {
  const declared = column.default;
  if (declared === undefined) return null;
  return declared.kind === 'constant' ? declared.value : currentTimestamp(column, nowMs);
}

// CURRENT_TIMESTAMP at the column's precision, as NOW(fsp) reads it.
function currentTimestamp(column: ColumnDef, nowMs: number): SqlDateTime {
  return dateTimeAt(nowMs, column.fsp ?? 0);
}

// An UPDATE that changed a row: its ON UPDATE CURRENT_TIMESTAMP columns that no assignment set
// take the statement's time.
export function touchOnUpdate(table: TableDef, assigned: ReadonlySet<number>, after: Value[], nowMs: number): void {
  table.columns.forEach((column, position) => {
    if (column.onUpdateCurrentTimestamp === true && !assigned.has(position)) after[position] = coerceToColumn(column, currentTimestamp(column, nowMs));
  });
}

// Refuses a row for which a CHECK is false (NULL passes, as in MySQL), before it is written.
export function checkConstraints(checks: readonly BoundCheck[], row: Row, context: EvalContext): void {
  for (const check of checks) {
    if (truth(evaluate(check.expr, row, [], context)) === false) throw new TideError('CHECK_VIOLATION', `check constraint '${check.name}' is violated`);
  }
}
