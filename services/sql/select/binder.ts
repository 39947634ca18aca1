// SELECT syntax tree → SelectQuery (a bound logical plan). The only SELECT code that reads
// node-sql-parser's tree. Per query level it binds, in MySQL's order of visibility: FROM (the
// scope), WHERE, GROUP BY, the select list, HAVING, ORDER BY, LIMIT; then builds
//   joins → filter → aggregate → filter (HAVING) → project (+ sort keys) → distinct → sort/limit
// and a last project that drops the sort keys the select list does not show.
import { TideError } from '../../base/errors.js';
import type { TableDef, ViewDef } from '../../storage/types.js';
import { isVisible, qualifiedName } from '../../storage/types.js';
import { identifier, nodes, subqueryOf, unsupported } from '../ast-reading.js';
import { expressionText, parseSql } from '../parser.js';
import type { AstNode } from '../parser.js';
import type { Expr, OrderTerm } from '../plan.js';
import type { ReadView } from '../read-view.js';
import { AggregateSlots, ExpressionBinder, plainClause } from './expression-binder.js';
import type { Bound, ClauseContext, SubqueryBinder } from './expression-binder.js';
import { conjunction } from './expr-walk.js';
import { inKeyOrder } from './index-order.js';
import { planInnerJoins } from './join-order.js';
import { isLogicalGroup, logicalOperatorOf, regroupLogical, withoutLeadingNot } from './logical-precedence.js';
import type { Conjunct, JoinStep } from './join-planner.js';
import type { ColumnOrigin, JoinType, LogicalPlan, SelectQuery } from './logical-plan.js';
import { namedRelation } from './named-relation.js';
import { RollupGroups } from './rollup-groups.js';
import { Scope } from './scope.js';
import type { ScopeColumn } from './scope.js';
import { columnSqlType, unknownType } from './sql-type.js';
import type { SqlType } from './sql-type.js';
import { placeWindowSlots, readsWindowSlot, WindowSlots } from './window-binder.js';
import { CommonTables } from './common-tables.js';
import type { TypedQuery } from './common-tables.js';
import { aggregatedType, columnExprs, convertedColumns, convertedTo } from './set-operation-types.js';
import { collatedKeyExpr, collatedTextResult, collationField, comparisonCollation, ownCollation } from './collation-rules.js';
import { isTextType } from '../ddl/collation-syntax.js';
import type { CaseInsensitive } from './collation-rules.js';

// Which result columns read a table's column as it is. A column of a rollup's group reads NULL
// in super-aggregate rows; any column may read NULL once the FROM has an outer join.
function columnOrigins(outputs: readonly OutputItem[], scope: Scope, inputWidth: number, from: readonly JoinStep[] | null, rollup: boolean): (ColumnOrigin | null)[] {
  const outerJoin = from?.some((step) => step.type !== 'inner') === true;
  return outputs.map(({ bound }) => {
    if (bound.expr.kind !== 'column' || bound.expr.position >= inputWidth) return null;
    const origin = scope.columnAt(bound.expr.position)?.origin;
    if (origin === undefined) return null;
    return { ...origin, nullable: origin.column.nullable || outerJoin || rollup };
  });
}

const joinTypes: Readonly<Record<string, JoinType>> = {
  JOIN: 'inner', 'INNER JOIN': 'inner', 'CROSS JOIN': 'inner', STRAIGHT_JOIN: 'inner',
  'LEFT JOIN': 'left', 'LEFT OUTER JOIN': 'left', 'RIGHT JOIN': 'right', 'RIGHT OUTER JOIN': 'right',
};

interface OutputItem {
  readonly name: string;
  readonly bound: Bound;
  readonly ast: AstNode | null;
}

export class SelectBinder implements SubqueryBinder {
  readonly expressions = new ExpressionBinder(this);
  private readonly commonTables = new CommonTables();

  // `expanding`: the views (`db.name`) whose SELECT this binder is binding, outermost first, so
  // that a view reading itself is found instead of recursing.
  constructor(private readonly view: ReadView, readonly defaultDatabase: string, private readonly expanding: readonly string[] = []) {}

  get lastInsertId(): bigint | null {
    return this.view.lastInsertId ?? null;
  }

