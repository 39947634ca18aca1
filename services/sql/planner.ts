// AST → Plan: resolves tables and columns against the view the statement will run on, checks
// what TideDB supports, and numbers `?` placeholders in the order they appear in the text.
import { TideError } from '../base/errors.js';
import { columnsPerTableMax, varcharLengthMax } from '../base/limits.js';
import { hiddenRowIdColumn, integerColumnTypes, isVisible } from '../storage/types.js';
import type { ColumnDef, ColumnType, TableDef, Value } from '../storage/types.js';
import { runToEnd } from '../base/time-slice.js';
import { checkDecimalType } from '../values/decimal.js';
import type { Steps } from '../base/time-slice.js';
import { identifier, nodes, unsupported } from './ast-reading.js';
import type { AstNode } from './parser.js';
import { columnUniqueSpec, createIndexSpec, dropIndexName, tableIndexSpec } from './ddl/index-syntax.js';
import { alterTableActions, checkSpec, renamePairs } from './ddl/alter-syntax.js';
import type { AlterSyntaxContext } from './ddl/alter-syntax.js';
import { bindChecks } from './ddl/check-binding.js';
import type { AlterAction, BoundCheck, ColumnSpec, Expr, ForeignKeySpec, IndexSpec, OnDuplicate, Plan } from './plan.js';
import { isMultiTable, planMultiDelete, planMultiUpdate } from './multi-table-dml.js';
import { onDuplicateScope, valuesCallsAsColumns } from './on-duplicate-syntax.js';
import { declaredColumnCollation, declaredDefaultCollation, withCollation } from './ddl/collation-syntax.js';
import { columnCheck, columnOptions, declaredDefault, namedChecks, tableCheck } from './ddl/column-options.js';
import { parseSql } from './parser.js';
import { planCreateDatabase, planDropDatabase } from './ddl/database-statements.js';
import { columnForeignKeySpec, foreignKeyActions, tableForeignKeySpec } from './ddl/foreign-key-syntax.js';
import { refuseCheckedActionColumns } from './ddl/foreign-keys.js';
import type { CheckClause } from './ddl/column-options.js';
import { evaluate } from './expression.js';
import { defaultKeywordCall } from './statement-shape.js';
import { showTarget } from './show.js';
import type { ShowNames } from './show.js';
import { planCreateView, planDropView } from './ddl/view-statements.js';
import { checkWritable } from './information-schema/information-schema.js';
import { viewColumns } from './view-columns.js';
import type { ReadView } from './read-view.js';
import { inDatabase } from './accounts/account-statements.js';
import type { AccountStatement } from './accounts/account-syntax.js';
import { SelectBinder, tableScope } from './select/binder.js';
import { plainClause } from './select/expression-binder.js';
import { Scope } from './select/scope.js';

export interface PlannedStatement {
  readonly plan: Plan;
  readonly paramCount: number;
}

export function planStatement(ast: AstNode, view: ReadView, defaultDatabase: string): PlannedStatement {
  return runToEnd(planSteps(ast, view, defaultDatabase));
}

// Planning as sliced work: an INSERT of thousands of VALUES rows binds each row's expressions,
// tens of milliseconds in all, so it yields between rows as its execution does.
export function* planSteps(ast: AstNode, view: ReadView, defaultDatabase: string): Steps<PlannedStatement> {
  const planner = new Planner(view, defaultDatabase);
  const plan = ast['type'] === 'insert' || ast['type'] === 'replace' ? yield* planner.insert(ast) : planner.plan(ast);
  return { plan, paramCount: planner.paramCount };
}

class Planner {
  private readonly binder: SelectBinder;

  constructor(private readonly view: ReadView, private readonly defaultDatabase: string) {
    this.binder = new SelectBinder(view, defaultDatabase);
  }

  // `?` placeholders seen so far, numbered in the order they appear.
  get paramCount(): number {
    return this.binder.expressions.paramCount;
  }

