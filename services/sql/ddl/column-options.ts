// CREATE TABLE's column options beyond the type: DEFAULT (a constant, or CURRENT_TIMESTAMP for
// DATETIME and TIMESTAMP), ON UPDATE CURRENT_TIMESTAMP, and CHECK constraints (column and table
// level). Read from node-sql-parser's tree and checked against the column here; the planner
// evaluates constants and binds CHECK expressions, the executor applies them.
import { TideError } from '../../base/errors.js';
import { checkExpressionLengthMax } from '../../base/limits.js';
import type { CheckDef, ColumnDef, ColumnDefault, Value } from '../../storage/types.js';
import { nodes, unsupported } from '../ast-reading.js';
import type { AstNode } from '../parser.js';
import { expressionSql } from '../syntax.js';
import { isValueClass, valueClassText } from '../value-classes.js';
import { coerceToColumn } from '../values.js';
import { JsonDocument } from '../../values/json-document.js';

// The names MySQL accepts for the statement's time as a default.
const currentTimestampNames: ReadonlySet<string> = new Set(['CURRENT_TIMESTAMP', 'NOW', 'LOCALTIME', 'LOCALTIMESTAMP']);

export type ColumnOptions = Pick<ColumnDef, 'default' | 'onUpdateCurrentTimestamp'>;

// DEFAULT and ON UPDATE of one column definition. `constant` evaluates a constant expression
// (literals, arithmetic, functions of constants) or throws.
export function columnOptions(definition: AstNode, column: ColumnDef, constant: (ast: unknown) => Value): ColumnOptions {
  const options: { default?: ColumnDefault; onUpdateCurrentTimestamp?: true } = {};
  const defaultValue = (definition['default_val'] as AstNode | null | undefined)?.['value'] as AstNode | undefined;
  if (defaultValue !== undefined) {
    const timestamp = currentTimestampCall(defaultValue);
    if (timestamp !== null) {
      checkTimestampOption(column, timestamp, 'DEFAULT');
      options.default = { kind: 'current_timestamp' };
    } else {
      const fixed = constantDefault(column, constant(defaultValue));
      if (fixed !== null) options.default = fixed;
    }
    // `DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP` arrives as the default's `over`.
    const over = defaultValue['over'] as AstNode | null | undefined;
    if (over !== null && over !== undefined) {
      if (over['type'] !== 'on update') throw unsupported(`DEFAULT … ${String(over['type']).toUpperCase()}`);
      checkTimestampOption(column, fspArgument(over['expr']), 'ON UPDATE');
      options.onUpdateCurrentTimestamp = true;
    }
  }
  // `ON UPDATE CURRENT_TIMESTAMP` without a DEFAULT arrives as a foreign-key action without a
  // table; a column's REFERENCES with one is ddl/foreign-key-syntax.ts's.
  const reference = definition['reference_definition'] as AstNode | null | undefined;
  if (reference !== null && reference !== undefined && (reference['table'] === undefined || reference['table'] === null)) {
    const actions = nodes(reference['on_action']);
    const action = actions.length === 1 && actions[0]!['type'] === 'on update' ? (actions[0]!['value'] as AstNode) : null;
    // Bare (`CURRENT_TIMESTAMP`) or called (`current_timestamp(3)`, as SHOW CREATE TABLE prints it).
    const fsp = action === null ? null : action['type'] === 'function' ? currentTimestampCall(action) : currentTimestampNames.has(String(action['value']).toUpperCase()) ? 0 : null;
    if (fsp === null) throw unsupported('this ON UPDATE');
    checkTimestampOption(column, fsp, 'ON UPDATE');
    options.onUpdateCurrentTimestamp = true;
  }
  if (options.default !== undefined && column.autoIncrement) throw invalidDefault(column, 'an AUTO_INCREMENT column has no DEFAULT');
  return options;
}

// A DEFAULT as written, before a column fits it: ALTER TABLE … ALTER COLUMN c SET DEFAULT reads
// it when it plans and fits it to the column as the statement leaves it.
export type DeclaredDefault = { readonly kind: 'constant'; readonly value: Value } | { readonly kind: 'current_timestamp'; readonly fsp: number };

export function declaredDefault(ast: AstNode, constant: (ast: unknown) => Value): DeclaredDefault {
  const fsp = currentTimestampCall(ast) ?? (ast['type'] === 'column_ref' && currentTimestampNames.has(String(ast['column']).toUpperCase()) ? 0 : null);
  return fsp === null ? { kind: 'constant', value: constant(ast) } : { kind: 'current_timestamp', fsp };
}

// The column's default for a declared one (undefined: none, as for DEFAULT NULL).
export function fittedDefault(column: ColumnDef, declared: DeclaredDefault): ColumnDefault | undefined {
  if (column.autoIncrement) throw invalidDefault(column, 'an AUTO_INCREMENT column has no DEFAULT');
  if (declared.kind === 'current_timestamp') {
    checkTimestampOption(column, declared.fsp, 'DEFAULT');
    return { kind: 'current_timestamp' };
  }
  return constantDefault(column, declared.value) ?? undefined;
}

