// A table's CHECK constraints bound over its row, for INSERT and UPDATE (the planner) and for
// ALTER TABLE, which checks every row against a new definition's constraints.
import { TideError } from '../../base/errors.js';
import { checksOf } from '../../storage/types.js';
import type { TableDef } from '../../storage/types.js';
import { nodes } from '../ast-reading.js';
import { parseSql } from '../parser.js';
import type { BoundCheck } from '../plan.js';
import type { SelectBinder } from '../select/binder.js';
import { tableScope } from '../select/binder.js';
import { plainClause } from '../select/expression-binder.js';
import { hasSubquery } from '../select/expr-walk.js';

// Their texts were written from trees that parsed, so they parse again (and parseSql caches
// them by text). A CHECK may read only the row's columns and constants.
export function bindChecks(binder: SelectBinder, table: TableDef): BoundCheck[] {
  return checksOf(table).map((check) => {
    const [select] = parseSql(`SELECT ${check.expression}`);
    const [column] = nodes(select?.['columns']);
    const params = binder.expressions.paramCount;
    const expr = binder.expressions.bind(column?.['expr'], tableScope(table), plainClause).expr;
    if (binder.expressions.paramCount !== params || hasSubquery(expr)) throw new TideError('TABLE_DEFINITION_INVALID', `check constraint '${check.name}' may use only the row's columns and constants`);
    return { name: check.name, expr };
  });
}
