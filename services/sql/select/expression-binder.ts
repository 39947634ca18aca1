// Parser expressions → bound expressions (plan.ts `Expr`) with their static types: names are
// resolved in a Scope, `?` placeholders numbered in the order they appear, aggregates given
// slots in the aggregate operator's output, and subqueries bound by the select binder.
import { TideError } from '../../base/errors.js';
import type { Value } from '../../storage/types.js';
import { exponentLiteral, identifier, nodes, numberLiteral, subqueryOf, unescapeString, unsupported } from '../ast-reading.js';
import { convertedTo, widened } from './set-operation-types.js';
import { checkDecimalType } from '../../values/decimal.js';
import type { AstNode } from '../parser.js';
import type { BinaryOperator, CastTarget, Expr, OrderTerm } from '../plan.js';
import { scalarFunctionArity } from '../functions.js';
import { takesArgumentCount } from '../function-def.js';
import { distinctAggregateSuffix } from '../statement-shape.js';
import type { AggregateCall, AggregateFunction, SelectQuery } from './logical-plan.js';
import { isLogicalGroup, logicalOperatorOf, regroupLogical, withoutLeadingNot } from './logical-precedence.js';
import type { LogicalGroup } from './logical-precedence.js';
import type { RollupGroups } from './rollup-groups.js';
import type { Scope } from './scope.js';
import { arithmeticType, booleanType, columnSqlType, divisionScale, doubleType, exactInteger, exactScale, literalScale, textType, unknownType } from './sql-type.js';
import type { SqlType } from './sql-type.js';
import { positionArguments, trimArguments } from './string-call-syntax.js';
import { bindWindowCall } from './window-binder.js';
import { collatedKeyExpr, collatedTextResult, collationField, comparisonCollation, distinctRowKeyCall, explicitlyCollated, ownCollation } from './collation-rules.js';
import { collationFromName } from '../ddl/collation-syntax.js';
import type { WindowCallSyntax, WindowSlots } from './window-binder.js';

export interface Bound {
  readonly expr: Expr;
  readonly type: SqlType;
}

// Where aggregates of one query level go: the aggregate operator's output row is the group's
// first input row (inputWidth columns) followed by one value per call.
export class AggregateSlots {
  readonly calls: AggregateCall[] = [];
  private readonly keys: string[] = [];

  constructor(readonly inputWidth: number) {}

  slot(call: AggregateCall): number {
    const key = exprKey(call);
    const known = this.keys.indexOf(key);
    if (known >= 0) return this.inputWidth + known;
    this.keys.push(key);
    this.calls.push(call);
    return this.inputWidth + this.calls.length - 1;
  }
}

// The select binder, which binds a subquery in the scope it appears in.
export interface SubqueryBinder {
  bindSubquery(ast: AstNode, scope: Scope): { readonly query: SelectQuery; readonly correlated: boolean };
  // Where unqualified table names resolve (the request's database, or the node's default):
  // what DATABASE() answers.
  readonly defaultDatabase: string;
  // What LAST_INSERT_ID() answers (read-view.ts); null: no INSERT earlier in the request or
  // transaction generated an id.
  readonly lastInsertId: bigint | null;
}

// What a clause allows: aggregates (SELECT, HAVING, ORDER BY of an aggregating level),
// aliases of the select list that a name may mean when no column has it (HAVING), window
// functions (SELECT and ORDER BY), and with ROLLUP the GROUP BY expressions read from the
// aggregate's group slots.
export interface ClauseContext {
  readonly aggregates: AggregateSlots | null;
  readonly aliases: ReadonlyMap<string, Bound> | null;
  readonly windows?: WindowSlots;
  readonly groups?: RollupGroups;
}

export const plainClause: ClauseContext = { aggregates: null, aliases: null };

// AND, XOR and OR are regrouped first (logical-precedence.ts).
const binaryOperators: Readonly<Record<string, BinaryOperator>> = {
  '=': '=', '<=>': '<=>', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  '+': '+', '-': '-', '*': '*', '%': '%', MOD: '%', DIV: 'DIV',
};

const aggregateFunctions = new Set<string>(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'GROUP_CONCAT']);
// Aggregates the parser reads as plain function calls, by the name they aggregate as (STDDEV is
// MySQL's other name for STDDEV_POP).
const aggregatesCalledAsFunctions = new Map<string, AggregateFunction>([
  ['STDDEV', 'STDDEV_POP'], ['STDDEV_POP', 'STDDEV_POP'], ['STDDEV_SAMP', 'STDDEV_SAMP'], ['VAR_POP', 'VAR_POP'], ['VAR_SAMP', 'VAR_SAMP'],
  ['BIT_AND', 'BIT_AND'], ['BIT_OR', 'BIT_OR'], ['BIT_XOR', 'BIT_XOR'], ['JSON_ARRAYAGG', 'JSON_ARRAYAGG'],
]);

const castTargets: Readonly<Record<string, CastTarget>> = {
  SIGNED: 'SIGNED', 'SIGNED INTEGER': 'SIGNED', INTEGER: 'SIGNED', INT: 'SIGNED',
  UNSIGNED: 'UNSIGNED', 'UNSIGNED INTEGER': 'UNSIGNED',
  DOUBLE: 'DOUBLE', FLOAT: 'DOUBLE', REAL: 'DOUBLE', CHAR: 'CHAR', VARCHAR: 'CHAR', DECIMAL: 'DECIMAL',
  DATE: 'DATE', DATETIME: 'DATETIME', TIME: 'TIME',
};