  plan(ast: AstNode): Plan {
    switch (ast['type']) {
      case 'create':
        if (ast['keyword'] === 'index') return this.alterTable(ast['table'], [{ kind: 'add_index', spec: createIndexSpec(ast) }]);
        if (ast['keyword'] === 'database' || ast['keyword'] === 'schema') return writableDatabase(planCreateDatabase(ast));
        if (ast['keyword'] === 'view') return planCreateView(ast, this.view, this.defaultDatabase);
        if (ast['keyword'] !== 'table') throw unsupported(`CREATE ${String(ast['keyword']).toUpperCase()}`);
        return this.createTable(ast);
      case 'drop':
        if (ast['keyword'] === 'index') return this.alterTable(ast['table'], [{ kind: 'drop_index', name: dropIndexName(ast) }]);
        if (ast['keyword'] === 'database' || ast['keyword'] === 'schema') return writableDatabase(planDropDatabase(ast));
        if (ast['keyword'] === 'view') return planDropView(ast, this.defaultDatabase);
        if (ast['keyword'] !== 'table') throw unsupported(`DROP ${String(ast['keyword']).toUpperCase()}`);
        return this.dropTable(ast);
      case 'alter':
        // Foreign-key actions first: the ALTER reader takes DROP FOREIGN KEY for a key drop.
        return this.alterForeignKeys(nodes(ast['table'])[0], ast) ?? this.alterTable(nodes(ast['table'])[0], alterTableActions(ast, this.alterContext()));
      case 'rename':
        return { kind: 'rename_tables', renames: renamePairs(ast, this.alterContext()) };
      case 'truncate':
        return this.truncateTable(ast);
      case 'show':
      case 'desc':
        return { kind: 'show', target: showTarget(ast, this.defaultDatabase, this.showNames()) };
      case 'use':
        return { kind: 'use', database: identifier(ast['db'], 'database') };
      case 'account':
        return { kind: 'account', statement: inDatabase(ast['statement'] as AccountStatement, this.defaultDatabase) };
      case 'insert':
      case 'replace':
        return runToEnd(this.insert(ast));
      case 'update':
        return this.update(ast);
      case 'delete':
        return this.delete(ast);
      case 'select':
        return this.select(ast);
      case 'explain':
        return { kind: 'explain', analyze: ast['analyze'] === true, query: this.binder.bindSelect(ast['expr'] as AstNode, new Scope(null)) };
      default:
        throw unsupported(`statement ${String(ast['type']).toUpperCase()}`);
    }
  }

  // --- DDL ----------------------------------------------------------------------------------