  bindSubquery(ast: AstNode, scope: Scope): { query: SelectQuery; correlated: boolean } {
    const inner = new Scope(scope);
    const query = this.bindSelect(ast, inner);
    return { query, correlated: inner.correlated };
  }

  // A whole SELECT, WITH and UNION chain included; `scope` is the new level's (empty) scope.
  bindSelect(ast: AstNode, scope: Scope): SelectQuery {
    return this.bindTypedSelect(ast, scope).query;
  }

  // bindSelect, with the static type of each result column.
  bindTypedSelect(ast: AstNode, scope: Scope): TypedQuery {
    if ((ast['with'] ?? null) !== null) return this.commonTables.within(ast['with'], scope, this, () => this.bindTypedSelect({ ...ast, with: null }, scope));
    if (ast['_next'] === null || ast['_next'] === undefined) return this.bindLevel(ast, scope, true);
    return this.bindUnion(ast, scope);
  }

  // UNION [ALL], INTERSECT [ALL] and EXCEPT [ALL], left to right, INTERSECT binding tighter (as in MySQL
  // 8 and MariaDB). UNION, INTERSECT and EXCEPT remove duplicates, UNION ALL keeps them. A
  // parenthesized SELECT keeps its own ORDER BY and LIMIT; the parser hangs those of the whole
  // on the last SELECT when it is not parenthesized.
  private bindUnion(ast: AstNode, scope: Scope): TypedQuery {
    const parts: AstNode[] = [];
    const operators: string[] = [];
    for (let part: AstNode | null = ast; part !== null; part = (part['_next'] as AstNode | null | undefined) ?? null) {
      parts.push(part);
      const op = part['set_op'];
      if (typeof op === 'string' && part['_next'] !== null && part['_next'] !== undefined) {
        const name = op.toLowerCase();
        if (!['union', 'union all', 'union distinct', 'intersect', 'intersect all', 'except', 'except all'].includes(name)) throw unsupported(op.toUpperCase());
        operators.push(name === 'union distinct' ? 'union' : name);
      }
    }
    const last = parts.at(-1)!;
    const whole = isParenthesized(last) ? null : last;
    const partScopes = parts.map(() => new Scope(scope.outer));
    const levels = parts.map((part, at) => {
      if (part === whole) return this.bindLevel({ ...part, orderby: null, limit: null }, partScopes[at]!, false);
      // MySQL's 1221: an unparenthesized SELECT before the last one has no ORDER BY or LIMIT.
      if (!isParenthesized(part) && (hasClause(part['orderby']) || hasClause(part['limit']))) throw new TideError('SQL_SYNTAX', 'ORDER BY or LIMIT of a SELECT in a UNION, INTERSECT or EXCEPT needs parentheses around it');
      return this.bindLevel(part, partScopes[at]!, true);
    });
    // A part that reads an enclosing query's row makes the whole set operation depend on it.
    if (partScopes.some((part) => part.correlated)) scope.correlated = true;
    const width = levels[0]!.query.columns.length;
    if (levels.some((level) => level.query.columns.length !== width)) throw new TideError('SQL_SYNTAX', 'the SELECTs of a UNION, INTERSECT or EXCEPT return the same number of columns');
    // Each part's values are converted to the type its column aggregates to, before they are
    // compared (set-operation-types.ts).
    const unified = levels[0]!.types.map((_, at) => aggregatedType(levels.map((level) => level.types[at]!)));
    const plans = levels.map((level) => convertedColumns(level.query.plan, columnExprs(width, (expr, at) => convertedTo(expr, level.types[at]!, unified[at]!))));
    // A result column is of the collation its SELECTs' columns aggregate to (MySQL's rule).
    const collated = unified.map((_, at) => collatedTextResult('union', levels.map((level) => originType(level.query.origins?.[at]))));
    const types = unified.map((type, at) => collated[at] ?? type);
    const plan = combineSets(plans, operators, width, distinctCollations(types));
    const columns = levels[0]!.query.columns;
    // ORDER BY of a union names its result columns (by name or position).
    const resultScope = new Scope(scope.outer);
    resultScope.add('', null, columns.map((name, at) => column(name, types[at]!)));
    const outputs = columns.map((name, at): OutputItem => ({ name, bound: { expr: { kind: 'column', position: at }, type: types[at]! }, ast: null }));
    const { keys, extra } = this.orderBy(nodes(whole?.['orderby']), outputs, resultScope, plainClause);
    if (extra.length > 0) throw new TideError('SQL_SYNTAX', 'ORDER BY of a UNION names its result columns');
    const { limit, offset } = this.limit(whole?.['limit']);
    return { query: { plan: ordered(plan, keys, limit, offset), columns }, types };
  }