export class ExpressionBinder {
  paramCount = 0;

  constructor(private readonly subqueries: SubqueryBinder) {}

  // Kept small, as binary() is: a chain of a thousand terms recurses through both once per
  // term, and their frames are what the stack must hold (base/limits.ts, syntaxTreeDepthMax).
  bind(raw: unknown, scope: Scope, clause: ClauseContext): Bound {
    const ast = raw as AstNode;
    const plain = ast['type'] === 'binary_expr' ? this.binary(ast, scope, clause) : this.bindOther(ast, scope, clause);
    const bound = withCollateClause(ast, plain);
    return clause.groups === undefined ? bound : clause.groups.map(bound);
  }

  private bindOther(ast: AstNode, scope: Scope, clause: ClauseContext): Bound {
    const subquery = subqueryOf(ast);
    if (subquery !== null) return this.scalarSubquery(subquery, scope);
    switch (ast['type']) {
      case 'number':
      case 'bigint': {
        // The parser also files `1.5e3` under bigint: numberLiteral tells them apart.
        const value = numberLiteral(ast['value']);
        return { expr: literal(value), type: literalType(value, String(ast['value'])) };
      }
      case 'single_quote_string':
      case 'double_quote_string':
      case 'string':
        return { expr: literal(unescapeString(String(ast['value']))), type: textType };
      // X'4142' and 0x4142: bytes (MySQL's binary string; an odd digit count gains a leading 0).
      case 'hex_string':
      case 'full_hex_string': {
        const digits = String(ast['value']);
        if (!/^[0-9a-fA-F]*$/.test(digits)) throw new TideError('SQL_SYNTAX', `'${digits.slice(0, 40)}' is not a hexadecimal literal`);
        return { expr: literal(Buffer.from(digits.length % 2 === 0 ? digits : `0${digits}`, 'hex')), type: unknownType };
      }
      case 'bool':
        return { expr: literal(Boolean(ast['value'])), type: booleanType };
      case 'null':
        return { expr: literal(null), type: unknownType };
      case 'origin':
        if (ast['value'] === '?') {
          // Bound by its place in the text (syntax.ts numbers each `?`), not by the order the
          // binder meets it in.
          const ordinal = ast['ordinal'];
          const position = typeof ordinal === 'number' ? ordinal : this.paramCount;
          this.paramCount++;
          return { expr: { kind: 'param', position }, type: unknownType };
        }
        throw unsupported(`'${String(ast['value'])}'`);
      case 'param':
        throw unsupported('named parameters (use ?)');
      case 'column_ref':
        return this.columnRef(ast, scope, clause);
      case 'unary_expr':
        return this.unary(ast, scope, clause);
      case 'function':
        return this.functionCall(ast, scope, clause);
      case 'aggr_func':
        return this.aggregate(ast, scope, clause);
      case 'binary_expr':
        return this.binary(ast, scope, clause);
      case 'case':
        return this.caseExpr(ast, scope, clause);
      case 'cast':
        return this.cast(ast, scope, clause);
      // EXTRACT(unit FROM value): the unit's name, then the value (temporal-functions.ts).
      case 'extract': {
        const args = ast['args'] as AstNode;
        const source = this.bind(args['source'], scope, clause);
        return { expr: { kind: 'call', name: 'EXTRACT', args: [literal(String(args['field']).toUpperCase()), source.expr] }, type: exactInteger };
      }
      case 'expr_list': {
        const list = nodes(ast['value']);
        if (list.length === 1) return this.bind(list[0], scope, clause);
        throw unsupported('row values');
      }
      default:
        throw unsupported(`expression ${String(ast['type'])}`);
    }
  }

  private columnRef(ast: AstNode, scope: Scope, clause: ClauseContext): Bound {
    const column = ast['column'];
    if (typeof column === 'string' && ast['table'] === null && exponentLiteral.test(column)) {
      const value = numberLiteral(column);
      return { expr: literal(value), type: doubleType };
    }
    if (column === '*') throw new TideError('SQL_SYNTAX', '* is not an expression here');
    const name = identifier(column, 'column');
    const qualifier = ast['table'] === null || ast['table'] === undefined ? null : identifier(ast['table'], 'table');
    try {
      return scope.resolve(qualifier, name);
    } catch (error) {
      // HAVING may name a select-list alias that no column has (as MySQL allows).
      const alias = qualifier === null ? clause.aliases?.get(name.toLowerCase()) : undefined;
      if (alias !== undefined && error instanceof TideError && error.code === 'COLUMN_NOT_FOUND') return alias;
      throw error;
    }
  }