  private createTable(ast: AstNode): Plan {
    if (ast['query_expr'] !== null && ast['query_expr'] !== undefined) throw unsupported('CREATE TABLE … AS SELECT');
    if (ast['temporary'] !== null && ast['temporary'] !== undefined) throw unsupported('temporary tables');
    const [target] = nodes(ast['table']);
    if (target === undefined) throw new TideError('SQL_SYNTAX', 'CREATE TABLE needs a table name');
    const { database, name } = this.writableTableName(target);
    const columns: ColumnDef[] = [];
    const primaryKeyNames: string[] = [];
    const indexes: IndexSpec[] = [];
    const checkClauses: CheckClause[] = [];
    const foreignKeys: ForeignKeySpec[] = [];
    // A table without COLLATE= takes its database's default (CREATE DATABASE … COLLATE).
    const collation = declaredDefaultCollation(ast['table_options']) ?? this.view.databaseCollation(database);
    for (const definition of nodes(ast['create_definitions'])) {
      const index = tableIndexSpec(definition);
      const check = tableCheck(definition);
      // An unqualified parent is in the child's database, as in MySQL.
      const foreignKey = tableForeignKeySpec(definition, database);
      if (index !== null) {
        indexes.push(index);
      } else if (check !== null) {
        checkClauses.push(check);
      } else if (foreignKey !== null) {
        foreignKeys.push(foreignKey);
      } else if (definition['resource'] === 'column') {
        const typed = columnDefinition(definition);
        const declared = withCollation(typed, declaredColumnCollation(definition, typed.type), collation);
        const column = { ...declared, ...columnOptions(definition, declared, (value) => this.constant(value)) };
        const columnLevelCheck = columnCheck(definition);
        if (columnLevelCheck !== null) checkClauses.push(columnLevelCheck);
        const columnLevelKey = columnForeignKeySpec(definition, column.name, database);
        if (columnLevelKey !== null) foreignKeys.push(columnLevelKey);
        if (columns.some((existing) => existing.name.toLowerCase() === column.name.toLowerCase())) {
          throw new TideError('TABLE_DEFINITION_INVALID', `column '${column.name}' is defined twice`);
        }
        columns.push(column);
        if (definition['primary_key'] !== undefined && definition['primary_key'] !== null) primaryKeyNames.push(column.name);
        if (definition['unique'] !== undefined && definition['unique'] !== null) indexes.push(columnUniqueSpec(column.name));
      } else if (definition['resource'] === 'constraint' && definition['constraint_type'] === 'primary key') {
        if (primaryKeyNames.length > 0) throw new TideError('TABLE_DEFINITION_INVALID', 'a table has one primary key');
        for (const part of nodes(definition['definition'])) primaryKeyNames.push(identifier(part['column'], 'column'));
      } else {
        throw unsupported(`table constraint ${String(definition['constraint_type'] ?? definition['resource'])}`);
      }
    }
    if (columns.length > columnsPerTableMax) throw new TideError('TABLE_DEFINITION_INVALID', `a table has at most ${columnsPerTableMax} columns`);
    const checks = namedChecks(name, checkClauses);
    // Each CHECK must bind over the table's columns, as it will for every INSERT and UPDATE.
    refuseCheckedActionColumns(columns, this.boundChecks({ id: 0, version: 1, database, name, columns, primaryKey: [], checks }), foreignKeys);
    if (primaryKeyNames.length === 0) {
      // A table without a primary key is keyed by a hidden row id (types.ts, hiddenRowIdColumn).
      // It never holds an AUTO_INCREMENT column (that must start a primary key), so the
      // table's counter is free to number its rows.
      if (columns.some((column) => column.autoIncrement)) throw new TideError('TABLE_DEFINITION_INVALID', 'AUTO_INCREMENT needs an INT or BIGINT column that starts the primary key');
      columns.push({ name: hiddenRowIdColumn, type: 'BIGINT', length: null, nullable: false, autoIncrement: false, hidden: true });
      return { kind: 'create_table', database, name, columns, primaryKey: [columns.length - 1], indexes, checks, foreignKeys, collation, ifNotExists: Boolean(ast['if_not_exists']) };
    }
    const primaryKey = primaryKeyNames.map((keyName) => {
      const position = columns.findIndex((column) => column.name.toLowerCase() === keyName.toLowerCase());
      if (position < 0) throw new TideError('COLUMN_NOT_FOUND', `primary key column '${keyName}' is not defined`);
      return position;
    });
    if (new Set(primaryKey).size !== primaryKey.length) throw new TideError('TABLE_DEFINITION_INVALID', 'a primary key column is listed twice');
    if (primaryKey.some((position) => columns[position]!.type === 'JSON')) throw new TideError('TABLE_DEFINITION_INVALID', 'a JSON column cannot be in the primary key');
    // A key column can never be null (as in MySQL, PRIMARY KEY implies NOT NULL).
    for (const position of primaryKey) columns[position] = { ...columns[position]!, nullable: false };
    const autoIncrement = columns.filter((column) => column.autoIncrement);
    if (autoIncrement.length > 1) throw new TideError('TABLE_DEFINITION_INVALID', 'a table has at most one AUTO_INCREMENT column');
    for (const column of autoIncrement) {
      const position = columns.indexOf(column);
      if (primaryKey[0] !== position || (column.type !== 'INT' && column.type !== 'BIGINT')) {
        throw new TideError('TABLE_DEFINITION_INVALID', 'AUTO_INCREMENT needs an INT or BIGINT column that starts the primary key');
      }
    }
    return { kind: 'create_table', database, name, columns, primaryKey, indexes, checks, foreignKeys, collation, ifNotExists: Boolean(ast['if_not_exists']) };
  }