  private bindLevel(ast: AstNode, scope: Scope, ordered_: boolean): TypedQuery {
    if ((ast['with'] ?? null) !== null) throw unsupported('WITH inside a UNION part');
    const from = this.bindFrom(nodes(ast['from']), scope);
    const where = ast['where'] === null || ast['where'] === undefined ? [] : this.bindConjuncts(ast['where'], scope);
    const inputWidth = scope.width;
    const columnAsts = nodes(ast['columns']);
    const { groupBy, rollup } = this.groupBy(ast['groupby'], columnAsts, scope);
    const groups = rollup ? new RollupGroups(groupBy, inputWidth) : null;
    const slots = new AggregateSlots(inputWidth + (groups?.slotCount ?? 0));
    const windows = new WindowSlots(ast['window']);
    const grouped = groups === null ? {} : { groups };
    const aggregating: ClauseContext = { aggregates: slots, aliases: null, windows, ...grouped };
    const outputs = this.selectList(columnAsts, scope, aggregating);
    const aliases = new Map(outputs.map((output) => [output.name.toLowerCase(), output.bound] as const));
    const having = ast['having'] === null || ast['having'] === undefined ? null : this.expressions.bind(ast['having'], scope, { aggregates: slots, aliases, ...grouped }).expr;
    if (having !== null && readsWindowSlot(having)) throw new TideError('WINDOW_FUNCTION_MISPLACED', 'HAVING cannot read a window function');
    const order = ordered_ ? this.orderBy(nodes(ast['orderby']), outputs, scope, aggregating) : { keys: [], extra: [] };
    const { limit, offset } = ordered_ ? this.limit(ast['limit']) : { limit: null, offset: null };

    let plan = from === null ? ({ kind: 'single_row' } as LogicalPlan) : planInnerJoins(from, where);
    const fromless = conjunction(where.map((conjunct) => conjunct.expr));
    if (from === null && fromless !== null) plan = { kind: 'filter', input: plan, predicate: fromless };
    const aggregated = groupBy.length > 0 || slots.calls.length > 0;
    if (aggregated) plan = { kind: 'aggregate', input: plan, inputWidth, groupBy, aggregates: slots.calls, rollup };
    if (having !== null) plan = { kind: 'filter', input: plan, predicate: having };
    // Window functions see the level's rows after grouping and HAVING; their values follow
    // the row (placeholders moved there, window-binder.ts).
    let place = (expr: Expr): Expr => expr;
    if (windows.calls.length > 0) {
      const rowWidth = aggregated ? slots.inputWidth + slots.calls.length : inputWidth;
      plan = { kind: 'window', input: plan, calls: windows.calls };
      place = (expr) => placeWindowSlots(expr, rowWidth);
    }
    const width = outputs.length;
    plan = { kind: 'project', input: plan, exprs: [...outputs.map((output) => output.bound.expr), ...order.extra].map(place) };
    if (ast['distinct'] === 'DISTINCT') plan = { kind: 'distinct', input: plan, width, ...distinctCollations(outputs.map((output) => output.bound.type)) };
    plan = inKeyOrder(ordered(plan, order.keys, limit, offset));
    if (order.extra.length > 0) plan = { kind: 'project', input: plan, exprs: outputs.map((_, at) => ({ kind: 'column', position: at })) };
    const query: SelectQuery = { plan, columns: outputs.map((output) => output.name), origins: columnOrigins(outputs, scope, inputWidth, from, rollup) };
    return { query, types: outputs.map((output) => output.bound.type) };
  }

  // --- FROM -----------------------------------------------------------------------------------