  private unary(ast: AstNode, scope: Scope, clause: ClauseContext): Bound {
    const operator = String(ast['operator']).toUpperCase();
    if (operator === 'EXISTS' || operator === 'NOT EXISTS') {
      const exists = this.existsSubquery(ast['expr'], scope);
      return operator === 'EXISTS' ? exists : { expr: { kind: 'not', operand: exists.expr }, type: booleanType };
    }
    const operand = this.bind(ast['expr'], scope, clause);
    switch (operator) {
      case '-':
        return { expr: { kind: 'negate', operand: operand.expr }, type: operand.type.kind === 'text' ? doubleType : operand.type.kind === 'boolean' ? exactInteger : operand.type };
      case '+':
        return operand;
      case 'NOT':
      case '!':
        return { expr: { kind: 'not', operand: operand.expr }, type: booleanType };
      case '~':
        return { expr: { kind: 'call', name: 'BIT_NOT', args: [operand.expr] }, type: exactInteger };
      default:
        throw unsupported(`operator ${operator}`);
    }
  }

  // A date function's unit keyword (TIMESTAMPDIFF(DAY, …)) as its name, and `INTERVAL n unit`
  // (DATE_ADD(d, INTERVAL 1 MONTH)) as two arguments, the amount and the unit's name
  // (temporal-functions.ts reads them so); null for any other argument.
  private temporalArgument(ast: AstNode, scope: Scope, clause: ClauseContext, takesUnit = false): Bound[] | null {
    if (takesUnit && ast['type'] === 'origin' && typeof ast['value'] === 'string' && ast['value'] !== '?') return [{ expr: literal(ast['value'].toUpperCase()), type: textType }];
    if (ast['type'] !== 'interval') return null;
    return [this.bind(ast['expr'], scope, clause), { expr: literal(String(ast['unit']).toUpperCase()), type: textType }];
  }

  // `d + INTERVAL n unit`, `INTERVAL n unit + d` and `d - INTERVAL n unit`: DATE_ADD and DATE_SUB.
  private intervalArithmetic(operator: string, ast: AstNode, scope: Scope, clause: ClauseContext): Bound | null {
    const [left, right] = [ast['left'] as AstNode, ast['right'] as AstNode];
    const interval = right['type'] === 'interval' ? right : operator === '+' && left['type'] === 'interval' ? left : null;
    if (interval === null || (operator !== '+' && operator !== '-')) return null;
    const date = this.bind(interval === right ? left : right, scope, clause);
    const args = [date.expr, ...this.temporalArgument(interval, scope, clause)!.map((arg) => arg.expr)];
    return { expr: { kind: 'call', name: operator === '+' ? 'DATE_ADD' : 'DATE_SUB', args }, type: unknownType };
  }

  // LIKE's `ESCAPE 'c'`: one character, or none for `ESCAPE ''` (MySQL: the escape must be
  // constant, and longer than one character it is refused with 1210); absent without the clause.
  private likeEscape(clauseAst: unknown, scope: Scope, clause: ClauseContext): number | null | undefined {
    if (clauseAst === null || clauseAst === undefined) return undefined;
    const bound = this.bind((clauseAst as AstNode)['value'], scope, clause).expr;
    const text = bound.kind === 'literal' && typeof bound.value === 'string' ? bound.value : null;
    const characters = text === null ? [] : [...text];
    if (text === null || characters.length > 1) throw new TideError('ARGUMENTS_INCORRECT', 'ESCAPE takes a string of one character, or none');
    return characters.length === 0 ? null : characters[0]!.codePointAt(0)!;
  }

  private functionCall(ast: AstNode, scope: Scope, clause: ClauseContext): Bound {
    const nameParts = nodes((ast['name'] as AstNode | undefined)?.['name']);
    const written = nameParts.map((part) => String(part['value'])).join('.').toUpperCase();
    const rawArgs = nodes((ast['args'] as AstNode | undefined)?.['value']);
    const name = written === 'POSITION' ? 'LOCATE' : written;
    const argAsts = written === 'TRIM' ? trimArguments(rawArgs) : written === 'POSITION' ? positionArguments(rawArgs) : rawArgs;
    if (name === 'JSON_OBJECTAGG' && (ast['over'] === null || ast['over'] === undefined)) return this.jsonObjectAggregate(argAsts, scope, clause);
    const aggregate = aggregatesCalledAsFunctions.get(name);
    if (aggregate !== undefined && argAsts.length !== 1) throw new TideError('FUNCTION_ARGUMENT_COUNT', `${name}() takes 1 argument`);
    if (ast['over'] !== null && ast['over'] !== undefined) return this.windowCall({ name: aggregate ?? name, args: argAsts, star: false, distinct: false, over: ast['over'] as AstNode }, scope, clause);
    if (aggregate !== undefined) return this.aggregateCall(aggregate, argAsts[0]!, false, scope, clause);
    if (name === 'GROUPING') return this.grouping(argAsts, scope, clause);
    if ((name === 'DATABASE' || name === 'SCHEMA') && argAsts.length === 0) return { expr: { kind: 'literal', value: this.subqueries.defaultDatabase }, type: textType };
    if (name === 'LAST_INSERT_ID' && argAsts.length === 0) return { expr: { kind: 'literal', value: this.lastInsertId() }, type: exactInteger };
    if (name === 'EXISTS' && argAsts.length === 1) return this.existsSubquery(argAsts[0], scope);
    if (name === 'NOT' && argAsts.length === 1) return { expr: { kind: 'not', operand: this.bind(argAsts[0], scope, clause).expr }, type: booleanType };
    // SUM(DISTINCT x) as the text scan rewrote it for the parser (statement-shape.ts).
    if (name.endsWith(distinctAggregateSuffix) && aggregateFunctions.has(name.slice(0, -distinctAggregateSuffix.length)) && argAsts.length === 1) {
      return this.aggregateCall(name.slice(0, -distinctAggregateSuffix.length), argAsts[0]!, true, scope, clause);
    }
    const arity = scalarFunctionArity(name);
    if (arity === undefined) throw unsupported(`function ${name}()`);
    if (!takesArgumentCount(arity, argAsts.length)) {
      const count = arity.min === arity.max ? String(arity.min) : `${arity.min} to ${arity.max === Infinity ? 'any number of' : arity.max}`;
      throw new TideError('FUNCTION_ARGUMENT_COUNT', `${name}() takes ${count} arguments${arity.pairedFrom === undefined ? '' : arity.pairedFrom === 0 ? ', in pairs' : `, in pairs after the first ${arity.pairedFrom}`}`);
    }
    const args = unifiedArguments(name, argAsts.flatMap((arg) => this.temporalArgument(arg, scope, clause, name === 'TIMESTAMPDIFF') ?? [this.bind(arg, scope, clause)]));
    const argTypes = args.map((arg) => arg.type);
    const type = (textFunctions.has(name) ? collatedTextResult(name.toLowerCase(), argTypes) : null) ?? functionType(name, argTypes);
    return { expr: { kind: 'call', name, args: args.map((arg) => arg.expr) }, type };
  }

