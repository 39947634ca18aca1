// ON DUPLICATE KEY UPDATE's assignments as the expression binder can read them. `VALUES(col)`
// there means the value the statement would have inserted into `col`; it becomes a column of
// a second relation, the inserted row, placed after the existing row's columns. The
// relation is named `values`, a reserved word: a client reaches it only by writing
// `` `values`.col ``, which then means what VALUES(col) means.
import type { AstNode } from './parser.js';
import { Scope } from './select/scope.js';

const insertedRowName = 'values';

// The existing row (the table's own scope) followed by the inserted row, whose columns are
// found only through `VALUES(col)`.
export function onDuplicateScope(tableScope: Scope): Scope {
  const [existing] = tableScope.relations;
  if (existing !== undefined) tableScope.add(insertedRowName, null, existing.columns.map((column) => ({ ...column, hidden: true, qualifiedOnly: true })));
  return tableScope;
}

// A copy of `ast` with each `VALUES(col)` call made a reference to the inserted row's column.
export function valuesCallsAsColumns(ast: unknown): unknown {
  if (Array.isArray(ast)) return ast.map(valuesCallsAsColumns);
  if (ast === null || typeof ast !== 'object') return ast;
  const node = ast as AstNode;
  const column = valuesCallColumn(node);
  if (column !== null) return { type: 'column_ref', table: insertedRowName, column };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, valuesCallsAsColumns(value)]));
}

function valuesCallColumn(node: AstNode): AstNode['column'] | null {
  if (node['type'] !== 'function') return null;
  const name = (node['name'] as AstNode | undefined)?.['name'];
  if (!Array.isArray(name) || name.length !== 1 || String((name[0] as AstNode)['value']).toUpperCase() !== 'VALUES') return null;
  const args = (node['args'] as AstNode | undefined)?.['value'];
  if (!Array.isArray(args) || args.length !== 1) return null;
  const argument = args[0] as AstNode;
  return argument['type'] === 'column_ref' && (argument['table'] ?? null) === null ? argument['column'] : null;
}