  // CREATE INDEX, DROP INDEX, ALTER TABLE: checked against the table when they execute, after
  // the statements before them in the transaction.
  private alterTable(target: unknown, actions: readonly AlterAction[]): Plan {
    if (target === undefined || target === null) throw new TideError('SQL_SYNTAX', 'the statement needs a table name');
    const { database, name } = this.writableTableName(target as AstNode);
    return { kind: 'alter_table', database, name, actions };
  }

  private alterContext(): AlterSyntaxContext {
    return {
      columnSpec: (definition) => this.columnSpec(definition),
      tableName: (target) => this.writableTableName(target),
      declaredDefault: (text) => declaredDefault(nodes(parseSql(`SELECT ${text}`)[0]?.['columns'])[0]?.['expr'] as AstNode, (value) => this.constant(value)),
    };
  }

  // A column as ALTER TABLE declares it (ADD, MODIFY, CHANGE), read as CREATE TABLE reads one.
  private columnSpec(definition: AstNode): ColumnSpec {
    const declared = columnDefinition(definition);
    const column = { ...declared, ...columnOptions(definition, declared, (value) => this.constant(value)) };
    const check = columnCheck(definition);
    const flag = (name: string): boolean => definition[name] !== undefined && definition[name] !== null;
    return { column, collation: declaredColumnCollation(definition, column.type), check: check === null ? null : checkSpec(check), primaryKey: flag('primary_key'), unique: flag('unique') };
  }

  // ALTER TABLE … ADD/DROP FOREIGN KEY, or null when the statement has no such action.
  private alterForeignKeys(target: unknown, ast: AstNode): Plan | null {
    if (target === undefined || target === null) return null;
    const { database, name } = this.tableName(target as AstNode);
    const actions = foreignKeyActions(ast, database);
    if (actions === null) return null;
    const table = this.view.table(database, name);
    if (table !== undefined) refuseCheckedActionColumns(table.columns, this.boundChecks(table), actions.flatMap((action) => (action.kind === 'add' ? [action.spec] : [])));
    return { kind: 'alter_foreign_keys', database, name, actions };
  }

  private dropTable(ast: AstNode): Plan {
    const targets = nodes(ast['name']).map((target) => this.writableTableName(target));
    const database = targets[0]?.database ?? this.defaultDatabase;
    if (targets.some((target) => target.database !== database)) throw unsupported('DROP TABLE across databases');
    return { kind: 'drop_table', database, names: targets.map((target) => target.name), ifExists: ast['prefix'] === 'if exists' };
  }

  // MySQL's TRUNCATE names one table (a list is its syntax error).
  private truncateTable(ast: AstNode): Plan {
    const targets = nodes(ast['name']);
    if (targets.length !== 1) throw new TideError('SQL_SYNTAX', 'TRUNCATE TABLE names one table');
    return { kind: 'truncate_table', ...this.tableName(targets[0]!) };
  }

  // --- DML ----------------------------------------------------------------------------------

