// AST → Plan: resolves tables and columns against the view the statement will run on, checks
// what TideDB supports, and numbers `?` placeholders in the order they appear in the text.
import { TideError } from '../base/errors.js';
import { columnsPerTableMax, varcharLengthMax } from '../base/limits.js';
import { hiddenRowIdColumn, isVisible } from '../storage/types.js';
import type { ColumnDef, ColumnType, TableDef, Value } from '../storage/types.js';
import { identifier, nodes, unsupported } from './ast-names.js';
import { expressionText } from './parser.js';
import type { AstNode } from './parser.js';
import { alterTableActions, columnUniqueSpec, createIndexSpec, dropIndexName, tableIndexSpec } from './ddl/index-syntax.js';
import type { BinaryOperator, Expr, IndexAction, IndexSpec, OrderTerm, OutputColumn, Plan } from './plan.js';
import { showTarget } from './show.js';
import type { ReadView } from './read-view.js';

export interface PlannedStatement {
  readonly plan: Plan;
  readonly paramCount: number;
}

const exponentLiteral = /^\d+[eE][+-]?\d+$/;

export function planStatement(ast: AstNode, view: ReadView, defaultDatabase: string): PlannedStatement {
  const planner = new Planner(view, defaultDatabase);
  const plan = planner.plan(ast);
  return { plan, paramCount: planner.paramCount };
}

// Scope of column names an expression may use: the statement's table, or none.
type Scope = TableDef | null;

class Planner {
  paramCount = 0;

  constructor(private readonly view: ReadView, private readonly defaultDatabase: string) {}

