// CREATE [OR REPLACE] VIEW and DROP VIEW: planning from the parser's tree, and execution on a
// view of the catalog. A view shares its database's table namespace (sql/DESIGN.md, "Views").
import { TideError } from '../../base/errors.js';
import { qualifiedName } from '../../storage/types.js';
import type { ViewDef } from '../../storage/types.js';
import { identifier, nodes } from '../ast-reading.js';
import { checkWritable } from '../information-schema/information-schema.js';
import type { OverlayView } from '../overlay-view.js';
import type { AstNode } from '../parser.js';
import type { Plan } from '../plan.js';
import type { ReadView } from '../read-view.js';
import { SelectBinder } from '../select/binder.js';
import { Scope } from '../select/scope.js';

type CreateView = Extract<Plan, { kind: 'create_view' }>;
type DropView = Extract<Plan, { kind: 'drop_view' }>;

// Binds the SELECT once, so that a view that cannot be read is refused when it is made: a name
// that is not there, a view reading itself (through others too), a `?` (a view is kept, not
// run with this statement's parameters), two columns of one name.
export function planCreateView(ast: AstNode, view: ReadView, defaultDatabase: string): CreateView {
  const target = ast['view'] as AstNode | null | undefined;
  if (target === null || target === undefined) throw new TideError('SQL_SYNTAX', 'CREATE VIEW needs a view name');
  const database = target['db'] === null || target['db'] === undefined ? defaultDatabase : identifier(target['db'], 'database');
  const name = identifier(target['view'], 'view');
  checkWritable(database);
  const query = ast['select_text'];
  if (typeof query !== 'string') throw new TideError('SQL_SYNTAX', 'CREATE VIEW needs AS SELECT …');
  const binder = new SelectBinder(view, database, [qualifiedName(database, name)]);
  const bound = binder.bindSelect(ast['select'] as AstNode, new Scope(null));
  if (binder.expressions.paramCount > 0) throw new TideError('SQL_UNSUPPORTED', "a view's SELECT cannot hold ? placeholders");
  const listed = Array.isArray(ast['columns']) ? (ast['columns'] as unknown[]).map((column) => identifier(column, 'column')) : null;
  if (listed !== null && listed.length !== bound.columns.length) {
    throw new TideError('TABLE_DEFINITION_INVALID', `the view's column list names ${listed.length} columns and its SELECT gives ${bound.columns.length}`);
  }
  const columns = listed ?? bound.columns;
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.toLowerCase())) throw new TideError('COLUMN_DUPLICATE', `duplicate column name '${column}' in view '${name}'`);
    seen.add(column.toLowerCase());
  }
  return { kind: 'create_view', view: { database, name, query, columns, columnsListed: listed !== null }, replace: ast['replace'] !== null && ast['replace'] !== undefined };
}

// `DROP VIEW [IF EXISTS] v[, w …]`.
export function planDropView(ast: AstNode, defaultDatabase: string): DropView {
  const targets = nodes(ast['name']).map((target) => ({
    database: target['db'] === null || target['db'] === undefined ? defaultDatabase : identifier(target['db'], 'database'),
    name: identifier(target['table'], 'view'),
  }));
  const database = targets[0]?.database ?? defaultDatabase;
  if (targets.some((target) => target.database !== database)) throw new TideError('SQL_UNSUPPORTED', 'DROP VIEW across databases is not supported yet');
  checkWritable(database);
  return { kind: 'drop_view', database, names: targets.map((target) => target.name), ifExists: ast['prefix'] === 'if exists' };
}

export function createView(plan: CreateView, view: OverlayView): void {
  const { database, name } = plan.view;
  if (view.table(database, name) !== undefined) throw new TideError('TABLE_EXISTS', `table '${name}' already exists`);
  if (view.viewDef(database, name) !== undefined && !plan.replace) throw new TideError('TABLE_EXISTS', `table '${name}' already exists`);
  view.createView(plan.view);
}

// Every name is checked before any is dropped, as MySQL 8 does: a missing view drops nothing.
export function dropView(plan: DropView, view: OverlayView): void {
  const found: ViewDef[] = [];
  for (const name of plan.names) {
    const label = qualifiedName(plan.database, name);
    if (view.table(plan.database, name) !== undefined) throw new TideError('NOT_A_VIEW', `'${label}' is not VIEW`);
    const definition = view.viewDef(plan.database, name);
    if (definition === undefined) {
      if (plan.ifExists) continue;
      throw new TideError('TABLE_UNKNOWN', `unknown table '${label}'`);
    }
    found.push(definition);
  }
  for (const definition of found) view.dropView(definition);
}