  // INSERT [IGNORE] [INTO] … [ON DUPLICATE KEY UPDATE …] and REPLACE [INTO] ….
  *insert(ast: AstNode): Steps<Plan> {
    const [target] = nodes(ast['table']);
    if (target === undefined) throw new TideError('SQL_SYNTAX', 'INSERT needs a table');
    const table = this.existingTable(target);
    const values = ast['values'] as AstNode | null | undefined;
    if (values === null || values === undefined) throw unsupported('INSERT … SET');
    const listed = Array.isArray(ast['columns'])
      ? (ast['columns'] as unknown[]).map((column) => this.writableColumnPosition(table, identifier(column, 'column')))
      : visiblePositions(table);
    if (new Set(listed).size !== listed.length) throw new TideError('SQL_SYNTAX', 'a column is listed twice in INSERT');
    if (values['type'] === 'select') {
      const query = this.binder.bindSelect(values, new Scope(null));
      if (query.columns.length !== listed.length) throw new TideError('VALUE_COUNT_MISMATCH', `column count doesn't match value count: INSERT has ${listed.length} columns but its SELECT returns ${query.columns.length}`);
      return { kind: 'insert', table, rows: [], select: { query, positions: listed }, checks: this.boundChecks(table), onDuplicate: this.onDuplicate(ast, table) };
    }
    if (values['type'] !== 'values') throw unsupported(`INSERT … ${String(values['type']).toUpperCase()}`);
    const rows: (Expr | null)[][] = [];
    for (const tuple of nodes(values['values'])) {
      const exprs = nodes(tuple['value']);
      if (exprs.length !== listed.length) throw new TideError('VALUE_COUNT_MISMATCH', `column count doesn't match value count at row ${rows.length + 1}: INSERT has ${listed.length} columns but the row ${exprs.length} values`);
      const row: (Expr | null)[] = table.columns.map(() => null);
      exprs.forEach((expr, at) => (row[listed[at]!] = isDefaultKeyword(expr) ? null : this.expr(expr, null)));
      rows.push(row);
      yield;
    }
    // Bound after the rows, so that its `?` placeholders number after theirs, as in the text.
    return { kind: 'insert', table, rows, select: null, checks: this.boundChecks(table), onDuplicate: this.onDuplicate(ast, table) };
  }

  // The parser gives `INSERT IGNORE [INTO]` as prefix 'ignore' or 'ignore into', plain
  // INSERT [INTO] and REPLACE [INTO] as 'into' or ''.
  private onDuplicate(ast: AstNode, table: TableDef): OnDuplicate {
    const prefix = String(ast['prefix'] ?? '');
    const ignore = prefix === 'ignore' || prefix === 'ignore into';
    if (!ignore && prefix !== 'into' && prefix !== '') throw unsupported(`INSERT ${prefix.toUpperCase()}`);
    const update = ast['on_duplicate_update'] as AstNode | null | undefined;
    if (ast['type'] === 'replace') return { kind: 'replace' };
    if (update === null || update === undefined) return ignore ? { kind: 'ignore' } : { kind: 'error' };
    // MySQL's IGNORE would then turn only the update's own errors into warnings; TideDB has no warnings.
    if (ignore) throw unsupported('INSERT IGNORE … ON DUPLICATE KEY UPDATE');
    const scope = onDuplicateScope(tableScope(table));
    const assignments = nodes(update['set']).map((assignment) => {
      const column = identifier(assignment['column'], 'column');
      // `t.col = …` may name only the table the statement inserts into, as in MySQL.
      const qualifier = assignment['table'] ?? null;
      if (qualifier !== null && String(qualifier).toLowerCase() !== table.name.toLowerCase()) throw new TideError('COLUMN_NOT_FOUND', `column '${String(qualifier)}.${column}' does not exist here`);
      return { position: this.writableColumnPosition(table, column), expr: this.binder.expressions.bind(valuesCallsAsColumns(assignment['value']), scope, plainClause).expr };
    });
    return { kind: 'update', assignments };
  }

  private update(ast: AstNode): Plan {
    if (isMultiTable(ast)) return planMultiUpdate(ast, this.multiTableContext());
    const targets = nodes(ast['table']);
    if (targets.length !== 1) throw unsupported('UPDATE of several tables');
    const table = this.existingTable(targets[0]!);
    const assignments = nodes(ast['set']).map((assignment) => ({
      position: this.writableColumnPosition(table, identifier(assignment['column'], 'column')),
      expr: this.expr(assignment['value'], table),
    }));
    this.rejectOrderAndLimit(ast, 'UPDATE');
    return { kind: 'update', table, assignments, where: this.optionalExpr(ast['where'], table), checks: this.boundChecks(table) };
  }

