// A view's columns as definitions, for DESCRIBE and information_schema.COLUMNS: a column that
// reads a table's column straight through (a name in the select list, through filters, joins,
// sorts and derived tables) has that column's definition under the view's name; any other (an
// expression, an aggregate, a UNION's column) is described by MySQL's widest fitting type,
// LONGTEXT, nullable. Descriptive only: queries over the view bind its SELECT itself.
import { assertNever } from '../base/assert.js';
import type { ColumnDef, ViewDef } from '../storage/types.js';
import type { LogicalPlan } from './select/logical-plan.js';
import type { ViewBinder } from './select/virtual-table.js';

export function viewColumns(definition: ViewDef, bindView: ViewBinder): ColumnDef[] {
  const sources = sourceColumns(bindView(definition).plan);
  return definition.columns.map((name, at) => {
    const source = sources[at] ?? null;
    return source === null ? { name, type: 'TEXT', length: null, nullable: true, autoIncrement: false } : { ...withoutKeyOptions(source), name };
  });
}

// AUTO_INCREMENT and the hidden row id belong to the table, not to a view reading the column.
function withoutKeyOptions(column: ColumnDef): ColumnDef {
  const { hidden: _hidden, ...rest } = column;
  return { ...rest, autoIncrement: false };
}

// For each column of a plan's rows, the table column it carries unchanged, or null.
export function sourceColumns(plan: LogicalPlan): readonly (ColumnDef | null)[] {
  switch (plan.kind) {
    case 'scan':
      return plan.table.columns;
    case 'virtual':
      return plan.source.columns;
    case 'derived':
      return sourceColumns(plan.query.plan);
    case 'filter':
    case 'sort':
    case 'limit':
      return sourceColumns(plan.input);
    case 'distinct':
      return sourceColumns(plan.input).slice(0, plan.width);
    case 'project': {
      const input = sourceColumns(plan.input);
      return plan.exprs.map((expr) => (expr.kind === 'column' ? (input[expr.position] ?? null) : null));
    }
    case 'join': {
      // The side an outer join pads may read NULL whatever its column says.
      const padded = (columns: readonly (ColumnDef | null)[], outer: boolean): (ColumnDef | null)[] => columns.map((column) => (column === null || !outer ? column : { ...column, nullable: true }));
      const left = padded(sourceColumns(plan.left).slice(0, plan.leftWidth), plan.type === 'right');
      return [...left, ...padded(sourceColumns(plan.right), plan.type === 'left')];
    }
    case 'aggregate':
      return [...sourceColumns(plan.input).slice(0, plan.inputWidth), ...plan.aggregates.map(() => null)];
    case 'single_row':
    case 'union_all':
    case 'set_filter':
      return [];
    default:
      return assertNever(plan);
  }
}
