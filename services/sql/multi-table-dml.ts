// Planning of MySQL's multi-table UPDATE and DELETE: `UPDATE t1 JOIN t2 … SET t1.a = t2.b …`,
// `DELETE t1, t2 FROM t1 JOIN t2 …` and `DELETE FROM t1, t2 USING t1 JOIN t2 …` (the text scan
// turns the last into the second). The FROM is bound and joined exactly as a SELECT's, so the
// statement reads what the same SELECT would; this module only says which relations of that
// FROM are written, and where each one's row lies in a joined row.
import { TideError } from '../base/errors.js';
import { isVisible } from '../storage/types.js';
import type { TableDef } from '../storage/types.js';
import { identifier, nodes, subqueryOf, unsupported } from './ast-reading.js';
import { bindChecks } from './ddl/check-binding.js';
import { isInformationSchema } from './information-schema/information-schema.js';
import type { AstNode } from './parser.js';
import type { Assignment, JoinTarget, Plan, UpdateTarget } from './plan.js';
import type { ReadView } from './read-view.js';
import type { SelectBinder } from './select/binder.js';
import { plainClause } from './select/expression-binder.js';
import { Scope } from './select/scope.js';

// What one relation of the FROM is, in FROM order (the scope's relations' order).
type Leaf =
  | { readonly kind: 'table'; readonly table: TableDef; readonly alias: string | null }
  | { readonly kind: 'view' | 'derived' | 'information_schema'; readonly label: string; readonly alias: string | null; readonly database: string | null };

interface Context {
  readonly binder: SelectBinder;
  readonly view: ReadView;
  readonly defaultDatabase: string;
}

// Whether an UPDATE or DELETE tree is one of the multi-table forms.
export function isMultiTable(ast: AstNode): boolean {
  if (ast['type'] === 'update') return nodes(ast['table']).length > 1;
  const targets = ast['table'];
  return Array.isArray(targets) && nodes(targets).every((target) => target['addition'] !== true);
}

export function planMultiUpdate(ast: AstNode, context: Context): Plan {
  refuseWith(ast);
  // MySQL's 1221: a multi-table UPDATE has no order of rows to cut.
  for (const [field, clause] of [['orderby', 'ORDER BY'], ['limit', 'LIMIT']] as const) {
    if ((ast[field] ?? null) !== null) throw new TideError('USAGE_INCORRECT', `incorrect usage of UPDATE and ${clause}: a multi-table UPDATE takes neither ORDER BY nor LIMIT`);
  }
  const items = nodes(ast['table']);
  const scope = new Scope(null);
  const byRelation = new Map<number, Assignment[]>();
  const join = context.binder.bindJoinedRows(items, ast['where'], scope, () => {
    for (const assignment of nodes(ast['set'])) {
      const qualifier = assignment['table'] === null || assignment['table'] === undefined ? null : identifier(assignment['table'], 'table');
      const column = scope.resolve(qualifier, identifier(assignment['column'], 'column'));
      if (column.expr.kind !== 'column') throw new TideError('COLUMN_NOT_FOUND', `column '${String(assignment['column'])}' is not a column of this statement's tables`);
      const relation = relationAt(scope, column.expr.position);
      const expr = context.binder.expressions.bind(assignment['value'], scope, plainClause).expr;
      const list = byRelation.get(relation) ?? [];
      list.push({ position: column.expr.position - scope.relations[relation]!.offset, expr });
      byRelation.set(relation, list);
    }
  });
  const leaves = fromLeaves(items, context, scope);
  const targets: UpdateTarget[] = [...byRelation.keys()].sort((a, b) => a - b).map((relation) => {
    const table = writableTable(leaves[relation]!, 'UPDATE');
    const assignments = byRelation.get(relation)!;
    for (const { position } of assignments) {
      if (!isVisible(table.columns[position]!)) throw new TideError('SQL_UNSUPPORTED', `the hidden row id '${table.columns[position]!.name}' cannot be set`);
    }
    return { table, offset: scope.relations[relation]!.offset, assignments, checks: bindChecks(context.binder, table) };
  });
  return { kind: 'multi_update', join, targets };
}