  private delete(ast: AstNode): Plan {
    if (isMultiTable(ast)) return planMultiDelete(ast, this.multiTableContext());
    const targets = nodes(ast['from']);
    if (targets.length !== 1) throw unsupported('DELETE from several tables');
    const table = this.existingTable(targets[0]!);
    this.rejectOrderAndLimit(ast, 'DELETE');
    return { kind: 'delete', table, where: this.optionalExpr(ast['where'], table) };
  }

  private multiTableContext(): { binder: SelectBinder; view: ReadView; defaultDatabase: string } {
    return { binder: this.binder, view: this.view, defaultDatabase: this.defaultDatabase };
  }

  private select(ast: AstNode): Plan {
    return { kind: 'select', query: this.binder.bindSelect(ast, new Scope(null)) };
  }

  private rejectOrderAndLimit(ast: AstNode, statement: string): void {
    if ((ast['orderby'] ?? null) !== null || (ast['limit'] ?? null) !== null) throw unsupported(`${statement} with ORDER BY or LIMIT`);
  }

  // --- names --------------------------------------------------------------------------------

  private tableName(target: AstNode): { database: string; name: string } {
    if (typeof target['table'] !== 'string') throw unsupported('this table reference');
    const database = target['db'] === null || target['db'] === undefined ? this.defaultDatabase : identifier(target['db'], 'database');
    return { database, name: identifier(target['table'], 'table') };
  }

  // The name of a table a statement creates, changes or drops: never one of information_schema.
  private writableTableName(target: AstNode): { database: string; name: string } {
    const name = this.tableName(target);
    checkWritable(name.database);
    return name;
  }

  // The table INSERT, UPDATE or DELETE writes: views are read-only here (sql/DESIGN.md, "Views").
  private existingTable(target: AstNode): TableDef {
    const { database, name } = this.writableTableName(target);
    const table = this.view.table(database, name);
    if (table !== undefined) return table;
    if (this.view.viewDef(database, name) !== undefined) throw new TideError('VIEW_NOT_UPDATABLE', `the view '${database}.${name}' is not updatable: views are read-only`);
    throw new TideError('TABLE_NOT_FOUND', `table '${database}.${name}' does not exist`);
  }

  private showNames(): ShowNames {
    return {
      relation: (target) => {
        const { database, name } = this.tableName(target);
        const found = this.view.table(database, name) ?? this.view.viewDef(database, name);
        if (found === undefined) throw new TideError('TABLE_NOT_FOUND', `table '${database}.${name}' does not exist`);
        return found;
      },
      describedView: (definition) => {
        const columns = viewColumns(definition, (viewDefinition) => this.binder.bindView(viewDefinition));
        return { id: 0, version: 1, database: definition.database, name: definition.name, columns, primaryKey: [] };
      },
    };
  }

  private columnPosition(table: TableDef, name: string): number {
    const position = table.columns.findIndex((column) => column.name.toLowerCase() === name.toLowerCase());
    if (position < 0) throw new TideError('COLUMN_NOT_FOUND', `column '${name}' does not exist in table '${table.name}'`);
    return position;
  }

  // A column a statement may set: the hidden row id may be read by name (as in TiDB), but only
  // the leader's counter gives it values, so that two rows never share one.
  private writableColumnPosition(table: TableDef, name: string): number {
    const position = this.columnPosition(table, name);
    if (!isVisible(table.columns[position]!)) throw new TideError('SQL_UNSUPPORTED', `the hidden row id '${name}' cannot be set`);
    return position;
  }

  // --- expressions --------------------------------------------------------------------------