  // The joined rows of a multi-table UPDATE or DELETE, planned as a SELECT's FROM and WHERE:
  // each row holds every relation's columns at the positions `scope` gives. `between` binds
  // what the text has between FROM and WHERE (UPDATE's SET), so that `?` keep the text's order.
  bindJoinedRows(items: readonly AstNode[], where: unknown, scope: Scope, between: () => void): LogicalPlan {
    const steps = this.bindFrom(items, scope);
    if (steps === null) throw new TideError('SQL_SYNTAX', 'the statement needs a table');
    between();
    return planInnerJoins(steps, where === null || where === undefined ? [] : this.bindConjuncts(where, scope));
  }

  private bindFrom(items: readonly AstNode[], scope: Scope): JoinStep[] | null {
    if (items.length === 0) return null;
    const steps: JoinStep[] = [];
    for (const [at, item] of items.entries()) {
      const joinName = item['join'] === undefined || item['join'] === null ? null : String(item['join']).toUpperCase();
      const type: JoinType = joinName === null ? 'inner' : joinTypes[joinName] ?? failJoin(joinName);
      if (at === 0 && joinName !== null) throw new TideError('SQL_SYNTAX', 'a FROM starts with a table');
      const using = nodes(item['using']).map((part) => identifier(typeof part === 'string' ? part : part['value'], 'column'));
      const usingPairs = using.map((name) => ({ name, left: scope.resolve(null, name) }));
      const { plan, width } = this.relation(item, scope, new Set(using.map((name) => name.toLowerCase())));
      const on: Conjunct[] = [];
      if (item['natural'] === true) for (const { left, right } of scope.naturalJoin()) on.push(equalityConjunct(left, right));
      for (const { name, left } of usingPairs) {
        const right = scope.resolve(scope.relations.at(-1)!.name, name);
        on.push(equalityConjunct(left, right));
      }
      if (item['on'] !== null && item['on'] !== undefined) on.push(...this.bindConjuncts(item['on'], scope));
      steps.push({ plan, width, type, on });
    }
    return steps;
  }

  // A table or derived table of FROM, added to the scope. `using` names columns that USING
  // merges into the left side's: they stay reachable only by qualified name.
  private relation(item: AstNode, scope: Scope, using: ReadonlySet<string>): { plan: LogicalPlan; width: number } {
    const alias = item['as'] === null || item['as'] === undefined ? null : identifier(item['as'], 'alias');
    const derived = subqueryOf(item['expr']);
    if (derived !== null) {
      if (alias === null) throw new TideError('SQL_SYNTAX', 'a derived table needs an alias');
      // A derived table sees the enclosing queries, not the FROM it is part of; one that reads
      // an enclosing query's row makes this level depend on it too.
      const inner = new Scope(scope.outer);
      const query = this.bindSelect(derived, inner);
      if (inner.correlated) scope.correlated = true;
      scope.add(alias, null, query.columns.map((name, at) => column(name, textOriginType(query.origins?.[at]), using.has(name.toLowerCase()))));
      return { plan: { kind: 'derived', query }, width: query.columns.length };
    }
    if (Array.isArray(item['expr'])) return this.parenthesizedJoin(item['expr'] as AstNode[], scope);
    if (item['expr'] !== undefined && item['expr'] !== null) throw unsupported('this FROM item');
    const common = this.commonTables.reference(item, scope);
    if (common !== null) {
      scope.add(alias ?? common.name, null, common.columns.map((name, at) => column(name, textOriginType(common.origins?.[at]), using.has(name.toLowerCase()))));
      return { plan: common.plan, width: common.columns.length };
    }
    const named = namedRelation(item, { view: this.view, defaultDatabase: this.defaultDatabase, bindView: (definition) => this.bindView(definition) });
    scope.add(alias ?? named.name, alias === null ? named.database : null, named.columns.map((scopeColumn) => {
      const merged = using.has(scopeColumn.name.toLowerCase());
      return { ...scopeColumn, hidden: scopeColumn.hidden || merged, qualifiedOnly: merged };
    }));
    return { plan: named.plan, width: named.columns.length };
  }