  // A request (or a transaction) is the session LAST_INSERT_ID() knows: an id generated before
  // it, by another request or an earlier autocommit statement of a MySQL session, is not known
  // here, and answering 0 for it would be silently wrong.
  private lastInsertId(): bigint {
    const id = this.subqueries.lastInsertId;
    if (id === null) throw new TideError('SQL_UNSUPPORTED', 'LAST_INSERT_ID() answers here only after an INSERT earlier in the same request or transaction that generated an AUTO_INCREMENT id, and none did');
    return id;
  }

  private aggregate(ast: AstNode, scope: Scope, clause: ClauseContext): Bound {
    const fn = String(ast['name']).toUpperCase();
    if (!aggregateFunctions.has(fn)) throw unsupported(`aggregate ${fn}()`);
    const args = ast['args'] as AstNode;
    const concatClauses = (args['orderby'] ?? null) !== null || (args['separator'] ?? null) !== null;
    if (ast['over'] !== null && ast['over'] !== undefined) {
      if (concatClauses) throw unsupported('GROUP_CONCAT with ORDER BY or SEPARATOR over a window');
      const argAst = args['expr'] as AstNode;
      return this.windowCall({ name: fn, args: [argAst], star: argAst['type'] === 'star', distinct: args['distinct'] === 'DISTINCT', over: ast['over'] as AstNode }, scope, clause);
    }
    const concat = fn === 'GROUP_CONCAT' && concatClauses ? this.concatClauses(args, scope) : {};
    return this.aggregateCall(fn, args['expr'] as AstNode, args['distinct'] === 'DISTINCT', scope, clause, concat);
  }

  // GROUP_CONCAT's ORDER BY terms, read per input row as its argument is, and its SEPARATOR, a
  // string literal. A number in its ORDER BY is a position among MySQL's GROUP_CONCAT arguments,
  // which TideDB takes one of: refused rather than read as a constant.
  private concatClauses(args: AstNode, scope: Scope): Pick<AggregateCall, 'order' | 'separator'> {
    const separatorAst = (args['separator'] as AstNode | null | undefined)?.['value'] as AstNode | undefined;
    let separator: string | undefined;
    if (separatorAst !== undefined) {
      if (separatorAst['type'] !== 'single_quote_string' && separatorAst['type'] !== 'double_quote_string' && separatorAst['type'] !== 'string') throw new TideError('SQL_SYNTAX', 'GROUP_CONCAT … SEPARATOR takes a string literal');
      separator = unescapeString(String(separatorAst['value']));
    }
    const order = nodes(args['orderby']).map((term): OrderTerm => {
      const expr = term['expr'] as AstNode;
      if (expr['type'] === 'number') throw unsupported('GROUP_CONCAT … ORDER BY a position');
      const bound = this.bind(expr, scope, plainClause);
      const collation = ownCollation(bound.type);
      return { expr: bound.expr, descending: String(term['type'] ?? '').toUpperCase() === 'DESC', ...collationField(collation) };
    });
    return { ...(order.length === 0 ? {} : { order }), ...(separator === undefined ? {} : { separator }) };
  }

  // A window function's arguments, PARTITION BY and ORDER BY are read per row of the level
  // (after its aggregation: they may hold aggregates), and hold no window function.
  private windowCall(syntax: WindowCallSyntax, scope: Scope, clause: ClauseContext): Bound {
    const windows = clause.windows;
    if (windows === undefined) throw new TideError('WINDOW_FUNCTION_MISPLACED', `the window function ${syntax.name}() is allowed only in the select list and ORDER BY, and not inside another window function`);
    const { windows: _, ...inner } = clause;
    return bindWindowCall(syntax, windows, (ast) => this.bind(ast, scope, inner), aggregateType);
  }

