// Generic walks over bound expressions, for the rewrites the planner makes (placing WHERE
// conjuncts on joins, moving a join key onto its own side's row).
import { assertNever } from '../../base/assert.js';
import type { Expr } from '../plan.js';

export function children(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'literal':
    case 'param':
    case 'column':
    case 'outer_column':
    case 'subquery':
      return [];
    case 'binary':
    case 'divide':
      return [expr.left, expr.right];
    case 'not':
    case 'negate':
    case 'is_null':
    case 'cast':
      return [expr.operand];
    case 'in_list':
      return [expr.operand, ...expr.list];
    case 'in_subquery':
      return [expr.operand];
    case 'between':
      return [expr.operand, expr.low, expr.high];
    case 'like':
      return [expr.operand, expr.pattern];
    case 'case':
      return [...(expr.operand === null ? [] : [expr.operand]), ...expr.whens.flatMap(({ when, then }) => [when, then]), ...(expr.otherwise === null ? [] : [expr.otherwise])];
    case 'call':
      return expr.args;
    default:
      return assertNever(expr);
  }
}

// The same expression with each column of this level moved by `delta` positions.
export function shiftColumns(expr: Expr, delta: number): Expr {
  return mapColumns(expr, (position) => position + delta);
}

// The same expression with each column of this level at `move(position)`.
export function mapColumns(expr: Expr, move: (position: number) => number): Expr {
  switch (expr.kind) {
    case 'literal':
    case 'param':
    case 'outer_column':
      return expr;
    case 'column':
      return { kind: 'column', position: move(expr.position) };
    case 'subquery':
    case 'in_subquery':
      // A subquery may read this level's row through outer references; the planner never
      // moves expressions holding one (see hasSubquery).
      throw new Error('mapColumns over a subquery');
    case 'binary':
      return { ...expr, left: mapColumns(expr.left, move), right: mapColumns(expr.right, move) };
    case 'divide':
      return { ...expr, left: mapColumns(expr.left, move), right: mapColumns(expr.right, move) };
    case 'not':
    case 'negate':
    case 'is_null':
    case 'cast':
      return { ...expr, operand: mapColumns(expr.operand, move) };
    case 'in_list':
      return { ...expr, operand: mapColumns(expr.operand, move), list: expr.list.map((item) => mapColumns(item, move)) };
    case 'between':
      return { ...expr, operand: mapColumns(expr.operand, move), low: mapColumns(expr.low, move), high: mapColumns(expr.high, move) };
    case 'like':
      return { ...expr, operand: mapColumns(expr.operand, move), pattern: mapColumns(expr.pattern, move) };
    case 'case':
      return {
        ...expr,
        operand: expr.operand === null ? null : mapColumns(expr.operand, move),
        whens: expr.whens.map(({ when, then }) => ({ when: mapColumns(when, move), then: mapColumns(then, move) })),
        otherwise: expr.otherwise === null ? null : mapColumns(expr.otherwise, move),
      };
    case 'call':
      return { ...expr, args: expr.args.map((arg) => mapColumns(arg, move)) };
    default:
      return assertNever(expr);
  }
}

export function hasSubquery(expr: Expr): boolean {
  return expr.kind === 'subquery' || expr.kind === 'in_subquery' || children(expr).some(hasSubquery);
}

// The lowest and highest position of this level's row the expression reads (min > max when
// it reads none).
export function columnRange(expr: Expr): { min: number; max: number } {
  const range = { min: Infinity, max: -1 };
  const visit = (node: Expr): void => {
    if (node.kind === 'column') {
      range.min = Math.min(range.min, node.position);
      range.max = Math.max(range.max, node.position);
    }
    for (const child of children(node)) visit(child);
  };
  visit(expr);
  return range;
}

export function conjuncts(expr: Expr): Expr[] {
  const parts: Expr[] = [];
  const pending = [expr];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (next.kind === 'binary' && next.operator === 'AND') pending.push(next.right, next.left);
    else parts.push(next);
  }
  return parts;
}

export function conjunction(parts: readonly Expr[]): Expr | null {
  return parts.reduce<Expr | null>((all, part) => (all === null ? part : { kind: 'binary', operator: 'AND', left: all, right: part }), null);
}