  private optionalExpr(ast: unknown, table: TableDef | null): Expr | null {
    return ast === null || ast === undefined ? null : this.expr(ast, table);
  }

  // DML expressions see the one table they change (or nothing, in VALUES).
  private expr(ast: unknown, table: TableDef | null): Expr {
    return this.binder.expressions.bind(ast, table === null ? new Scope(null) : tableScope(table), plainClause).expr;
  }

  // A DEFAULT's value: an expression of constants, evaluated once when the table is created.
  private constant(ast: unknown): Value {
    const params = this.paramCount;
    const expr = this.expr(ast, null);
    if (this.paramCount !== params) throw new TideError('TABLE_DEFINITION_INVALID', 'a DEFAULT cannot be a ? placeholder');
    return evaluate(expr, [], []);
  }

  // The table's CHECK constraints bound over its row (ddl/check-binding.ts).
  private boundChecks(table: TableDef): BoundCheck[] {
    return bindChecks(this.binder, table);
  }
}

// FLOAT is stored as DOUBLE (sql/DESIGN.md, "Types"): MySQL's FLOAT is single precision, and
// a column of FLOAT here keeps what a DOUBLE keeps. A length on an integer (INT(11)) is a
// display width, which MySQL ignores too; FLOAT(M,D)'s rounding to D digits is not applied.
const columnTypesByName: Readonly<Record<string, ColumnType>> = {
  TINYINT: 'TINYINT', SMALLINT: 'SMALLINT', MEDIUMINT: 'MEDIUMINT', INT: 'INT', INTEGER: 'INT', BIGINT: 'BIGINT',
  FLOAT: 'DOUBLE', DOUBLE: 'DOUBLE', 'DOUBLE PRECISION': 'DOUBLE', REAL: 'DOUBLE',
  DECIMAL: 'DECIMAL', NUMERIC: 'DECIMAL', DEC: 'DECIMAL', FIXED: 'DECIMAL',
  CHAR: 'CHAR', VARCHAR: 'VARCHAR', TEXT: 'TEXT', BOOLEAN: 'BOOLEAN', BOOL: 'BOOLEAN',
  DATE: 'DATE', TIME: 'TIME', DATETIME: 'DATETIME', TIMESTAMP: 'TIMESTAMP',
  BINARY: 'BINARY', VARBINARY: 'VARBINARY', BLOB: 'BLOB', JSON: 'JSON',
};

// MySQL's limit on CHAR(n).
const charLengthMax = 255;

function columnDefinition(definition: AstNode): ColumnDef {
  const name = identifier((definition['column'] as AstNode)['column'], 'column');
  const dataType = definition['definition'] as AstNode;
  const typeName = String(dataType['dataType']).toUpperCase();
  const type = columnTypesByName[typeName];
  if (type === undefined) {
    throw new TideError('TABLE_DEFINITION_INVALID', `column type ${typeName} is not supported (TINYINT, SMALLINT, MEDIUMINT, INT, BIGINT, DECIMAL(p,s), FLOAT, DOUBLE, CHAR(n), VARCHAR(n), TEXT, BOOLEAN, DATE, TIME, DATETIME, TIMESTAMP are)`);
  }
  const unsigned = unsignedOption(type, dataType);
  if (name.toLowerCase() === hiddenRowIdColumn) throw new TideError('TABLE_DEFINITION_INVALID', `the column name '${name}' is reserved for the hidden row id`);
  const nullable = (definition['nullable'] as AstNode | undefined)?.['type'] !== 'not null';
  // DEFAULT, ON UPDATE and CHECK are read by ddl/column-options.ts.
  // CHARACTER SET and COLLATE are read by ddl/collation-syntax.ts.
  for (const option of ['generated'] as const) {
    const value = definition[option];
    // Accepting an option and then not honouring it would store what the client ruled out.
    if (value !== undefined && value !== null) throw unsupported(`column option ${option.replace('_', ' ').toUpperCase()}`);
  }
  const column = { name, type, length: null, nullable, autoIncrement: definition['auto_increment'] !== undefined && definition['auto_increment'] !== null };
  return { ...column, ...typeParameters(name, type, dataType), ...(unsigned ? { unsigned: true } : {}) };
}