  private grouping(argAsts: readonly AstNode[], scope: Scope, clause: ClauseContext): Bound {
    if (clause.groups === undefined || clause.aggregates === null) throw new TideError('SQL_SYNTAX', 'GROUPING() is allowed only with GROUP BY … WITH ROLLUP, in the select list, HAVING and ORDER BY');
    if (argAsts.length !== 1) throw unsupported('GROUPING() of several expressions');
    return { expr: clause.groups.grouping(this.bind(argAsts[0], scope, plainClause).expr), type: exactInteger };
  }

  private aggregateCall(fn: string, argAst: AstNode, distinct: boolean, scope: Scope, clause: ClauseContext, concat: Pick<AggregateCall, 'order' | 'separator'> = {}): Bound {
    if (clause.aggregates === null) throw new TideError('SQL_SYNTAX', `${fn}() is not allowed here (aggregates belong in the select list, HAVING or ORDER BY)`);
    const star = argAst['type'] === 'star';
    if (star && fn !== 'COUNT') throw new TideError('SQL_SYNTAX', `${fn}(*) is not valid`);
    if (argAst['type'] === 'expr_list') return this.countDistinctRows(fn, argAst, distinct, scope, clause);
    // An aggregate's argument is read per input row: no aggregate inside another.
    const arg = star ? null : this.bind(argAst, scope, plainClause);
    const argScale = arg === null ? null : exactScale(arg.type);
    const scale = fn === 'AVG' && argScale !== null ? argScale + 4 : null;
    const collation = arg === null ? undefined : ownCollation(arg.type);
    const position = clause.aggregates.slot({ fn: fn as AggregateFunction, arg: arg?.expr ?? null, distinct, scale, ...collationField(collation), ...concat });
    return { expr: { kind: 'column', position }, type: aggregateType(fn, arg?.type ?? exactInteger) };
  }

  // JSON_OBJECTAGG(key, value): the key is the call's argument, the value read beside it.
  private jsonObjectAggregate(argAsts: readonly AstNode[], scope: Scope, clause: ClauseContext): Bound {
    if (argAsts.length !== 2) throw new TideError('FUNCTION_ARGUMENT_COUNT', 'JSON_OBJECTAGG() takes 2 arguments');
    if (clause.aggregates === null) throw new TideError('SQL_SYNTAX', 'JSON_OBJECTAGG() is not allowed here (aggregates belong in the select list, HAVING or ORDER BY)');
    const [key, value] = argAsts.map((ast) => this.bind(ast, scope, plainClause));
    const position = clause.aggregates.slot({ fn: 'JSON_OBJECTAGG', arg: key!.expr, distinct: false, scale: null, value: value!.expr });
    return { expr: { kind: 'column', position }, type: unknownType };
  }

  // COUNT(DISTINCT a, b, …): the rows whose values are all non-NULL, counted once per distinct
  // combination (each value compared under its collation). Other aggregates take one argument.
  private countDistinctRows(fn: string, listAst: AstNode, distinct: boolean, scope: Scope, clause: ClauseContext): Bound {
    if (fn !== 'COUNT' || !distinct) throw unsupported(`${fn}() of several expressions`);
    const keys = nodes(listAst['value']).map((ast) => {
      const bound = this.bind(ast, scope, plainClause);
      return collatedKeyExpr(bound.expr, ownCollation(bound.type));
    });
    const position = clause.aggregates!.slot({ fn: 'COUNT', arg: { kind: 'call', name: distinctRowKeyCall, args: keys }, distinct: true, scale: null });
    return { expr: { kind: 'column', position }, type: exactInteger };
  }

  // `leadingNotSought`: the caller already looked for a leading NOT call along a left spine
  // this node is on, unparenthesized, so this node's spine (a part of it) has none. Looking
  // again at every node of a left-deep chain (`1+1+…+1`) would walk it once per term.
  private binary(ast: AstNode, scope: Scope, clause: ClauseContext, leadingNotSought = false): Bound {
    if (logicalOperatorOf(ast) !== null) return this.bindLogical(regroupLogical(ast), scope, clause);
    const negated = leadingNotSought ? null : withoutLeadingNot(ast);
    if (negated !== null) return { expr: { kind: 'not', operand: this.bind(negated, scope, clause).expr }, type: booleanType };
    const operator = String(ast['operator']).toUpperCase();
    const shifted = this.intervalArithmetic(operator, ast, scope, clause);
    if (shifted !== null) return shifted;
    const mapped = binaryOperators[operator];
    if (mapped === undefined) return this.specialBinary(operator, ast, scope, clause);
    const left = ast['left'] as AstNode;
    const leftBound = left['type'] === 'binary_expr' && left['parentheses'] !== true ? this.binary(left, scope, clause, true) : this.bind(left, scope, clause);
    const rightBound = this.bind(ast['right'], scope, clause);
    const bound = binaryBound(mapped, leftBound, rightBound);
    // A left operand bound here, not through bind(), is a GROUP BY expression too (ROLLUP).
    return clause.groups === undefined ? bound : clause.groups.map(bound);
  }

