// CREATE DATABASE and DROP DATABASE: planning from the parser's tree, and execution on a view.
// A database exists once created, and also (as it always did) while a live table names it, so
// tables in a database never created keep working.
import { refuseDropOfReferenced } from './foreign-keys.js';
import { TideError } from '../../base/errors.js';
import { identifier, nodes, unsupported } from '../ast-reading.js';
import { declaredDefaultCollation } from './collation-syntax.js';
import type { OverlayView } from '../overlay-view.js';
import type { AstNode } from '../parser.js';
import type { Plan } from '../plan.js';
import type { ReadView } from '../read-view.js';
import { isInformationSchema } from '../information-schema/information-schema.js';
import { liveDatabases, liveTables } from '../show.js';

type CreateDatabase = Extract<Plan, { kind: 'create_database' }>;
type DropDatabase = Extract<Plan, { kind: 'drop_database' }>;

// `CREATE DATABASE|SCHEMA [IF NOT EXISTS] name [options]`.
export function planCreateDatabase(ast: AstNode): CreateDatabase {
  const target = (ast['database'] ?? ast['schema']) as AstNode | null | undefined;
  const [part, extra] = nodes(target?.['schema']);
  if (part === undefined || extra !== undefined) throw new TideError('SQL_SYNTAX', 'CREATE DATABASE needs one database name');
  // utf8mb4 is TideDB's one character set; the collation is the default of its new tables.
  const collation = declaredDefaultCollation(ast['create_definitions']) ?? 'utf8mb4_bin';
  return { kind: 'create_database', name: identifier(part['value'], 'database'), collation, ifNotExists: ast['if_not_exists'] !== null && ast['if_not_exists'] !== undefined };
}

// `DROP DATABASE|SCHEMA [IF EXISTS] name`.
export function planDropDatabase(ast: AstNode): DropDatabase {
  return { kind: 'drop_database', name: identifier(ast['name'], 'database'), ifExists: ast['prefix'] === 'if exists' };
}

export function databaseExists(view: ReadView, name: string): boolean {
  return liveDatabases(view).includes(name);
}

// `USE db` checks the database exists (information_schema always does); the write path then
// resolves the request's later statements in it.
export function checkUse(name: string, view: ReadView): void {
  if (!isInformationSchema(name) && !databaseExists(view, name)) throw new TideError('DATABASE_UNKNOWN', `unknown database '${name}'`);
}

// Answers rows_affected 1, as MySQL does.
export function createDatabase(plan: CreateDatabase, view: OverlayView): number {
  if (databaseExists(view, plan.name)) {
    if (plan.ifNotExists) return 0;
    throw new TideError('DATABASE_EXISTS', `database '${plan.name}' already exists`);
  }
  view.createDatabase(plan.name, plan.collation);
  return 1;
}

// Drops the database's tables, each as DROP TABLE does (apply removes their rows in slices),
// then the database; answers the number of tables dropped, as MySQL's rows affected.
export function dropDatabase(plan: DropDatabase, view: OverlayView): number {
  if (!databaseExists(view, plan.name)) {
    if (plan.ifExists) return 0;
    throw new TideError('DATABASE_NOT_FOUND', `database '${plan.name}' does not exist`);
  }
  const tables = liveTables(view).filter((table) => table.database === plan.name);
  refuseDropOfReferenced(view, tables);
  for (const table of tables) view.dropTable(table);
  // Its views go with it, as in MySQL (they are not counted: MySQL counts tables).
  for (const definition of view.allViews().filter((candidate) => candidate.database === plan.name)) view.dropView(definition);
  if (view.createdDatabases().includes(plan.name)) view.dropDatabase(plan.name);
  return tables.length;
}