export function planMultiDelete(ast: AstNode, context: Context): Plan {
  refuseWith(ast);
  // MySQL's grammar has no ORDER BY or LIMIT for the multi-table forms.
  if ((ast['orderby'] ?? null) !== null || (ast['limit'] ?? null) !== null) throw new TideError('SQL_SYNTAX', 'a multi-table DELETE takes neither ORDER BY nor LIMIT');
  const items = nodes(ast['from']);
  const scope = new Scope(null);
  const join = context.binder.bindJoinedRows(items, ast['where'], scope, () => undefined);
  const leaves = fromLeaves(items, context, scope);
  const chosen = new Set<number>();
  const targets: JoinTarget[] = [];
  for (const target of nodes(ast['table'])) {
    const relation = deleteTarget(target, leaves);
    if (chosen.has(relation)) throw new TideError('TABLE_ALIAS_NOT_UNIQUE', `not unique table/alias: '${String(target['table'])}' is named twice among the tables to delete from`);
    chosen.add(relation);
    targets.push({ table: writableTable(leaves[relation]!, 'DELETE'), offset: scope.relations[relation]!.offset });
  }
  return { kind: 'multi_delete', join, targets };
}

function refuseWith(ast: AstNode): void {
  if ((ast['with'] ?? null) !== null) throw unsupported('WITH before a multi-table UPDATE or DELETE');
}

// The relation of a FROM a DELETE target names, as MySQL resolves it: an unqualified name is a
// relation's alias, or the name of a table that has none; `db.t` is a table without an alias.
function deleteTarget(target: AstNode, leaves: readonly Leaf[]): number {
  const name = identifier(target['table'], 'table').toLowerCase();
  const database = target['db'] === null || target['db'] === undefined ? null : identifier(target['db'], 'database');
  const matches: number[] = [];
  leaves.forEach((leaf, at) => {
    const leafDatabase = leaf.kind === 'table' ? leaf.table.database : leaf.database;
    const leafName = leaf.kind === 'table' ? leaf.table.name : leaf.label;
    const named = database === null ? (leaf.alias ?? leafName).toLowerCase() === name : leaf.alias === null && leafDatabase === database && leafName.toLowerCase() === name;
    if (named) matches.push(at);
  });
  if (matches.length === 0) throw new TideError('DELETE_TARGET_UNKNOWN', `unknown table '${String(target['table'])}' in MULTI DELETE: the tables to delete from are named as FROM names them (by alias when it has one)`);
  if (matches.length > 1) throw new TideError('SQL_SYNTAX', `the table '${String(target['table'])}' to delete from is ambiguous: qualify it with its database`);
  return matches[0]!;
}

function writableTable(leaf: Leaf, statement: string): TableDef {
  switch (leaf.kind) {
    case 'table':
      return leaf.table;
    case 'information_schema':
      throw new TideError('ACCESS_DENIED', `access denied to database 'information_schema': it is read-only`);
    case 'view':
    case 'derived':
      throw new TideError('VIEW_NOT_UPDATABLE', `the target table ${leaf.alias ?? leaf.label} of the ${statement} is not updatable: ${leaf.kind === 'view' ? 'views are read-only' : 'a derived table is no table'}`);
  }
}

// The relation whose columns hold `position` of the joined row.
function relationAt(scope: Scope, position: number): number {
  return scope.relations.findIndex((relation) => position >= relation.offset && position < relation.offset + relation.columns.length);
}

// What each relation of the FROM is, in the scope's order: parenthesized joins are flattened,
// as the binder adds their relations in place.
function fromLeaves(items: readonly AstNode[], context: Context, scope: Scope): Leaf[] {
  const leaves: Leaf[] = [];
  const visit = (item: AstNode): void => {
    if (Array.isArray(item['expr'])) {
      for (const inner of item['expr'] as AstNode[]) visit(inner);
      return;
    }
    leaves.push(leafOf(item, context));
  };
  for (const item of items) visit(item);
  if (leaves.length !== scope.relations.length) throw unsupported('this FROM in a multi-table UPDATE or DELETE');
  return leaves;
}

function leafOf(item: AstNode, { view, defaultDatabase }: Context): Leaf {
  const alias = item['as'] === null || item['as'] === undefined ? null : identifier(item['as'], 'alias');
  if (subqueryOf(item['expr']) !== null) return { kind: 'derived', label: alias ?? '', alias, database: null };
  const database = item['db'] === null || item['db'] === undefined ? defaultDatabase : identifier(item['db'], 'database');
  const name = identifier(item['table'], 'table');
  const table = view.table(database, name);
  if (table !== undefined) return { kind: 'table', table, alias };
  // The binder has found the name already: a view, else a table of information_schema.
  const kind = view.viewDef(database, name) !== undefined || !isInformationSchema(database) ? 'view' : 'information_schema';
  return { kind, label: name, alias, database };
}