  // A chain of AND/XOR/OR regrouped by MySQL's precedence, bound left-deep per group.
  bindLogical(node: LogicalGroup | AstNode, scope: Scope, clause: ClauseContext): Bound {
    if (!isLogicalGroup(node)) return this.bind(node, scope, clause);
    let expr: Expr | null = null;
    for (const part of node.parts) {
      const bound = this.bindLogical(part, scope, clause).expr;
      expr = expr === null ? bound : { kind: 'binary', operator: node.operator, left: expr, right: bound };
    }
    return { expr: expr!, type: booleanType };
  }

  private specialBinary(operator: string, ast: AstNode, scope: Scope, clause: ClauseContext): Bound {
    const left = () => this.bind(ast['left'], scope, clause);
    switch (operator) {
      case 'IS':
      case 'IS NOT':
        return this.isTest(left(), ast['right'] as AstNode, operator === 'IS NOT');
      case 'IN':
      case 'NOT IN':
        return this.inTest(left(), ast['right'] as AstNode, operator === 'NOT IN', scope, clause);
      case 'BETWEEN':
      case 'NOT BETWEEN': {
        const operand = left();
        const [lowAst, highAst] = nodes((ast['right'] as AstNode)['value']);
        const low = this.bind(lowAst, scope, clause);
        const high = this.bind(highAst, scope, clause);
        const collation = comparisonCollation('between', [operand.type, low.type, high.type]);
        return { expr: { kind: 'between', operand: operand.expr, low: low.expr, high: high.expr, negated: operator === 'NOT BETWEEN', ...collationField(collation) }, type: booleanType };
      }
      case 'LIKE':
      case 'NOT LIKE': {
        const operand = left();
        const pattern = this.bind(ast['right'], scope, clause);
        const collation = comparisonCollation('like', [operand.type, pattern.type]);
        const escape = this.likeEscape((ast['right'] as AstNode)['escape'], scope, clause);
        return { expr: { kind: 'like', operand: operand.expr, pattern: pattern.expr, negated: operator === 'NOT LIKE', ...collationField(collation), ...(escape === undefined ? {} : { escape }) }, type: booleanType };
      }
      // `j->'$.a'` is JSON_EXTRACT(j, '$.a'); `j->>'$.a'` is JSON_UNQUOTE of it, as in MySQL.
      case '->':
      case '->>': {
        const extract: Expr = { kind: 'call', name: 'JSON_EXTRACT', args: [left().expr, this.bind(ast['right'], scope, clause).expr] };
        return operator === '->' ? { expr: extract, type: unknownType } : { expr: { kind: 'call', name: 'JSON_UNQUOTE', args: [extract] }, type: textType };
      }
      case '/': {
        const dividend = left();
        const divisor = this.bind(ast['right'], scope, clause);
        const scale = divisionScale(dividend.type, divisor.type);
        // Neither operand of unknown type (a parameter, a JSON value): the quotient is a double's.
        const double = scale === null && dividend.type.kind !== 'unknown' && divisor.type.kind !== 'unknown' ? { double: true as const } : {};
        return { expr: { kind: 'divide', left: asOperand(dividend.expr), right: asOperand(divisor.expr), scale, ...double }, type: scale === null ? doubleType : { kind: 'exact', scale } };
      }
    }
    throw unsupported(`operator ${operator}`);
  }

  private isTest(operand: Bound, right: AstNode, negated: boolean): Bound {
    if (right['type'] === 'null') return { expr: { kind: 'is_null', operand: operand.expr, negated }, type: booleanType };
    if (right['type'] === 'bool') {
      // IS TRUE / IS FALSE never yield NULL: a NULL operand is neither.
      const name = right['value'] === true ? 'IS_TRUE' : 'IS_FALSE';
      const test: Expr = { kind: 'call', name, args: [operand.expr] };
      return { expr: negated ? { kind: 'not', operand: test } : test, type: booleanType };
    }
    throw unsupported(`IS ${String(right['type'])}`);
  }

  private inTest(operand: Bound, right: AstNode, negated: boolean, scope: Scope, clause: ClauseContext): Bound {
    if (right['type'] !== 'expr_list') throw unsupported('this IN');
    const items = nodes(right['value']);
    const subquery = items.length === 1 ? subqueryOf(items[0]) : null;
    if (subquery !== null) {
      const { query, correlated } = this.subqueries.bindSubquery(subquery, scope);
      if (query.columns.length !== 1) throw new TideError('SQL_SYNTAX', 'the subquery of IN returns one column');
      // The subquery's column is typed by the table column it reads unchanged, if it does.
      const origin = query.origins?.[0]?.column;
      const itemType = origin === undefined ? unknownType : columnSqlType(origin.type, origin.scale, origin.collation);
      const collation = comparisonCollation('in', [operand.type, itemType]);
      return { expr: { kind: 'in_subquery', operand: operand.expr, query, correlated, negated, ...collationField(collation) }, type: booleanType };
    }
    const list = items.map((item) => this.bind(item, scope, clause));
    const collation = comparisonCollation('in', [operand.type, ...list.map((item) => item.type)]);
    return { expr: { kind: 'in_list', operand: operand.expr, list: list.map((item) => item.expr), negated, ...collationField(collation) }, type: booleanType };
  }

