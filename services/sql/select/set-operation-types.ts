// The type a column of UNION, INTERSECT or EXCEPT takes from its SELECTs' columns, and the
// conversion of each SELECT's values to it, as MySQL aggregates them: text meeting anything is
// text (numbers in their text form), a DOUBLE meeting exact numbers is a DOUBLE, exact numbers
// meet at the largest scale. DISTINCT, INTERSECT, EXCEPT and everything above the set operation
// compare the converted values, so `1` and `'1'` are one row. A recursive WITH query's step rows
// are assigned to its anchor's types instead (`assignedTo`), as a column assignment would.
import type { Expr } from '../plan.js';
import { Decimal } from '../../values/decimal.js';
import type { LogicalPlan } from './logical-plan.js';
import { booleanType, doubleType, textType, unknownType } from './sql-type.js';
import type { SqlType } from './sql-type.js';

// The aggregated type of one column. Unknown parts (NULL, parameters, dates, bytes, columns of
// derived tables) leave a number column as it is: only text is safe to convert them to.
export function aggregatedType(types: readonly SqlType[]): SqlType {
  if (types.some((type) => type.kind === 'text')) return textType;
  if (types.some((type) => type.kind === 'unknown')) return unknownType;
  if (types.some((type) => type.kind === 'double')) return doubleType;
  if (types.every((type) => type.kind === 'boolean')) return booleanType;
  return { kind: 'exact', scale: Math.max(...types.map((type) => (type.kind === 'exact' ? type.scale : 0))) };
}

// `expr` (of type `from`) as a value of the aggregated type `to`; `expr` itself when its values
// already are.
export function convertedTo(expr: Expr, from: SqlType, to: SqlType): Expr {
  switch (to.kind) {
    case 'text':
      return textOfColumn(expr, from);
    case 'double':
      return from.kind === 'exact' || from.kind === 'boolean' ? { kind: 'cast', operand: expr, target: 'DOUBLE' } : expr;
    case 'exact':
      return from.kind === 'boolean' || (from.kind === 'exact' && from.scale < to.scale) ? widened(expr, to.scale) : expr;
    case 'boolean':
    case 'unknown':
      return expr;
  }
}

// `expr` (of type `from`) as stored in a column of type `to`: a fraction assigned to an integer
// rounds half away from zero, one assigned to a DECIMAL rounds to its scale. Values of unknown
// type are converted too (a recursive query's own columns read as unknown in its step).
export function assignedTo(expr: Expr, from: SqlType, to: SqlType): Expr {
  switch (to.kind) {
    case 'text':
      return textOfColumn(expr, from);
    case 'double':
      return from.kind === 'double' ? expr : { kind: 'cast', operand: expr, target: 'DOUBLE' };
    case 'exact':
      if (from.kind === 'boolean' || (from.kind === 'exact' && from.scale <= to.scale)) return convertedTo(expr, from, to);
      if (to.scale === 0) return { kind: 'cast', operand: expr, target: 'SIGNED' };
      return widened({ kind: 'call', name: 'ROUND', args: [expr, { kind: 'literal', value: BigInt(to.scale) }] }, to.scale);
    case 'boolean':
    case 'unknown':
      return expr;
  }
}

// The plan with each column converted; `plan` itself when no column changes, so SELECTs whose
// types agree cost nothing.
export function convertedColumns(plan: LogicalPlan, exprs: readonly Expr[]): LogicalPlan {
  const changed = exprs.some((expr, at) => expr.kind !== 'column' || expr.position !== at);
  return changed ? { kind: 'project', input: plan, exprs } : plan;
}

// Columns 0..width-1 of a row, each converted by `convert`.
export function columnExprs(width: number, convert: (column: Expr, at: number) => Expr): Expr[] {
  return Array.from({ length: width }, (_, at) => convert({ kind: 'column', position: at }, at));
}

// A number of a DECIMAL type reads with its scale's digits (`2.50`), as MySQL shows it; the
// engine keeps decimal literals as doubles, so the scale is added back before the text is made.
function textOfColumn(expr: Expr, from: SqlType): Expr {
  if (from.kind === 'text') return expr;
  const operand = from.kind === 'exact' && from.scale > 0 ? widened(expr, from.scale) : expr;
  return { kind: 'cast', operand, target: 'CHAR' };
}

// An exact number at `scale` digits after the point: adding an exact zero of that scale gives
// a DECIMAL of the larger scale (value-classes.ts), 7 → 7.00, and never changes the value.
export function widened(expr: Expr, scale: number): Expr {
  if (scale === 0) return expr;
  return { kind: 'binary', operator: '+', left: expr, right: { kind: 'literal', value: new Decimal(0n, scale) } };
}