  // A view's SELECT, bound as its own statement in the view's database (a view sees no
  // enclosing query, and its unqualified names are its database's, not the reader's).
  bindView(definition: ViewDef): SelectQuery {
    const label = qualifiedName(definition.database, definition.name);
    if (this.expanding.includes(label)) throw new TideError('VIEW_RECURSIVE', `view '${label}' reads itself`);
    const [ast, extra] = parseSql(definition.query);
    if (ast === undefined || extra !== undefined || ast['type'] !== 'select') throw new TideError('VIEW_INVALID', `view '${label}' does not hold one SELECT`);
    return new SelectBinder(this.view, definition.database, [...this.expanding, label]).bindSelect(ast, new Scope(null));
  }

  // `a JOIN (b JOIN c ON …) ON …`: the inner joins are planned alone, their conditions seeing
  // their own tables only (as in MySQL), and their tables join the scope after those before.
  private parenthesizedJoin(items: readonly AstNode[], scope: Scope): { plan: LogicalPlan; width: number } {
    const inner = new Scope(scope.outer);
    const steps = this.bindFrom(items, inner);
    if (inner.correlated) scope.correlated = true;
    scope.addAll(inner.relations);
    return { plan: planInnerJoins(steps!, []), width: inner.width };
  }

  // The parts of an AND (as MySQL groups AND and OR), each bound alone, so that an equality
  // keeps its sides' types.
  private bindConjuncts(raw: unknown, scope: Scope): Conjunct[] {
    const ast = raw as AstNode;
    const grouped = logicalOperatorOf(ast) === null ? ast : regroupLogical(ast);
    const parts = isLogicalGroup(grouped) && grouped.operator === 'AND' ? grouped.parts : [grouped];
    return parts.map((part) => {
      // `NOT (a) / b = c` arrives as an equality whose left operand starts with a call of NOT,
      // but means NOT ((a / b) = c): it is no equality, and binding its sides apart would lose that.
      if (!isLogicalGroup(part) && part['type'] === 'binary_expr' && part['operator'] === '=' && subqueryOf(part['left']) === null && subqueryOf(part['right']) === null && withoutLeadingNot(part) === null) {
        return equalityConjunct(this.expressions.bind(part['left'], scope, plainClause), this.expressions.bind(part['right'], scope, plainClause));
      }
      return { expr: this.expressions.bindLogical(part, scope, plainClause).expr, equality: null };
    });
  }

  // --- GROUP BY, select list, ORDER BY, LIMIT -------------------------------------------------

  // GROUP BY may name a select-list column by position or by alias (when no column has the name).
  private groupBy(raw: unknown, columnAsts: readonly AstNode[], scope: Scope): { groupBy: Expr[]; rollup: boolean } {
    const group = raw as AstNode | null | undefined;
    if (group === null || group === undefined) return { groupBy: [], rollup: false };
    const modifiers = nodes(group['modifiers']).filter((modifier) => modifier !== null);
    const rollup = modifiers.some((modifier) => String(modifier['value']).toUpperCase() === 'WITH ROLLUP');
    if (modifiers.length > (rollup ? 1 : 0)) throw unsupported('this GROUP BY modifier');
    // Under general_ci a group is the strings of one sort key (its first row's text is shown).
    // With ROLLUP the GROUP BY values themselves are shown, so they stay as they are (grouped
    // by byte order: a known gap).
    const groupBy = nodes(group['columns']).map((item) => {
      const target = selectItemNamed(item, columnAsts, scope);
      const bound = this.expressions.bind(target ?? item, scope, plainClause);
      return rollup ? bound.expr : collatedKeyExpr(bound.expr, ownCollation(bound.type));
    });
    return { groupBy, rollup };
  }

  private selectList(columnAsts: readonly AstNode[], scope: Scope, clause: ClauseContext): OutputItem[] {
    const outputs: OutputItem[] = [];
    for (const item of columnAsts) {
      const expr = item['expr'] as AstNode;
      if (expr['type'] === 'column_ref' && expr['column'] === '*') {
        const qualifier = expr['table'] === null || expr['table'] === undefined ? null : identifier(expr['table'], 'table');
        if (scope.relations.length === 0) throw new TideError('SQL_SYNTAX', 'SELECT * needs a FROM clause');
        for (const relation of scope.starRelations(qualifier)) {
          relation.columns.forEach((relationColumn, at) => {
            if (relationColumn.hidden) return;
            outputs.push({ name: relationColumn.name, bound: { expr: { kind: 'column', position: relation.offset + at }, type: relationColumn.type }, ast: null });
          });
        }
        continue;
      }
      const alias = item['as'];
      outputs.push({ name: typeof alias === 'string' ? alias : outputName(expr), bound: this.expressions.bind(expr, scope, clause), ast: expr });
    }
    return outputs;
  }