  private caseExpr(ast: AstNode, scope: Scope, clause: ClauseContext): Bound {
    const operand = ast['expr'] === null || ast['expr'] === undefined ? null : this.bind(ast['expr'], scope, clause);
    const whens: { when: Expr; then: Expr }[] = [];
    let otherwise: Expr | null = null;
    const resultTypes: SqlType[] = [];
    const whenTypes: SqlType[] = [];
    for (const arm of nodes(ast['args'])) {
      const result = this.bind(arm['result'], scope, clause);
      resultTypes.push(result.type);
      if (arm['type'] === 'else') {
        otherwise = result.expr;
        continue;
      }
      const when = this.bind(arm['cond'], scope, clause);
      whenTypes.push(when.type);
      whens.push({ when: when.expr, then: result.expr });
    }
    const collation = operand === null ? undefined : comparisonCollation('case', [operand.type, ...whenTypes]);
    const unify = unifiedResults(resultTypes);
    if (unify !== null) {
      // Each result made the result's type (see unifiedResults): THEN arms first, ELSE last.
      const thens = whens.map(({ when, then }, at) => ({ when, then: unify.convert(then, resultTypes[at]!) }));
      const converted = otherwise === null ? null : unify.convert(otherwise, resultTypes.at(-1)!);
      return { expr: { kind: 'case', operand: operand?.expr ?? null, whens: thens, otherwise: converted, ...collationField(collation) }, type: unify.type };
    }
    return { expr: { kind: 'case', operand: operand?.expr ?? null, whens, otherwise, ...collationField(collation) }, type: commonType(resultTypes) };
  }

  private cast(ast: AstNode, scope: Scope, clause: ClauseContext): Bound {
    const operand = this.bind(ast['expr'], scope, clause).expr;
    const [target] = nodes(ast['target']);
    const typeName = String(target?.['dataType'] ?? '').toUpperCase();
    const mapped = castTargets[typeName];
    if (mapped === undefined) throw unsupported(`CAST to ${typeName}`);
    if (mapped === 'DECIMAL') {
      // MySQL's DECIMAL(M,D), (M) and plain DECIMAL: (10,0) unless given.
      const decimal = checkDecimalType(Number(target?.['length'] ?? 10), Number(target?.['scale'] ?? 0));
      return { expr: { kind: 'cast', operand, target: mapped, decimal }, type: { kind: 'exact', scale: decimal.scale } };
    }
    if (mapped === 'DATE' || mapped === 'DATETIME' || mapped === 'TIME') {
      const fsp = mapped === 'DATE' ? 0 : Number(target?.['length'] ?? 0);
      if (!Number.isInteger(fsp) || fsp < 0 || fsp > 6) throw new TideError('SQL_SYNTAX', `${mapped}(${fsp}) takes 0 to 6 fractional digits`);
      return { expr: { kind: 'cast', operand, target: mapped, fsp }, type: unknownType };
    }
    const type: SqlType = mapped === 'SIGNED' || mapped === 'UNSIGNED' ? exactInteger : mapped === 'CHAR' ? textType : doubleType;
    return { expr: { kind: 'cast', operand, target: mapped }, type };
  }

  private scalarSubquery(ast: AstNode, scope: Scope): Bound {
    const { query, correlated } = this.subqueries.bindSubquery(ast, scope);
    if (query.columns.length !== 1) throw new TideError('SQL_SYNTAX', 'a subquery used as a value returns one column');
    return { expr: { kind: 'subquery', mode: 'scalar', query, correlated }, type: unknownType };
  }

  private existsSubquery(raw: unknown, scope: Scope): Bound {
    const ast = subqueryOf(raw) ?? subqueryOf(nodes((raw as AstNode)['value'])[0]);
    if (ast === null) throw new TideError('SQL_SYNTAX', 'EXISTS needs a subquery');
    const { query, correlated } = this.subqueries.bindSubquery(ast, scope);
    return { expr: { kind: 'subquery', mode: 'exists', query, correlated }, type: booleanType };
  }
}

function binaryBound(operator: BinaryOperator, left: Bound, right: Bound): Bound {
  if (operator === '+' || operator === '-' || operator === '*' || operator === '%' || operator === 'DIV') {
    const type = operator === 'DIV' ? exactInteger : arithmeticType(operator, left.type, right.type);
    const round = type.kind === 'exact' && type.scale > 0 ? { round: type.scale } : type.kind === 'double' ? { double: true as const } : {};
    const expr: Expr = { kind: 'binary', operator, left: asOperand(left.expr), right: asOperand(right.expr), ...round };
    return { expr, type };
  }
  const collation = comparisonCollation(operator, [left.type, right.type]);
  return { expr: { kind: 'binary', operator, left: left.expr, right: right.expr, ...collationField(collation) }, type: booleanType };
}

// An arithmetic expression as the operand of more arithmetic: not rounded to its scale there,
// only at the root (MySQL computes 0.1 + 0.2 = 0.3 and 1/3*3 = 1 exactly, and TideDB in doubles).
function asOperand(expr: Expr): Expr {
  if (expr.kind === 'divide' && expr.intermediate !== true) return { ...expr, intermediate: true };
  if (expr.kind === 'binary' && expr.round !== undefined) {
    const { round: _rounded, ...operand } = expr;
    return operand;
  }
  return expr;
}

function literal(value: Value): Expr {
  return { kind: 'literal', value };
}