// A constant default as the catalog keeps it, after the column accepts it; NULL is no default.
function constantDefault(column: ColumnDef, value: Value): ColumnDefault | null {
  if (value === null) {
    if (!column.nullable) throw invalidDefault(column, 'NULL is not a value of a NOT NULL column');
    return null;
  }
  let fitted: Value;
  try {
    fitted = coerceToColumn(column, value);
  } catch (error) {
    if (error instanceof TideError) throw invalidDefault(column, error.message);
    throw error;
  }
  // Bytes would need an encoding of their own in the catalog; MySQL 8 allows only expression
  // defaults on BLOB anyway.
  if (fitted instanceof Uint8Array || fitted instanceof JsonDocument) throw unsupported(`a DEFAULT on ${column.type} column '${column.name}'`);
  // Exact values as their text, which coerceToColumn reads back to the same value.
  const kept = typeof fitted === 'bigint' ? fitted.toString() : fitted !== null && isValueClass(fitted) ? valueClassText(fitted) : fitted;
  return { kind: 'constant', value: kept };
}

// The fsp argument of `CURRENT_TIMESTAMP(n)` / `NOW(n)` (0 without one), or null when `ast`
// is not such a call.
function currentTimestampCall(ast: AstNode): number | null {
  if (ast['type'] !== 'function') return null;
  const name = nodes((ast['name'] as AstNode | undefined)?.['name'])[0]?.['value'];
  if (!currentTimestampNames.has(String(name).toUpperCase())) return null;
  return fspArgument(ast['args']);
}

function fspArgument(args: unknown): number {
  const [first] = nodes((args as AstNode | null | undefined)?.['value']);
  return first === undefined ? 0 : Number(first['value']);
}

// MySQL: only DATETIME and TIMESTAMP take the statement's time, at their own precision.
function checkTimestampOption(column: ColumnDef, fsp: number, option: string): void {
  if (column.type !== 'DATETIME' && column.type !== 'TIMESTAMP') throw invalidDefault(column, `${option} CURRENT_TIMESTAMP needs a DATETIME or TIMESTAMP column`);
  if (fsp !== (column.fsp ?? 0)) throw invalidDefault(column, `${option} CURRENT_TIMESTAMP(${fsp}) must have the column's ${column.fsp ?? 0} fractional digits`);
}

function invalidDefault(column: ColumnDef, why: string): TideError {
  return new TideError('TABLE_DEFINITION_INVALID', `invalid default value for column '${column.name}': ${why}`);
}

// --- CHECK constraints ----------------------------------------------------------------------

// A CHECK clause read from a column definition or a table constraint: its name (null: MySQL's
// generated one) and its expression's tree.
export interface CheckClause {
  readonly name: string | null;
  readonly expression: AstNode;
}

// The CHECK of a column definition (`c INT CHECK (c > 0)`), or null.
export function columnCheck(definition: AstNode): CheckClause | null {
  const check = definition['check'] as AstNode | null | undefined;
  return check === null || check === undefined ? null : checkClause(check);
}

// A table-level `[CONSTRAINT [name]] CHECK (…)`, or null for another kind of definition.
export function tableCheck(definition: AstNode): CheckClause | null {
  return definition['resource'] === 'constraint' && definition['constraint_type'] === 'check' ? checkClause(definition) : null;
}

function checkClause(node: AstNode): CheckClause {
  // NOT ENFORCED would store a rule the table does not keep: refused rather than ignored.
  if (typeof node['enforced'] === 'string' && /not/i.test(node['enforced'])) throw unsupported('CHECK … NOT ENFORCED');
  const [expression] = nodes(node['definition']);
  if (expression === undefined) throw new TideError('SQL_SYNTAX', 'CHECK needs an expression');
  const name = typeof node['constraint'] === 'string' && node['constraint'] !== '' ? node['constraint'] : null;
  return { name, expression };
}

// The table's CHECK constraints with their names: a given one, or MySQL's `<table>_chk_<n>`
// counting unnamed ones from 1. Names are unique per table, without regard to case.
export function namedChecks(tableName: string, clauses: readonly CheckClause[]): CheckDef[] {
  let unnamed = 0;
  const checks = clauses.map((clause) => ({ name: clause.name ?? `${tableName}_chk_${++unnamed}`, expression: expressionSql(clause.expression) }));
  for (const check of checks) {
    if (check.expression.length > checkExpressionLengthMax) throw new TideError('TABLE_DEFINITION_INVALID', `check constraint '${check.name}' is longer than ${checkExpressionLengthMax} characters as SQL`);
  }
  const seen = new Set<string>();
  for (const check of checks) {
    if (seen.has(check.name.toLowerCase())) throw new TideError('TABLE_DEFINITION_INVALID', `duplicate check constraint name '${check.name}'`);
    seen.add(check.name.toLowerCase());
  }
  return checks;
}