  // Sort keys over the projected row: a position or alias names an output column; any other
  // expression is computed by the projection after the outputs (`extra`) and sorted on there.
  private orderBy(terms: readonly AstNode[], outputs: readonly OutputItem[], scope: Scope, clause: ClauseContext): { keys: OrderTerm[]; extra: Expr[] } {
    const keys: OrderTerm[] = [];
    const extra: Expr[] = [];
    for (const term of terms) {
      const ast = term['expr'] as AstNode;
      const descending = term['type'] === 'DESC';
      const output = this.outputNamed(ast, outputs);
      if (output !== null) {
        keys.push({ expr: { kind: 'column', position: output }, descending, ...collationField(ownCollation(outputs[output]!.bound.type)) });
        continue;
      }
      const bound = this.expressions.bind(ast, scope, clause);
      keys.push({ expr: { kind: 'column', position: outputs.length + extra.length }, descending, ...collationField(ownCollation(bound.type)) });
      extra.push(bound.expr);
    }
    return { keys, extra };
  }

  // MySQL resolves ORDER BY's bare names against the select list first, then the tables.
  private outputNamed(ast: AstNode, outputs: readonly OutputItem[]): number | null {
    if (ast['type'] === 'number' && Number.isInteger(Number(ast['value']))) {
      const position = Number(ast['value']) - 1;
      if (position < 0 || position >= outputs.length) throw new TideError('COLUMN_NOT_FOUND', `ORDER BY position ${String(ast['value'])} is out of range`);
      return position;
    }
    // `ORDER BY alias COLLATE c` sorts the expression under c: it is bound, not named.
    const collated = (ast['collate'] ?? null) !== null;
    if (ast['type'] === 'column_ref' && !collated && (ast['table'] === null || ast['table'] === undefined) && typeof ast['column'] === 'string') {
      const name = ast['column'].toLowerCase();
      const match = outputs.findIndex((output) => output.name.toLowerCase() === name);
      if (match >= 0) return match;
    }
    return null;
  }

  // LIMIT takes constants and placeholders only.
  private limit(raw: unknown): { limit: Expr | null; offset: Expr | null } {
    const values = raw === null || raw === undefined ? [] : nodes((raw as AstNode)['value']);
    if (values.length === 0) return { limit: null, offset: null };
    const separator = (raw as AstNode)['seperator'];
    const [first, second] = values.map((value) => this.expressions.bind(value, new Scope(null), plainClause).expr);
    if (second === undefined) return { limit: first!, offset: null };
    // `LIMIT offset, count` versus `LIMIT count OFFSET offset`.
    return separator === 'offset' ? { limit: first!, offset: second } : { limit: second, offset: first! };
  }
}

// The scope of a statement over one table (UPDATE, DELETE).
export function tableScope(table: TableDef): Scope {
  const scope = new Scope(null);
  scope.add(table.name, table.database, table.columns.map((def) => ({ name: def.name, type: columnSqlType(def.type, def.scale, def.collation), hidden: !isVisible(def), qualifiedOnly: false })));
  return scope;
}

// A column of a derived table, WITH query or UNION that reads a general_ci column unchanged keeps
// its collation (comparisons and ORDER BY outside see it); any other stays untyped, as such
// columns always were.
function textOriginType(origin: ColumnOrigin | null | undefined): SqlType {
  return origin?.column.collation === undefined ? unknownType : originType(origin);
}

// A text column's type with its collation (utf8mb4_bin too, which a UNION's aggregation needs).
function originType(origin: ColumnOrigin | null | undefined): SqlType {
  const column = origin?.column;
  return column === undefined || !isTextType(column.type) ? unknownType : columnSqlType(column.type, column.scale, column.collation);
}

function isParenthesized(part: AstNode): boolean {
  return part['parentheses_symbol'] === true;
}

function hasClause(clause: unknown): boolean {
  return clause !== null && clause !== undefined;
}

function failJoin(name: string): never {
  throw unsupported(name);
}

