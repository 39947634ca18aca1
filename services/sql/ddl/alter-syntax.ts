// The parser's tree of ALTER TABLE → AlterAction[], one per comma-separated action, in the
// order written. Only the syntax is read here; ddl/alter-definition.ts applies the actions to
// the table's definition. A new kind of action is read in `alterAction` and nowhere else.
import { TideError } from '../../base/errors.js';
import { identifier, nodes, unsupported } from '../ast-reading.js';
import type { AstNode } from '../parser.js';
import { collationFromName } from './collation-syntax.js';
import type { AlterAction, CheckClauseSpec, ColumnPlace, ColumnSpec, TableName } from '../plan.js';
import { expressionSql } from '../syntax.js';
import { alterDefaultMarker } from '../statement-shape.js';
import type { AlterColumnDefault } from '../statement-shape.js';
import { tableCheck } from './column-options.js';
import type { CheckClause, DeclaredDefault } from './column-options.js';
import { tableIndexSpec } from './index-syntax.js';

// What the planner knows how to read: a column definition (type and options, with constants
// evaluated) and a table name in the statement's default database.
export interface AlterSyntaxContext {
  columnSpec(definition: AstNode): ColumnSpec;
  // A DEFAULT's value as written (SQL text of a literal), read and evaluated.
  declaredDefault(text: string): DeclaredDefault;
  tableName(target: AstNode): TableName;
}

export function alterTableActions(ast: AstNode, context: AlterSyntaxContext): AlterAction[] {
  const defaults = (ast['alter_column_defaults'] ?? []) as readonly AlterColumnDefault[];
  const actions = nodes(ast['expr']).map((action) => alterColumnDefault(action, defaults, context) ?? alterAction(action, context));
  if (actions.length === 0) throw new TideError('SQL_SYNTAX', 'ALTER TABLE needs an action');
  return actions;
}

// `ALTER [COLUMN] c SET|DROP DEFAULT`, which the text scan hands over as a DROP INDEX of a
// marker name numbering the clause (statement-shape.ts), or null for any other action.
function alterColumnDefault(action: AstNode, defaults: readonly AlterColumnDefault[], context: AlterSyntaxContext): AlterAction | null {
  const name = action['action'] === 'drop' && action['resource'] === 'index' ? String(action['index']) : '';
  if (!name.startsWith(alterDefaultMarker)) return null;
  const clause = defaults[Number(name.slice(alterDefaultMarker.length))];
  if (clause === undefined) return null;
  return { kind: 'alter_default', column: identifier(clause.column, 'column'), value: clause.value === null ? null : context.declaredDefault(clause.value) };
}

function alterAction(action: AstNode, context: AlterSyntaxContext): AlterAction {
  const resource = action['resource'];
  if (resource === 'collate') return { kind: 'table_collation', collation: collationFromName(String((action['collate'] as AstNode | undefined)?.['value'] ?? '')) };
  switch (action['action']) {
    case 'add':
      if (resource === 'column') return { kind: 'add_column', spec: context.columnSpec(action), place: columnPlace(action) };
      return addDefinition(resource === 'constraint' ? (action['create_definitions'] as AstNode) : action);
    case 'drop':
      if (resource === 'column') return { kind: 'drop_column', name: identifier((action['column'] as AstNode)['column'], 'column') };
      if (resource === 'index' || (resource === 'key' && action['keyword'] !== 'primary key' && action['keyword'] !== 'foreign key')) {
        return { kind: 'drop_index', name: identifier(action['index'] ?? action['key'], 'index') };
      }
      if (resource === 'key' && action['keyword'] === 'primary key') return { kind: 'drop_primary_key' };
      // DROP CONSTRAINT names a CHECK here (UNIQUE ones are dropped as indexes, as MariaDB's
      // DROP CONSTRAINT also does not reach them).
      if (resource === 'constraint') return { kind: 'drop_check', name: identifier(action['constraint'], 'constraint') };
      break;
    case 'modify':
    case 'change': {
      const spec = context.columnSpec(action);
      const old = (action['old_column'] ?? action['column']) as AstNode;
      return { kind: 'modify_column', from: identifier(old['column'], 'column'), spec, place: columnPlace(action) };
    }
    case 'rename':
      if (resource === 'column') {
        return { kind: 'rename_column', from: identifier((action['old_column'] as AstNode)['column'], 'column'), to: identifier((action['column'] as AstNode)['column'], 'column') };
      }
      if (resource === 'table') return { kind: 'rename_table', ...context.tableName({ db: null, table: action['table'] }) };
      break;
    default:
      break;
  }
  const what = [action['action'], action['keyword'] ?? resource].filter((word) => typeof word === 'string').join(' ');
  throw unsupported(`ALTER TABLE … ${what.toUpperCase()}`);
}

// ADD of a table-level definition: an index, a UNIQUE or PRIMARY KEY constraint, a CHECK.
// FOREIGN KEY is refused here, for now: its action kind joins AlterAction when it comes.
function addDefinition(definition: AstNode): AlterAction {
  const index = tableIndexSpec(definition);
  if (index !== null) return { kind: 'add_index', spec: index };
  const check = tableCheck(definition);
  if (check !== null) return { kind: 'add_check', check: checkSpec(check) };
  if (definition['resource'] === 'constraint' && definition['constraint_type'] === 'primary key') {
    if (definition['index_type'] !== null && definition['index_type'] !== undefined) throw unsupported('PRIMARY KEY … USING');
    if (nodes(definition['index_options']).length > 0) throw unsupported('PRIMARY KEY index options');
    return { kind: 'add_primary_key', columns: nodes(definition['definition']).map((part) => primaryKeyPart(part)) };
  }
  throw unsupported(`ALTER TABLE … ADD ${String(definition['constraint_type'] ?? definition['resource']).toUpperCase()}`);
}

function primaryKeyPart(part: AstNode): string {
  if (part['type'] !== 'column_ref') throw unsupported('primary key prefixes and expressions');
  if (String(part['order_by'] ?? 'asc').toLowerCase() === 'desc') throw unsupported('a DESC primary key part');
  return identifier(part['column'], 'column');
}

export function checkSpec(clause: CheckClause): CheckClauseSpec {
  return { name: clause.name, expression: expressionSql(clause.expression) };
}

// FIRST, AFTER col, or nothing.
function columnPlace(action: AstNode): ColumnPlace {
  const suffix = action['suffix'] as AstNode | null | undefined;
  if (suffix === null || suffix === undefined) return null;
  const keyword = String(suffix['keyword']).toUpperCase();
  if (keyword === 'FIRST') return { kind: 'first' };
  if (keyword === 'AFTER') return { kind: 'after', column: identifier((suffix['expr'] as AstNode)['column'], 'column') };
  throw unsupported(`column place ${keyword}`);
}

// RENAME TABLE a TO b [, c TO d]: pairs in the order written.
export function renamePairs(ast: AstNode, context: AlterSyntaxContext): { from: TableName; to: TableName }[] {
  return nodes(ast['table']).map((pair) => {
    const [from, to] = pair as unknown as AstNode[];
    if (from === undefined || to === undefined) throw new TideError('SQL_SYNTAX', 'RENAME TABLE needs pairs of names');
    return { from: context.tableName(from), to: context.tableName(to) };
  });
}