// UNSIGNED on an integer type. Elsewhere (MySQL's deprecated UNSIGNED DECIMAL/DOUBLE) and
// ZEROFILL are refused: accepting them and storing what they rule out would mislead the client.
function unsignedOption(type: ColumnType, dataType: AstNode): boolean {
  let unsigned = false;
  for (const suffix of nodes(dataType['suffix'])) {
    const option = String(suffix).toUpperCase();
    if (option !== 'UNSIGNED' || !integerColumnTypes.has(type)) throw unsupported(`column type option ${option} on ${type}`);
    unsigned = true;
  }
  return unsigned;
}

// What a type's parentheses mean: a CHAR or VARCHAR length, a DECIMAL's precision and scale, a
// temporal type's fractional-seconds digits; nothing for the other types.
function typeParameters(name: string, type: ColumnType, dataType: AstNode): Pick<ColumnDef, 'length' | 'precision' | 'scale' | 'fsp'> {
  const length = dataType['length'] === undefined || dataType['length'] === null ? null : Number(dataType['length']);
  switch (type) {
    // CHAR and BINARY alone are CHAR(1) and BINARY(1), as in MySQL; VARCHAR and VARBINARY need one.
    case 'CHAR':
    case 'BINARY':
      return { length: declaredLength(name, type, length ?? 1, charLengthMax) };
    case 'VARCHAR':
      return { length: declaredLength(name, type, length, varcharLengthMax) };
    case 'VARBINARY':
      return { length: declaredLength(name, type, length, varbinaryLengthMax) };
    case 'DECIMAL': {
      // DECIMAL is DECIMAL(10,0) and DECIMAL(p) is DECIMAL(p,0), as in MySQL.
      const scale = dataType['scale'] === undefined || dataType['scale'] === null ? 0 : Number(dataType['scale']);
      return { length: null, ...checkDecimalType(length ?? 10, scale) };
    }
    case 'TIME':
    case 'DATETIME':
    case 'TIMESTAMP': {
      const fsp = length ?? 0;
      if (!Number.isInteger(fsp) || fsp < 0 || fsp > fspMax) throw new TideError('TABLE_DEFINITION_INVALID', `${type} column '${name}' takes from 0 to ${fspMax} fractional-second digits, not ${String(dataType['length'])}`);
      return { length: null, fsp };
    }
    default:
      return { length: null };
  }
}

function declaredLength(name: string, type: ColumnType, length: number | null, max: number): number {
  if (length === null || !Number.isInteger(length) || length < 1 || length > max) throw new TideError('TABLE_DEFINITION_INVALID', `${type} column '${name}' needs a length from 1 to ${max}`);
  return length;
}

// MySQL's VARBINARY(n) limit in bytes (a row's size).
const varbinaryLengthMax = 65_535;

// MySQL's most fractional-second digits: microseconds.
const fspMax = 6;

// `DEFAULT` as a value in VALUES, which the statement scan hands over as a call of
// `defaultKeywordCall` (statement-shape.ts): the column's default.
function isDefaultKeyword(ast: unknown): boolean {
  const node = ast as AstNode;
  return node['type'] === 'function' && String(nodes((node['name'] as AstNode | undefined)?.['name'])[0]?.['value']).toUpperCase() === defaultKeywordCall;
}

function writableDatabase<T extends { readonly name: string }>(plan: T): T {
  checkWritable(plan.name);
  return plan;
}

// Positions of the columns `SELECT *` shows and `INSERT` without a column list fills.
function visiblePositions(table: TableDef): number[] {
  const positions: number[] = [];
  table.columns.forEach((column, position) => {
    if (isVisible(column)) positions.push(position);
  });
  return positions;
}
