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

// The same expression with each column of this level at `move(position)`. A subquery may read
// this level's row through outer references, which this does not move: with 'refuse' a
// subquery is an error (the planner never moves expressions holding one, see hasSubquery);
// with 'keep' it stays as it is, for moves that no subquery can see (window values).
export function mapColumns(expr: Expr, move: (position: number) => number, subqueries: 'refuse' | 'keep' = 'refuse'): Expr {
  const map = (child: Expr): Expr => mapColumns(child, move, subqueries);
  switch (expr.kind) {
    case 'literal':
    case 'param':
    case 'outer_column':
      return expr;
    case 'column':
      return { kind: 'column', position: move(expr.position) };
    case 'subquery':
      if (subqueries === 'keep') return expr;
      throw new Error('mapColumns over a subquery');
    case 'in_subquery':
      if (subqueries === 'keep') return { ...expr, operand: map(expr.operand) };
      throw new Error('mapColumns over a subquery');
    case 'binary':
      return { ...expr, left: map(expr.left), right: map(expr.right) };
    case 'divide':
      return { ...expr, left: map(expr.left), right: map(expr.right) };
    case 'not':
    case 'negate':
    case 'is_null':
    case 'cast':
      return { ...expr, operand: map(expr.operand) };
    case 'in_list':
      return { ...expr, operand: map(expr.operand), list: expr.list.map((item) => map(item)) };
    case 'between':
      return { ...expr, operand: map(expr.operand), low: map(expr.low), high: map(expr.high) };
    case 'like':
      return { ...expr, operand: map(expr.operand), pattern: map(expr.pattern) };
    case 'case':
      return {
        ...expr,
        operand: expr.operand === null ? null : map(expr.operand),
        whens: expr.whens.map(({ when, then }) => ({ when: map(when), then: map(then) })),
        otherwise: expr.otherwise === null ? null : map(expr.otherwise),
      };
    case 'call':
      return { ...expr, args: expr.args.map((arg) => map(arg)) };
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