  plan(ast: AstNode): Plan {
    switch (ast['type']) {
      case 'create':
        if (ast['keyword'] === 'index') return this.alterIndexes(ast['table'], [{ kind: 'add', spec: createIndexSpec(ast) }]);
        if (ast['keyword'] !== 'table') throw unsupported(`CREATE ${String(ast['keyword']).toUpperCase()}`);
        return this.createTable(ast);
      case 'drop':
        if (ast['keyword'] === 'index') return this.alterIndexes(ast['table'], [{ kind: 'drop', name: dropIndexName(ast) }]);
        if (ast['keyword'] !== 'table') throw unsupported(`DROP ${String(ast['keyword']).toUpperCase()}`);
        return this.dropTable(ast);
      case 'alter':
        return this.alterIndexes(nodes(ast['table'])[0], alterTableActions(ast));
      case 'show':
      case 'desc':
        return { kind: 'show', target: showTarget(ast, this.defaultDatabase, (target) => this.existingTable(target)) };
      case 'insert':
        return this.insert(ast);
      case 'update':
        return this.update(ast);
      case 'delete':
        return this.delete(ast);
      case 'select':
        return this.select(ast);
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
    const { database, name } = this.tableName(target);
    const columns: ColumnDef[] = [];
    const primaryKeyNames: string[] = [];
    const indexes: IndexSpec[] = [];
    for (const definition of nodes(ast['create_definitions'])) {
      const index = tableIndexSpec(definition);
      if (index !== null) {
        indexes.push(index);
      } else if (definition['resource'] === 'column') {
        const column = columnDefinition(definition);
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
    if (primaryKeyNames.length === 0) {
      // A table without a primary key is keyed by a hidden row id (types.ts, hiddenRowIdColumn).
      // It never holds an AUTO_INCREMENT column (that must start a primary key), so the
      // table's counter is free to number its rows.
      if (columns.some((column) => column.autoIncrement)) throw new TideError('TABLE_DEFINITION_INVALID', 'AUTO_INCREMENT needs an INT or BIGINT column that starts the primary key');
      columns.push({ name: hiddenRowIdColumn, type: 'BIGINT', length: null, nullable: false, autoIncrement: false, hidden: true });
      return { kind: 'create_table', database, name, columns, primaryKey: [columns.length - 1], indexes, ifNotExists: Boolean(ast['if_not_exists']) };
    }
    const primaryKey = primaryKeyNames.map((keyName) => {
      const position = columns.findIndex((column) => column.name.toLowerCase() === keyName.toLowerCase());
      if (position < 0) throw new TideError('COLUMN_NOT_FOUND', `primary key column '${keyName}' is not defined`);
      return position;
    });
    if (new Set(primaryKey).size !== primaryKey.length) throw new TideError('TABLE_DEFINITION_INVALID', 'a primary key column is listed twice');
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
    return { kind: 'create_table', database, name, columns, primaryKey, indexes, ifNotExists: Boolean(ast['if_not_exists']) };
  }

  // CREATE INDEX, DROP INDEX, ALTER TABLE: checked against the table when they execute, after
  // the statements before them in the transaction.
  private alterIndexes(target: unknown, actions: readonly IndexAction[]): Plan {
    if (target === undefined || target === null) throw new TideError('SQL_SYNTAX', 'the statement needs a table name');
    const { database, name } = this.tableName(target as AstNode);
    return { kind: 'alter_indexes', database, name, actions };
  }

  private dropTable(ast: AstNode): Plan {
    const targets = nodes(ast['name']).map((target) => this.tableName(target));
    const database = targets[0]?.database ?? this.defaultDatabase;
    if (targets.some((target) => target.database !== database)) throw unsupported('DROP TABLE across databases');
    return { kind: 'drop_table', database, names: targets.map((target) => target.name), ifExists: ast['prefix'] === 'if exists' };
  }

  // --- DML ----------------------------------------------------------------------------------

  private insert(ast: AstNode): Plan {
    if (ast['on_duplicate_update'] !== null && ast['on_duplicate_update'] !== undefined) throw unsupported('ON DUPLICATE KEY UPDATE');
    // `INSERT IGNORE` arrives as prefix 'ignore into'; plain INSERT [INTO] as 'into' or ''.
    if (ast['prefix'] !== 'into' && ast['prefix'] !== '') throw unsupported(`INSERT ${String(ast['prefix']).toUpperCase()}`);
    const [target] = nodes(ast['table']);
    if (target === undefined) throw new TideError('SQL_SYNTAX', 'INSERT needs a table');
    const table = this.existingTable(target);
    const values = ast['values'] as AstNode | null | undefined;
    if (values === null || values === undefined) throw unsupported('INSERT … SET');
    if (values['type'] !== 'values') throw unsupported('INSERT … SELECT');
    const listed = Array.isArray(ast['columns'])
      ? (ast['columns'] as unknown[]).map((column) => this.writableColumnPosition(table, identifier(column, 'column')))
      : visiblePositions(table);
    if (new Set(listed).size !== listed.length) throw new TideError('SQL_SYNTAX', 'a column is listed twice in INSERT');
    const rows = nodes(values['values']).map((tuple) => {
      const exprs = nodes(tuple['value']);
      if (exprs.length !== listed.length) throw new TideError('SQL_SYNTAX', `INSERT has ${listed.length} columns but a row of ${exprs.length} values`);
      const row: Expr[] = table.columns.map(() => ({ kind: 'literal', value: null }));
      exprs.forEach((expr, at) => (row[listed[at]!] = this.expr(expr, null)));
      return row;
    });
    return { kind: 'insert', table, rows };
  }

  private update(ast: AstNode): Plan {
    const targets = nodes(ast['table']);
    if (targets.length !== 1) throw unsupported('UPDATE of several tables');
    const table = this.existingTable(targets[0]!);
    const assignments = nodes(ast['set']).map((assignment) => ({
      position: this.writableColumnPosition(table, identifier(assignment['column'], 'column')),
      expr: this.expr(assignment['value'], table),
    }));
    this.rejectOrderAndLimit(ast, 'UPDATE');
    return { kind: 'update', table, assignments, where: this.optionalExpr(ast['where'], table) };
  }

  private delete(ast: AstNode): Plan {
    const targets = nodes(ast['from']);
    if (targets.length !== 1) throw unsupported('DELETE from several tables');
    const table = this.existingTable(targets[0]!);
    this.rejectOrderAndLimit(ast, 'DELETE');
    return { kind: 'delete', table, where: this.optionalExpr(ast['where'], table) };
  }

  private select(ast: AstNode): Plan {
    for (const clause of ['with', 'groupby', 'having', 'distinct', 'window', '_next'] as const) {
      const value = ast[clause];
      if (value !== null && value !== undefined && !(clause === 'groupby' && emptyGroupBy(value))) throw unsupported(`SELECT with ${clause.toUpperCase()}`);
    }
    const from = nodes(ast['from']);
    if (from.length > 1 || from.some((source) => source['join'] !== undefined || source['expr'] !== undefined)) throw unsupported('joins and subqueries');
    const table = from[0] === undefined ? null : this.existingTable(from[0]);
    const columns: OutputColumn[] = [];
    for (const column of nodes(ast['columns'])) {
      const expr = column['expr'] as AstNode;
      if (expr['type'] === 'column_ref' && expr['column'] === '*') {
        if (table === null) throw new TideError('SQL_SYNTAX', 'SELECT * needs a FROM clause');
        for (const position of visiblePositions(table)) columns.push({ name: table.columns[position]!.name, expr: { kind: 'column', position } });
        continue;
      }
      const alias = column['as'];
      columns.push({ name: typeof alias === 'string' ? alias : outputName(expr), expr: this.expr(expr, table) });
    }
    const where = this.optionalExpr(ast['where'], table);
    const orderBy: OrderTerm[] = nodes(ast['orderby']).map((term) => ({
      expr: this.orderExpr(term['expr'] as AstNode, table, columns),
      descending: term['type'] === 'DESC',
    }));
    const { limit, offset } = this.limit(ast['limit']);
    return { kind: 'select', table, columns, where, orderBy, limit, offset };
  }

  // ORDER BY may name an output column by alias or by 1-based position, as in MySQL.
  private orderExpr(ast: AstNode, table: Scope, columns: readonly OutputColumn[]): Expr {
    if (ast['type'] === 'number' && Number.isInteger(Number(ast['value']))) {
      const column = columns[Number(ast['value']) - 1];
      if (column === undefined) throw new TideError('COLUMN_NOT_FOUND', `ORDER BY position ${String(ast['value'])} is out of range`);
      return column.expr;
    }
    if (ast['type'] === 'column_ref' && ast['table'] === null) {
      const alias = columns.find((column) => column.name === ast['column']);
      const isTableColumn = table?.columns.some((column) => column.name.toLowerCase() === String(ast['column']).toLowerCase()) ?? false;
      if (alias !== undefined && !isTableColumn) return alias.expr;
    }
    return this.expr(ast, table);
  }

  private limit(ast: unknown): { limit: Expr | null; offset: Expr | null } {
    const values = ast === null || ast === undefined ? [] : nodes((ast as AstNode)['value']);
    if (values.length === 0) return { limit: null, offset: null };
    const separator = (ast as AstNode)['seperator'];
    const [first, second] = values.map((value) => this.expr(value, null));
    if (second === undefined) return { limit: first!, offset: null };
    // `LIMIT offset, count` versus `LIMIT count OFFSET offset`.
    return separator === 'offset' ? { limit: first!, offset: second } : { limit: second, offset: first! };
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

  private existingTable(target: AstNode): TableDef {
    const { database, name } = this.tableName(target);
    const table = this.view.table(database, name);
    if (table === undefined) throw new TideError('TABLE_NOT_FOUND', `table '${database}.${name}' does not exist`);
    return table;
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

  private optionalExpr(ast: unknown, scope: Scope): Expr | null {
    return ast === null || ast === undefined ? null : this.expr(ast, scope);
  }

  private expr(raw: unknown, scope: Scope): Expr {
    const ast = raw as AstNode;
    switch (ast['type']) {
      case 'number':
        return { kind: 'literal', value: numberLiteral(ast['value']) };
      case 'bigint':
        // The parser also files `1.5e3` under bigint: numberLiteral tells them apart.
        return { kind: 'literal', value: numberLiteral(ast['value']) };
      case 'single_quote_string':
      case 'double_quote_string':
      case 'string':
        return { kind: 'literal', value: unescapeString(String(ast['value'])) };
      case 'bool':
        return { kind: 'literal', value: Boolean(ast['value']) };
      case 'null':
        return { kind: 'literal', value: null };
      case 'origin':
        if (ast['value'] === '?') return { kind: 'param', position: this.paramCount++ };
        throw unsupported(`'${String(ast['value'])}'`);
      case 'param':
        throw unsupported('named parameters (use ?)');
      case 'column_ref':
        return this.columnRef(ast, scope);
      case 'unary_expr':
        if (ast['operator'] === '-') return { kind: 'negate', operand: this.expr(ast['expr'], scope) };
        if (ast['operator'] === '+') return this.expr(ast['expr'], scope);
        if (ast['operator'] === 'NOT' || ast['operator'] === '!') return { kind: 'not', operand: this.expr(ast['expr'], scope) };
        throw unsupported(`operator ${String(ast['operator'])}`);
      case 'function':
        return this.functionCall(ast, scope);
      case 'binary_expr':
        return this.binary(ast, scope);
      case 'expr_list': {
        const list = nodes(ast['value']);
        if (list.length === 1) return this.expr(list[0], scope);
        throw unsupported('row values');
      }
      default:
        throw unsupported(ast['type'] === undefined ? 'subqueries' : `expression ${String(ast['type'])}`);
    }
  }

  private columnRef(ast: AstNode, scope: Scope): Expr {
    // The parser reads a number with an exponent and no point (1e10) as a name; MySQL reads a number.
    if (typeof ast['column'] === 'string' && ast['table'] === null && exponentLiteral.test(ast['column'])) {
      return { kind: 'literal', value: numberLiteral(ast['column']) };
    }
    const name = identifier(ast['column'], 'column');
    if (scope === null) throw new TideError('COLUMN_NOT_FOUND', `column '${name}' is not available here`);
    const qualifier = ast['table'];
    if (qualifier !== null && qualifier !== undefined && String(qualifier).toLowerCase() !== scope.name.toLowerCase()) {
      throw new TideError('TABLE_NOT_FOUND', `table '${String(qualifier)}' is not in this statement`);
    }
    return { kind: 'column', position: this.columnPosition(scope, name) };
  }

  private functionCall(ast: AstNode, scope: Scope): Expr {
    const nameParts = nodes((ast['name'] as AstNode | undefined)?.['name']);
    const name = nameParts.map((part) => String(part['value'])).join('.').toUpperCase();
    const args = nodes((ast['args'] as AstNode | undefined)?.['value']);
    if (name === 'NOT' && args.length === 1) return { kind: 'not', operand: this.expr(args[0], scope) };
    throw unsupported(`function ${name}()`);
  }

  private binary(ast: AstNode, scope: Scope): Expr {
    const operator = String(ast['operator']).toUpperCase();
    const left = () => this.expr(ast['left'], scope);
    switch (operator) {
      case 'IS':
      case 'IS NOT': {
        const right = ast['right'] as AstNode;
        if (right['type'] !== 'null') throw unsupported(`${operator} ${String(right['type'])}`);
        return { kind: 'is_null', operand: left(), negated: operator === 'IS NOT' };
      }
      case 'IN':
      case 'NOT IN': {
        const operand = left();
        const right = ast['right'] as AstNode;
        if (right['type'] !== 'expr_list') throw unsupported('IN (subquery)');
        return { kind: 'in_list', operand, list: nodes(right['value']).map((item) => this.expr(item, scope)), negated: operator === 'NOT IN' };
      }
      case 'BETWEEN':
      case 'NOT BETWEEN': {
        const operand = left();
        const [low, high] = nodes((ast['right'] as AstNode)['value']);
        return { kind: 'between', operand, low: this.expr(low, scope), high: this.expr(high, scope), negated: operator === 'NOT BETWEEN' };
      }
      case 'LIKE':
      case 'NOT LIKE': {
        const operand = left();
        return { kind: 'like', operand, pattern: this.expr(ast['right'], scope), negated: operator === 'NOT LIKE' };
      }
    }
    const mapped = binaryOperators[operator];
    if (mapped === undefined) throw unsupported(`operator ${operator}`);
    const leftExpr = left();
    return { kind: 'binary', operator: mapped, left: leftExpr, right: this.expr(ast['right'], scope) };
  }
}

const binaryOperators: Readonly<Record<string, BinaryOperator>> = {
  '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  AND: 'AND', '&&': 'AND', OR: 'OR', '||': 'OR',
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', MOD: '%', DIV: 'DIV',
};

// FLOAT is stored as DOUBLE (sql/DESIGN.md, "Types"): MySQL's FLOAT is single precision, and
// a column of FLOAT here keeps what a DOUBLE keeps. A length on an integer (INT(11)) is a
// display width, which MySQL ignores too; FLOAT(M,D)'s rounding to D digits is not applied.
const columnTypesByName: Readonly<Record<string, ColumnType>> = {
  TINYINT: 'TINYINT', SMALLINT: 'SMALLINT', MEDIUMINT: 'MEDIUMINT', INT: 'INT', INTEGER: 'INT', BIGINT: 'BIGINT',
  FLOAT: 'DOUBLE', DOUBLE: 'DOUBLE', 'DOUBLE PRECISION': 'DOUBLE', REAL: 'DOUBLE',
  CHAR: 'CHAR', VARCHAR: 'VARCHAR', TEXT: 'TEXT', BOOLEAN: 'BOOLEAN', BOOL: 'BOOLEAN',
};

// MySQL's limit on CHAR(n).
const charLengthMax = 255;

function columnDefinition(definition: AstNode): ColumnDef {
  const name = identifier((definition['column'] as AstNode)['column'], 'column');
  const dataType = definition['definition'] as AstNode;
  const typeName = String(dataType['dataType']).toUpperCase();
  const type = columnTypesByName[typeName];
  if (type === undefined) {
    throw new TideError('TABLE_DEFINITION_INVALID', `column type ${typeName} is not supported (TINYINT, SMALLINT, MEDIUMINT, INT, BIGINT, FLOAT, DOUBLE, CHAR(n), VARCHAR(n), TEXT, BOOLEAN are)`);
  }
  // Accepting UNSIGNED and storing signed values would let through what the client ruled out.
  for (const suffix of nodes(dataType['suffix'])) throw unsupported(`column type option ${String(suffix)}`);
  if (name.toLowerCase() === hiddenRowIdColumn) throw new TideError('TABLE_DEFINITION_INVALID', `the column name '${name}' is reserved for the hidden row id`);
  let length: number | null = null;
  if (type === 'CHAR') {
    // CHAR alone is CHAR(1), as in MySQL.
    length = dataType['length'] === undefined || dataType['length'] === null ? 1 : Number(dataType['length']);
    if (!Number.isInteger(length) || length < 1 || length > charLengthMax) {
      throw new TideError('TABLE_DEFINITION_INVALID', `CHAR column '${name}' needs a length from 1 to ${charLengthMax}`);
    }
  }
  if (type === 'VARCHAR') {
    length = Number(dataType['length']);
    if (!Number.isInteger(length) || length < 1 || length > varcharLengthMax) {
      throw new TideError('TABLE_DEFINITION_INVALID', `VARCHAR column '${name}' needs a length from 1 to ${varcharLengthMax}`);
    }
  }
  const nullable = (definition['nullable'] as AstNode | undefined)?.['type'] !== 'not null';
  for (const option of ['default_val', 'check', 'reference_definition', 'generated', 'character_set', 'collate'] as const) {
    // DEFAULT NULL on a nullable column is its default anyway (SHOW CREATE TABLE prints it).
    if (option === 'default_val' && nullable && isDefaultNull(definition[option])) continue;
    const value = definition[option];
    // Accepting a constraint and then not enforcing it would store what the client ruled out.
    if (value !== undefined && value !== null) throw unsupported(`column option ${option.replace('_val', '').replace('_definition', 's').replace('_', ' ').toUpperCase()}`);
  }
  return { name, type, length, nullable, autoIncrement: definition['auto_increment'] !== undefined && definition['auto_increment'] !== null };
}

function isDefaultNull(option: unknown): boolean {
  return ((option as AstNode | null | undefined)?.['value'] as AstNode | undefined)?.['type'] === 'null';
}

function numberLiteral(raw: unknown): Value {
  const text = String(raw);
  // Integers stay exact as bigint; anything with a point or exponent is a DOUBLE.
  if (/^[+-]?\d+$/.test(text)) return BigInt(text);
  const double = Number(text);
  // As MySQL: a literal beyond DOUBLE's range (1e999) is an error, not infinity.
  if (!Number.isFinite(double)) throw new TideError('VALUE_OUT_OF_RANGE', `the number ${text.slice(0, 32)} is out of range for DOUBLE`);
  return double;
}

// The parser leaves MySQL's escapes in string literals (all but \n and \t, which it turns into
// the characters): a doubled quote and a backslash sequence each stand for one character.
const escapedCharacters: Readonly<Record<string, string>> = { '0': '\0', b: '\b', r: '\r', n: '\n', t: '\t', Z: '\x1a' };
function unescapeString(text: string): string {
  if (!text.includes('\\') && !text.includes("''") && !text.includes('""')) return text;
  return text.replace(/''|""|\\([\s\S])/g, (match, escaped: string | undefined) => {
    if (escaped === undefined) return match[0]!;
    // \% and \_ keep their backslash: they only mean something inside LIKE patterns.
    if (escaped === '%' || escaped === '_') return match;
    return escapedCharacters[escaped] ?? escaped;
  });
}

function outputName(expr: AstNode): string {
  if (expr['type'] === 'column_ref') return String(expr['column']);
  if (expr['type'] === 'number' || expr['type'] === 'bigint' || expr['type'] === 'bool') return String(expr['value']);
  if (expr['type'] === 'single_quote_string') return String(expr['value']);
  return expressionText(expr);
}

function emptyGroupBy(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ((value as AstNode)['columns'] ?? null) === null;
}

// Positions of the columns `SELECT *` shows and `INSERT` without a column list fills.
function visiblePositions(table: TableDef): number[] {
  const positions: number[] = [];
  table.columns.forEach((column, position) => {
    if (isVisible(column)) positions.push(position);
  });
  return positions;
}