// A literal with a point is a DECIMAL in MySQL (kept as a double here, with its scale); one
// with an exponent is a DOUBLE.
function literalType(value: Value, text: string): SqlType {
  if (typeof value === 'bigint') return exactInteger;
  return /[eE]/.test(text) ? doubleType : { kind: 'exact', scale: literalScale(text) };
}

export function aggregateType(fn: string, arg: SqlType): SqlType {
  switch (fn) {
    case 'COUNT':
      return exactInteger;
    case 'AVG': {
      const scale = exactScale(arg);
      return scale === null ? doubleType : { kind: 'exact', scale: scale + 4 };
    }
    case 'GROUP_CONCAT':
      return textType;
    case 'STDDEV_POP':
    case 'STDDEV_SAMP':
    case 'VAR_POP':
    case 'VAR_SAMP':
      return doubleType;
    case 'BIT_AND':
    case 'BIT_OR':
    case 'BIT_XOR':
      return exactInteger;
    case 'JSON_ARRAYAGG':
    case 'JSON_OBJECTAGG':
      return unknownType;
    default:
      return arg.kind === 'text' && fn === 'SUM' ? doubleType : arg;
  }
}

// COALESCE, IFNULL, IF and CASE make their results one type (unifiedResults): these are the
// arguments that give the result.
const resultArguments: Readonly<Record<string, (count: number) => readonly number[]>> = {
  COALESCE: (count) => Array.from({ length: count }, (_, at) => at),
  IFNULL: () => [0, 1],
  IF: () => [1, 2],
};

function unifiedArguments(name: string, args: readonly Bound[]): readonly Bound[] {
  const results = resultArguments[name]?.(args.length);
  if (results === undefined) return args;
  const unify = unifiedResults(results.map((at) => args[at]!.type));
  if (unify === null) return args;
  return args.map((arg, at) => (results.includes(at) ? { expr: unify.convert(arg.expr, arg.type), type: unify.type } : arg));
}

// How each result of COALESCE, IFNULL, IF or CASE is made the result's type, or null when they
// already agree: over text and numbers, text, as in MySQL, so that a comparison, ORDER BY, MIN
// and MAX over them see strings ('2' after 'Apple'), not a number here and a string there; over
// exact numbers of which one has a fraction (a DECIMAL column beside 0.00), a DECIMAL of the
// largest scale, since a decimal literal's value is a double here and a client would be sent the
// column as a DOUBLE, its digits rounded.
function unifiedResults(types: readonly SqlType[]): { readonly type: SqlType; convert(expr: Expr, from: SqlType): Expr } | null {
  const known = types.filter((type) => type.kind !== 'unknown');
  if (known.some((type) => type.kind === 'text') && known.some((type) => type.kind !== 'text')) {
    return { type: textType, convert: (expr, from) => convertedTo(expr, from, textType) };
  }
  if (known.length === 0 || !known.every((type) => type.kind === 'exact' || type.kind === 'boolean')) return null;
  const scale = Math.max(...known.map((type) => (type.kind === 'exact' ? type.scale : 0)));
  if (scale === 0) return null;
  return { type: { kind: 'exact', scale }, convert: (expr, from) => (from.kind === 'unknown' ? expr : widened(expr, scale)) };
}

// The type of a result that is one of several (CASE arms, COALESCE): exact when all are.
function commonType(types: readonly SqlType[]): SqlType {
  const known = types.filter((type) => type.kind !== 'unknown');
  if (known.length === 0) return unknownType;
  if (known.every((type) => exactScale(type) !== null)) return { kind: 'exact', scale: Math.max(...known.map((type) => exactScale(type)!)) };
  if (known.every((type) => type.kind === 'text')) return textType;
  if (known.every((type) => type.kind !== 'text')) return doubleType;
  return unknownType;
}

// Functions whose result is text made of their text arguments: it carries their collation.
const textFunctions: ReadonlySet<string> = new Set(['UPPER', 'UCASE', 'LOWER', 'LCASE', 'CONCAT', 'CONCAT_WS', 'SUBSTRING', 'SUBSTR', 'MID', 'LEFT', 'RIGHT', 'TRIM', 'LTRIM', 'RTRIM', 'REVERSE', 'REPEAT', 'LPAD', 'RPAD', 'REPLACE', 'SUBSTRING_INDEX', 'INSERT', 'ELT', 'QUOTE']);

function functionType(name: string, args: readonly SqlType[]): SqlType {
  switch (name) {
    case 'COALESCE':
    case 'IFNULL':
    case 'GREATEST':
    case 'LEAST':
      return commonType(args);
    case 'IF':
      return commonType(args.slice(1));
    case 'NULLIF':
    case 'ABS':
      return args[0] ?? unknownType;
    default:
      return unknownType;
  }
}

// A stable text of a bound value, for telling equal aggregate calls apart.
export function exprKey(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${item}n` : item));
}

// `x COLLATE name` (collation-rules.ts): the parser puts the clause on the node it follows.
function withCollateClause(ast: AstNode, bound: Bound): Bound {
  const clause = (ast['collate'] ?? (ast['suffix'] as AstNode | null | undefined)?.['collate']) as AstNode | null | undefined;
  const name = (clause?.['collate'] as AstNode | undefined)?.['name'];
  return typeof name === 'string' ? explicitlyCollated(bound, collationFromName(name), name) : bound;
}
