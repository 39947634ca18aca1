// GROUP BY … WITH ROLLUP on the binder's side. In a super-aggregate row a rolled-up GROUP BY
// expression reads NULL, but the columns it is computed from still hold the group's first row
// (a column outside GROUP BY reads "any value"). So the aggregate operator puts each GROUP BY
// value in a slot of its own (NULL when rolled up), and every expression of the select list,
// HAVING and ORDER BY that is one of the GROUP BY expressions reads that slot instead, as MySQL
// does. GROUPING(expr) reads the bit the operator sets beside them (1 when rolled up).
import { TideError } from '../../base/errors.js';
import type { Expr } from '../plan.js';
import type { Bound } from './expression-binder.js';
import { exprKey } from './expression-binder.js';

export class RollupGroups {
  private readonly keys: readonly string[];

  // `base`: the position of the first GROUP BY slot (after the group's first row).
  constructor(private readonly groupBy: readonly Expr[], private readonly base: number) {
    this.keys = groupBy.map((expr) => exprKey(expr));
  }

  // The operator's row holds the GROUP BY values, then their GROUPING() bits.
  get slotCount(): number {
    return 2 * this.groupBy.length;
  }

  map(bound: Bound): Bound {
    if (bound.expr.kind === 'literal' || bound.expr.kind === 'param') return bound;
    const at = this.keys.indexOf(exprKey(bound.expr));
    return at < 0 ? bound : { expr: { kind: 'column', position: this.base + at }, type: bound.type };
  }

  grouping(expr: Expr): Expr {
    const at = this.keys.indexOf(exprKey(expr));
    if (at < 0) throw new TideError('SQL_SYNTAX', 'the argument of GROUPING() is one of the GROUP BY expressions');
    return { kind: 'column', position: this.base + this.groupBy.length + at };
  }
}
