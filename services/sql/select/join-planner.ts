// Joins the relations of one FROM left to right (a left-deep tree, in the order written) and
// places each condition where it costs least without changing the answer:
// - a condition on one relation alone filters that relation before it is joined (a WHERE
//   condition only where no outer join can later pad its rows with NULLs);
// - an equality between the rows joined so far and the next relation becomes a hash-join key;
// - the rest is checked on the joined row, as soon as every relation it reads is there.
// Every relation keeps its positions in the final row, so a bound expression means the same
// at every step; only a join key moved onto the build side's own row is shifted.
import type { Expr } from '../plan.js';
import { columnRange, conjunction, hasSubquery, shiftColumns } from './expr-walk.js';
import type { JoinType, LogicalPlan } from './logical-plan.js';

// One condition of an AND, with its two sides when it is an equality that hashing may answer
// (both sides numbers, or both strings: comparing a number with a string converts, which a
// hash of the values would not).
export interface Conjunct {
  readonly expr: Expr;
  readonly equality: { readonly left: Expr; readonly right: Expr } | null;
}

export interface JoinStep {
  readonly plan: LogicalPlan;
  readonly width: number;
  // How the relation joins the ones before it (ignored for the first).
  readonly type: JoinType;
  readonly on: readonly Conjunct[];
}

export function planJoins(steps: readonly JoinStep[], where: readonly Conjunct[]): LogicalPlan {
  // A RIGHT join pads the rows before it: WHERE conditions then wait for the whole FROM.
  const anyRight = steps.slice(1).some((step) => step.type === 'right');
  let pending = where.filter((conjunct) => !anyRight && !hasSubquery(conjunct.expr));
  const last = where.filter((conjunct) => !pending.includes(conjunct));
  const [first, ...rest] = steps;
  if (first === undefined) throw new Error('planJoins needs a relation');
  let width = first.width;
  const take = (limit: number): Conjunct[] => {
    const ready = pending.filter((conjunct) => columnRange(conjunct.expr).max < limit);
    pending = pending.filter((conjunct) => !ready.includes(conjunct));
    return ready;
  };
  let plan = filtered(first.plan, take(width).map((conjunct) => conjunct.expr));
  for (const step of rest) {
    const total = width + step.width;
    const conditions = [...step.on, ...(step.type === 'inner' ? take(total) : [])];
    plan = joinStep(plan, width, step, conditions);
    width = total;
    if (step.type !== 'inner') plan = filtered(plan, take(width).map((conjunct) => conjunct.expr));
  }
  return filtered(plan, [...pending, ...last].map((conjunct) => conjunct.expr));
}

function joinStep(left: LogicalPlan, leftWidth: number, step: JoinStep, conditions: readonly Conjunct[]): LogicalPlan {
  const leftKeys: Expr[] = [];
  const rightKeys: Expr[] = [];
  const leftOnly: Expr[] = [];
  const rightOnly: Expr[] = [];
  const residual: Expr[] = [];
  for (const conjunct of conditions) {
    const { expr } = conjunct;
    if (hasSubquery(expr)) {
      residual.push(expr);
      continue;
    }
    const range = columnRange(expr);
    // One side alone: filter that side first, unless it is the side the join preserves.
    if (range.min >= leftWidth && step.type !== 'right') {
      rightOnly.push(shiftColumns(expr, -leftWidth));
      continue;
    }
    if (range.max < leftWidth && step.type === 'inner') {
      leftOnly.push(expr);
      continue;
    }
    const keys = conjunct.equality === null ? null : splitEquality(conjunct.equality, leftWidth);
    if (keys !== null) {
      leftKeys.push(keys.left);
      rightKeys.push(shiftColumns(keys.right, -leftWidth));
    } else {
      residual.push(expr);
    }
  }
  return {
    kind: 'join',
    type: step.type,
    left: filtered(left, leftOnly),
    right: filtered(step.plan, rightOnly),
    leftWidth,
    rightWidth: step.width,
    leftKeys,
    rightKeys,
    on: conjunction(residual),
  };
}

// The equality's sides as (reads only the left rows, reads only the right row), or null.
function splitEquality(equality: NonNullable<Conjunct['equality']>, leftWidth: number): { left: Expr; right: Expr } | null {
  const a = columnRange(equality.left);
  const b = columnRange(equality.right);
  const onlyLeft = (range: { min: number; max: number }): boolean => range.max >= 0 && range.max < leftWidth;
  const onlyRight = (range: { min: number; max: number }): boolean => range.max >= 0 && range.min >= leftWidth;
  if (onlyLeft(a) && onlyRight(b)) return { left: equality.left, right: equality.right };
  if (onlyLeft(b) && onlyRight(a)) return { left: equality.right, right: equality.left };
  return null;
}

function filtered(plan: LogicalPlan, predicates: readonly Expr[]): LogicalPlan {
  const predicate = conjunction(predicates);
  return predicate === null ? plan : { kind: 'filter', input: plan, predicate };
}
