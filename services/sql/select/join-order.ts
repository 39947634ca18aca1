// The order inner joins run in. A FROM of comma-separated tables is written in any order, and
// joining in that order can build cross products of tables that no condition relates yet (ten
// tables of ten rows: 10^10 rows) where another order keeps every step a hash join. For a FROM
// of inner joins only, the relations are taken greedily: first one a condition on its own
// narrows, then each time one that an equality ties to those already joined. The row is then
// put back in FROM order by a projection, so everything above the joins reads the positions
// the binder gave. Outer joins keep their written order (their meaning depends on it).
import type { Expr } from '../plan.js';
import { children, hasSubquery, mapColumns } from './expr-walk.js';
import { planJoins } from './join-planner.js';
import type { Conjunct, JoinStep } from './join-planner.js';
import type { LogicalPlan } from './logical-plan.js';

export function planInnerJoins(steps: readonly JoinStep[], where: readonly Conjunct[]): LogicalPlan {
  if (steps.length <= 2 || steps.some((step, at) => at > 0 && step.type !== 'inner')) return planJoins(steps, where);
  const offsets: number[] = [];
  let total = 0;
  for (const step of steps) {
    offsets.push(total);
    total += step.width;
  }
  const relationAt = (position: number): number => {
    let relation = 0;
    while (relation + 1 < offsets.length && offsets[relation + 1]! <= position) relation++;
    return relation;
  };
  // Conditions read by subqueries see the row in FROM order: they wait above the projection.
  const all = [...where, ...steps.flatMap((step) => step.on)];
  const movable = all.filter((conjunct) => !hasSubquery(conjunct.expr));
  const late = all.filter((conjunct) => hasSubquery(conjunct.expr));
  const relationsOf = new Map(movable.map((conjunct) => [conjunct, relationSet(conjunct.expr, relationAt)] as const));
  const order = greedyOrder(steps.length, movable, relationsOf);
  const newOffsets: number[] = new Array<number>(steps.length).fill(0);
  let at = 0;
  for (const relation of order) {
    newOffsets[relation] = at;
    at += steps[relation]!.width;
  }
  const move = (position: number): number => {
    const relation = relationAt(position);
    return newOffsets[relation]! + position - offsets[relation]!;
  };
  const moved = movable.map((conjunct): Conjunct => ({
    expr: mapColumns(conjunct.expr, move),
    equality: conjunct.equality === null ? null : { left: mapColumns(conjunct.equality.left, move), right: mapColumns(conjunct.equality.right, move) },
  }));
  const joined = planJoins(order.map((relation) => ({ ...steps[relation]!, type: 'inner', on: [] })), moved);
  const restored: LogicalPlan = { kind: 'project', input: joined, exprs: Array.from({ length: total }, (_, position): Expr => ({ kind: 'column', position: move(position) })) };
  return late.length === 0 ? restored : planJoins([{ plan: restored, width: total, type: 'inner', on: [] }], late);
}

// The relations an expression reads.
function relationSet(expr: Expr, relationAt: (position: number) => number): Set<number> {
  const relations = new Set<number>();
  const pending = [expr];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (next.kind === 'column') relations.add(relationAt(next.position));
    pending.push(...children(next));
  }
  return relations;
}

// Left-deep, so a relation joined after others multiplies their rows unless a condition ties
// it to them. Relations that equalities tie together (a component) are joined one after
// another, each the moment it is tied; components of several relations go first, before any
// cross product can multiply the first of them by rows it is not tied to (FROM t1, t2, t3
// WHERE t1.a = t3.b AND t2.c = 5: t1 then t3, then t2, never t2 × t1). Within a component,
// and among components, one that a condition on its own narrows goes first.
function greedyOrder(count: number, conjuncts: readonly Conjunct[], relationsOf: ReadonlyMap<Conjunct, ReadonlySet<number>>): number[] {
  const filtered = new Set<number>();
  const ties: [number, number][] = [];
  for (const conjunct of conjuncts) {
    const relations = [...relationsOf.get(conjunct)!];
    if (relations.length === 1) filtered.add(relations[0]!);
    if (relations.length === 2 && conjunct.equality !== null) ties.push([relations[0]!, relations[1]!]);
  }
  const components = tiedComponents(count, ties);
  const narrowed = (component: readonly number[]): boolean => component.some((relation) => filtered.has(relation));
  components.sort((a, b) => Number(b.length > 1) - Number(a.length > 1) || Number(narrowed(b)) - Number(narrowed(a)));
  const order: number[] = [];
  for (const component of components) {
    const joined = new Set<number>();
    const remaining = [...component];
    const take = (relation: number): void => {
      order.push(relation);
      joined.add(relation);
      remaining.splice(remaining.indexOf(relation), 1);
    };
    take(remaining.find((relation) => filtered.has(relation)) ?? remaining[0]!);
    while (remaining.length > 0) {
      const tied = remaining.filter((relation) => ties.some(([one, other]) => (one === relation && joined.has(other)) || (other === relation && joined.has(one))));
      take(tied.find((relation) => filtered.has(relation)) ?? tied[0]!);
    }
  }
  return order;
}

// The relations equalities tie together, each group in FROM order, the groups in the order of
// their first relation (a relation no equality ties is a group of its own).
function tiedComponents(count: number, ties: readonly (readonly [number, number])[]): number[][] {
  const root = Array.from({ length: count }, (_, relation) => relation);
  const find = (relation: number): number => (root[relation] === relation ? relation : (root[relation] = find(root[relation]!)));
  for (const [one, other] of ties) root[find(one)] = find(other);
  const groups = new Map<number, number[]>();
  for (let relation = 0; relation < count; relation++) {
    const group = groups.get(find(relation));
    if (group === undefined) groups.set(find(relation), [relation]);
    else group.push(relation);
  }
  return [...groups.values()];
}
