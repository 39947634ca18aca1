// The parser's trees of FOREIGN KEY declarations → ForeignKeySpec: the table-level clause of
// CREATE TABLE and ALTER TABLE … ADD, a column's own `REFERENCES`, and ALTER TABLE … DROP
// FOREIGN KEY. Only the syntax is read here; ddl/foreign-keys.ts checks specs against the
// tables they name.
import { TideError } from '../../base/errors.js';
import type { ForeignKeyRule } from '../../storage/types.js';
import { identifier, nodes, unsupported } from '../ast-reading.js';
import type { AstNode } from '../parser.js';
import type { ForeignKeyAction, ForeignKeySpec } from '../plan.js';

// `[CONSTRAINT [name]] FOREIGN KEY [index_name] (cols) REFERENCES parent (cols) [ON …]`, or
// null for any other table-level definition.
export function tableForeignKeySpec(definition: AstNode, defaultDatabase: string): ForeignKeySpec | null {
  if (definition['resource'] !== 'constraint' || String(definition['constraint_type']).toUpperCase() !== 'FOREIGN KEY') return null;
  const columns = nodes(definition['definition']).map((part) => identifier(part['column'], 'column'));
  return referenceSpec(definition['reference_definition'] as AstNode, columns, optionalName(definition['constraint']) ?? optionalName(definition['index']), optionalName(definition['index']), defaultDatabase);
}

// `col type … REFERENCES parent (col) [ON …]`: a foreign key of the one column. MySQL 8 parses
// and ignores this form; MariaDB (10.5 on) and MySQL 9 enforce it, and TideDB does as they do,
// rather than accept a constraint and not hold it.
export function columnForeignKeySpec(definition: AstNode, column: string, defaultDatabase: string): ForeignKeySpec | null {
  const reference = definition['reference_definition'] as AstNode | null | undefined;
  // `ON UPDATE CURRENT_TIMESTAMP` arrives as a reference without a table (ddl/column-options.ts).
  if (reference === null || reference === undefined || reference['table'] === undefined || reference['table'] === null) return null;
  return referenceSpec(reference, [column], null, null, defaultDatabase);
}

// `ALTER TABLE … DROP FOREIGN KEY name`: the name, or null for any other action.
function droppedForeignKeyName(action: AstNode): string | null {
  if (action['action'] !== 'drop' || String(action['keyword']).toLowerCase() !== 'foreign key') return null;
  return identifier(action['key'] ?? action['index'], 'foreign key');
}

// `ALTER TABLE … ADD [CONSTRAINT [name]] FOREIGN KEY …`: the spec, or null for any other action.
function addedForeignKeySpec(action: AstNode, defaultDatabase: string): ForeignKeySpec | null {
  if (action['action'] !== 'add' || action['resource'] !== 'constraint') return null;
  return tableForeignKeySpec(action['create_definitions'] as AstNode, defaultDatabase);
}

function referenceSpec(reference: AstNode, columns: readonly string[], name: string | null, indexName: string | null, defaultDatabase: string): ForeignKeySpec {
  const [parent] = nodes(reference['table']);
  if (parent === undefined || typeof parent['table'] !== 'string') throw new TideError('SQL_SYNTAX', 'REFERENCES needs a table');
  // InnoDB parses MATCH and ignores it; accepting it here would promise what is not checked.
  if (reference['match'] !== null && reference['match'] !== undefined) throw unsupported('MATCH in a foreign key');
  const parentColumns = nodes(reference['definition']).map((part) => identifier(part['column'], 'column'));
  const rules = { onDelete: 'restrict' as ForeignKeyRule, onUpdate: 'restrict' as ForeignKeyRule };
  for (const action of nodes(reference['on_action'])) {
    const rule = ruleOf((action['value'] as AstNode | undefined)?.['value']);
    if (action['type'] === 'on delete') rules.onDelete = rule;
    else if (action['type'] === 'on update') rules.onUpdate = rule;
    else throw unsupported(`foreign key action ${String(action['type']).toUpperCase()}`);
  }
  const parentDatabase = parent['db'] === null || parent['db'] === undefined ? defaultDatabase : identifier(parent['db'], 'database');
  return { name, indexName, columns, parentDatabase, parentTable: identifier(parent['table'], 'table'), parentColumns, ...rules };
}

// SET DEFAULT is refused, as InnoDB refuses it.
function ruleOf(raw: unknown): ForeignKeyRule {
  const rule = String(raw).toLowerCase().replace(/\s+/g, ' ');
  switch (rule) {
    case 'restrict':
      return 'restrict';
    case 'no action':
      return 'no_action';
    case 'cascade':
      return 'cascade';
    case 'set null':
      return 'set_null';
    default:
      throw unsupported(`foreign key rule ${rule.toUpperCase()}`);
  }
}

function optionalName(raw: unknown): string | null {
  return raw === null || raw === undefined ? null : identifier(raw, 'constraint');
}

// ALTER TABLE's foreign key actions, or null when it has none (then its actions are another
// module's). An ALTER TABLE mixing them with other actions is refused for now.
export function foreignKeyActions(ast: AstNode, tableDatabase: string): ForeignKeyAction[] | null {
  const actions = nodes(ast['expr']);
  const read = actions.map((action): ForeignKeyAction | null => {
    const dropped = droppedForeignKeyName(action);
    if (dropped !== null) return { kind: 'drop', name: dropped };
    const spec = addedForeignKeySpec(action, tableDatabase);
    return spec === null ? null : { kind: 'add', spec };
  });
  const found = read.filter((action): action is ForeignKeyAction => action !== null);
  if (found.length === 0) return null;
  if (found.length !== read.length) throw unsupported('ALTER TABLE mixing FOREIGN KEY actions with other actions');
  return found;
}
