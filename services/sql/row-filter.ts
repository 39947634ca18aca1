// A SQL boolean expression over one table's row, bound and evaluated exactly as a SELECT's WHERE
// is, for readers that are not statements (a change stream's `where=`). The text is parsed as
// the WHERE of `SELECT * FROM <table> WHERE …`, so it is limited and checked like any statement;
// anything around the expression (a UNION, GROUP BY, a second statement) is refused, and so are
// subqueries, which would read other tables at another moment than the row's.
import { TideError } from '../base/errors.js';
import type { Row, TableDef, Value } from '../storage/types.js';
import { evaluate, truth } from './expression.js';
import type { ReadView } from './read-view.js';
import { SelectBinder, tableScope } from './select/binder.js';
import { plainClause } from './select/expression-binder.js';
import { parseChecked } from './syntax.js';

export interface RowFilter {
  // How many `?` the expression has: the caller's params must match.
  readonly paramCount: number;
  matches(row: Row, params: readonly Value[]): boolean;
}

export function bindRowFilter(text: string, table: TableDef, view: ReadView): RowFilter {
  const prefix = `SELECT * FROM \`${table.database}\`.\`${table.name}\` WHERE `;
  let statements;
  try {
    statements = parseChecked(prefix + text);
  } catch (error) {
    throw inFilterText(error, prefix.length);
  }
  const [select, ...more] = statements;
  if (more.length > 0 || select === undefined || select['type'] !== 'select' || (select['_next'] ?? null) !== null || ['groupby', 'having', 'orderby', 'limit'].some((clause) => hasClause(select[clause]))) {
    throw new TideError('REQUEST_INVALID', 'a filter is one boolean expression over the row, with nothing after it');
  }
  const binder = new SelectBinder(view, table.database);
  const { expr } = binder.expressions.bind(select['where'], tableScope(table), plainClause);
  if (readsOtherTables(expr)) throw new TideError('SQL_UNSUPPORTED', 'a filter may not hold a subquery');
  const paramCount = binder.expressions.paramCount;
  return {
    paramCount,
    // An expression that fails on a row (an overflow, say) does not select it.
    matches: (row, params) => {
      try {
        return truth(evaluate(expr, row, params)) === true;
      } catch {
        return false;
      }
    },
  };
}

function hasClause(clause: unknown): boolean {
  if (clause === null || clause === undefined) return false;
  // The parser gives an absent GROUP BY as { columns: null }.
  if (typeof clause === 'object' && !Array.isArray(clause) && 'columns' in clause) return (clause as { columns: unknown }).columns !== null;
  return true;
}

// Walks the bound tree, whatever shape its nodes have (CASE arms, function arguments, lists).
function readsOtherTables(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(readsOtherTables);
  if (typeof node !== 'object' || node === null) return false;
  const kind = (node as { kind?: unknown }).kind;
  if (kind === 'subquery' || kind === 'in_subquery') return true;
  return Object.values(node).some(readsOtherTables);
}

// A syntax error's position, counted in the filter's own text.
function inFilterText(error: unknown, prefixLength: number): unknown {
  if (!(error instanceof TideError) || error.details.position === undefined) return error;
  const { offset, line, column } = error.details.position;
  const inFilter = Math.max(0, offset - prefixLength);
  const message = error.message.replace(/at line \d+, column \d+/, `at line ${line}, column ${line === 1 ? inFilter + 1 : column}`);
  return new TideError(error.code, message, { ...error.details, position: { offset: inFilter, line, column: line === 1 ? inFilter + 1 : column } });
}