function column(name: string, type: SqlType, qualifiedOnly = false): ScopeColumn {
  return { name, type, hidden: qualifiedOnly, qualifiedOnly };
}

// Under general_ci both sides hash by their sort keys (collation-rules.ts).
function equalityConjunct(left: Bound, right: Bound): Conjunct {
  const collation = comparisonCollation('=', [left.type, right.type]);
  const expr: Expr = { kind: 'binary', operator: '=', left: left.expr, right: right.expr, ...collationField(collation) };
  const numeric = (type: SqlType): boolean => type.kind === 'exact' || type.kind === 'double' || type.kind === 'boolean';
  const hashable = (numeric(left.type) && numeric(right.type)) || (left.type.kind === 'text' && right.type.kind === 'text');
  return { expr, equality: hashable ? { left: collatedKeyExpr(left.expr, collation), right: collatedKeyExpr(right.expr, collation) } : null };
}

// DISTINCT compares each general_ci column by its sort key.
function distinctCollations(types: readonly SqlType[]): { readonly collations?: readonly CaseInsensitive[] } {
  const collations = types.map(ownCollation);
  return collations.some((collation) => collation !== undefined) ? { collations } : {};
}

// Folds SELECTs joined by set operators: runs of INTERSECT first, then the rest left to right.
// `collations`: how DISTINCT and the set filters compare each column (general_ci by sort key).
function combineSets(plans: readonly LogicalPlan[], operators: readonly string[], width: number, collations: { readonly collations?: readonly CaseInsensitive[] }): LogicalPlan {
  const operands: LogicalPlan[] = [plans[0]!];
  const rest: string[] = [];
  operators.forEach((operator, at) => {
    if (operator.startsWith('intersect')) operands.push({ kind: 'set_filter', keep: 'common', all: operator.endsWith(' all'), left: operands.pop()!, right: plans[at + 1]!, width, ...collations });
    else {
      rest.push(operator);
      operands.push(plans[at + 1]!);
    }
  });
  let plan = operands[0]!;
  rest.forEach((operator, at) => {
    const next = operands[at + 1]!;
    if (operator.startsWith('except')) plan = { kind: 'set_filter', keep: 'left_only', all: operator.endsWith(' all'), left: plan, right: next, width, ...collations };
    else if (operator === 'union all') plan = { kind: 'union_all', inputs: [plan, next] };
    else plan = { kind: 'distinct', input: { kind: 'union_all', inputs: [plan, next] }, width, ...collations };
  });
  return plan;
}

function ordered(plan: LogicalPlan, keys: readonly OrderTerm[], limit: Expr | null, offset: Expr | null): LogicalPlan {
  if (keys.length > 0) return { kind: 'sort', input: plan, keys, limit, offset };
  if (limit !== null || offset !== null) return { kind: 'limit', input: plan, limit, offset };
  return plan;
}

// A select item named by a GROUP BY term: `GROUP BY 2`, or an alias no column of FROM has.
function selectItemNamed(item: AstNode, columnAsts: readonly AstNode[], scope: Scope): AstNode | null {
  if (item['type'] === 'number' && Number.isInteger(Number(item['value']))) {
    const target = columnAsts[Number(item['value']) - 1];
    if (target === undefined) throw new TideError('COLUMN_NOT_FOUND', `GROUP BY position ${String(item['value'])} is out of range`);
    return target['expr'] as AstNode;
  }
  if (item['type'] === 'column_ref' && (item['table'] === null || item['table'] === undefined) && typeof item['column'] === 'string') {
    const name = item['column'].toLowerCase();
    const known = scope.relations.some((relation) => relation.columns.some((scopeColumn) => scopeColumn.name.toLowerCase() === name));
    if (known) return null;
    const target = columnAsts.find((candidate) => typeof candidate['as'] === 'string' && candidate['as'].toLowerCase() === name);
    return target === undefined ? null : (target['expr'] as AstNode);
  }
  return null;
}

function outputName(expr: AstNode): string {
  if (expr['type'] === 'column_ref') return String(expr['column']);
  if (expr['type'] === 'number' || expr['type'] === 'bigint' || expr['type'] === 'bool') return String(expr['value']);
  if (expr['type'] === 'single_quote_string') return String(expr['value']);
  return expressionText(expr);
}
