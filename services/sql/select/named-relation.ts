// What a name in FROM stands for: a table, a view (its SELECT bound as a derived table), or a
// table of information_schema (rows made from the catalog when the query runs). The binder asks
// here, in one place, so that views and information_schema stay out of its own code.
import { TideError } from '../../base/errors.js';
import type { ErrorCode } from '../../base/errors.js';
import { isVisible, qualifiedName } from '../../storage/types.js';
import type { TableDef, ViewDef } from '../../storage/types.js';
import { identifier, unsupported } from '../ast-reading.js';
import { informationSchemaTable, isInformationSchema } from '../information-schema/information-schema.js';
import { sourceColumns } from '../view-columns.js';
import type { AstNode } from '../parser.js';
import type { ReadView } from '../read-view.js';
import type { LogicalPlan, SelectQuery } from './logical-plan.js';
import type { ScopeColumn } from './scope.js';
import { columnSqlType, unknownType } from './sql-type.js';

export interface NamedRelation {
  readonly plan: LogicalPlan;
  // The name that qualifies its columns without an alias, and its database.
  readonly name: string;
  readonly database: string;
  readonly columns: readonly ScopeColumn[];
}

export interface NameContext {
  readonly view: ReadView;
  readonly defaultDatabase: string;
  // Binds a view's SELECT in the view's own database; throws VIEW_RECURSIVE for a view that is
  // already being expanded.
  readonly bindView: (definition: ViewDef) => SelectQuery;
}

// `item` is a FROM item naming a table (`t` or `db.t`).
export function namedRelation(item: AstNode, context: NameContext): NamedRelation {
  if (typeof item['table'] !== 'string') throw unsupported('this table reference');
  const database = item['db'] === null || item['db'] === undefined ? context.defaultDatabase : identifier(item['db'], 'database');
  const name = identifier(item['table'], 'table');
  const table = context.view.table(database, name);
  if (table !== undefined) return tableRelation(table);
  const definition = context.view.viewDef(database, name);
  if (definition !== undefined) return viewRelation(definition, context);
  if (isInformationSchema(database)) {
    const source = informationSchemaTable(name);
    if (source !== undefined) {
      const columns = source.columns.map((column) => ({ name: column.name, type: columnSqlType(column.type, column.scale), hidden: false, qualifiedOnly: false }));
      return { plan: { kind: 'virtual', source, width: columns.length, bindView: context.bindView }, name, database, columns };
    }
  }
  throw new TideError('TABLE_NOT_FOUND', `table '${database}.${name}' does not exist`);
}

function tableRelation(table: TableDef): NamedRelation {
  const columns = table.columns.map((def) => ({ name: def.name, type: columnSqlType(def.type, def.scale, def.collation), hidden: !isVisible(def), qualifiedOnly: false, origin: { table, column: def } }));
  return { plan: { kind: 'scan', table, width: table.columns.length }, name: table.name, database: table.database, columns };
}

// Errors of a view's SELECT that mean something it reads is gone: MySQL answers 1356 for them.
const invalidatingCodes: ReadonlySet<ErrorCode> = new Set(['TABLE_NOT_FOUND', 'COLUMN_NOT_FOUND', 'COLUMN_AMBIGUOUS']);

// The view's SELECT as a derived table whose columns carry the view's names. The names were
// fixed when the view was made; a query that no longer gives as many columns (a `*` over a
// table that changed) is as invalid as one whose table was dropped.
function viewRelation(definition: ViewDef, context: NameContext): NamedRelation {
  const label = qualifiedName(definition.database, definition.name);
  let query: SelectQuery;
  try {
    query = context.bindView(definition);
  } catch (error) {
    if (error instanceof TideError && invalidatingCodes.has(error.code)) throw invalidView(label);
    throw error;
  }
  if (query.columns.length !== definition.columns.length) throw invalidView(label);
  // A column read straight from a table keeps its static type (`a / 2` divides exactly over an
  // INT column of a view, as over the table); any other is typed as a derived table's.
  const sources = sourceColumns(query.plan);
  const columns = definition.columns.map((name, at) => {
    const source = sources[at] ?? null;
    return { name, type: source === null ? unknownType : columnSqlType(source.type, source.scale, source.collation), hidden: false, qualifiedOnly: false };
  });
  return { plan: { kind: 'derived', query: { ...query, columns: definition.columns } }, name: definition.name, database: definition.database, columns };
}

function invalidView(label: string): TideError {
  return new TideError('VIEW_INVALID', `view '${label}' references invalid table(s) or column(s)`);
}
