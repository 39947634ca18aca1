// WITH on the binder's side: the queries a WITH names, visible to the WITH's later queries, its
// main query and every subquery inside them (the innermost WITH first, then the enclosing
// ones, then tables). A query of WITH RECURSIVE that reads its own name is split as MySQL
// splits it: the SELECTs before the first that reads the name are the anchor, the rest the
// recursive step, which reads the rows of the previous iteration (`cte_iteration`). Its
// columns are of the anchor's types: the step's values are converted to them, as MySQL infers
// the types from the anchor alone (`1` then `x + 0.5` stays an integer column).
import { TideError } from '../../base/errors.js';
import { identifier, nodes, unsupported } from '../ast-reading.js';
import type { AstNode } from '../parser.js';
import { someTreeNode } from '../tree-walk.js';
import type { CommonTable, LogicalPlan, SelectQuery } from './logical-plan.js';
import { Scope } from './scope.js';
import { aggregatedType, assignedTo, columnExprs, convertedColumns, convertedTo } from './set-operation-types.js';
import type { SqlType } from './sql-type.js';

// A bound SELECT with the static type of each result column.
export interface TypedQuery {
  readonly query: SelectQuery;
  readonly types: readonly SqlType[];
}

export interface QueryBinder {
  bindSelect(ast: AstNode, scope: Scope): SelectQuery;
  bindTypedSelect(ast: AstNode, scope: Scope): TypedQuery;
}

// A FROM name that is a WITH query: what the binder adds to the scope.
export interface CommonTableReference {
  readonly name: string;
  readonly columns: readonly string[];
  readonly plan: LogicalPlan;
  // Per column, the table column it reads unchanged (a plain WITH query's), for its collation.
  readonly origins?: SelectQuery['origins'];
}

type MutableCommonTable = { -readonly [K in keyof CommonTable]: CommonTable[K] };

type Entry =
  | { readonly kind: 'ready'; readonly table: CommonTable; readonly origins: SelectQuery['origins'] }
  // A recursive query being bound: its columns once its first SELECT is bound, how often its
  // step read it, and the enclosing scope its SELECTs are bound in.
  | { readonly kind: 'iterating'; readonly table: MutableCommonTable; columns: readonly string[] | null; references: number; readonly outer: Scope | null };

export class CommonTables {
  private readonly frames: Map<string, Entry>[] = [];

  // Binds the WITH's queries in order, then `body` with all of them visible.
  within<T>(withAst: unknown, scope: Scope, binder: QueryBinder, body: () => T): T {
    const frame = new Map<string, Entry>();
    this.frames.push(frame);
    try {
      const definitions = nodes(withAst);
      const recursive = definitions.some((definition) => definition['recursive'] === true);
      for (const definition of definitions) {
        const name = identifier((definition['name'] as AstNode | undefined)?.['value'], 'table');
        if (frame.has(name.toLowerCase())) throw new TideError('SQL_SYNTAX', `WITH names '${name}' twice`);
        const names = nodes(definition['columns']).map((item) => identifier(item['column'], 'column'));
        const ast = (definition['stmt'] as AstNode)['ast'] as AstNode;
        const bound = recursive && readsTable(ast, name) ? { table: this.bindRecursive(name, names, ast, scope, frame, binder), origins: undefined } : this.bindPlain(name, names, ast, scope, binder);
        frame.set(name.toLowerCase(), { kind: 'ready', ...bound });
      }
      return body();
    } finally {
      this.frames.pop();
    }
  }

  // The WITH query a FROM item names, or null when it names a table.
  reference(item: AstNode, scope: Scope): CommonTableReference | null {
    if ((item['db'] ?? null) !== null || typeof item['table'] !== 'string') return null;
    const entry = this.lookup(item['table']);
    if (entry === undefined) return null;
    if (entry.kind === 'ready') {
      entry.table.uses.count++;
      return { name: entry.table.name, columns: entry.table.columns, plan: { kind: 'cte', table: entry.table }, ...(entry.origins === undefined ? {} : { origins: entry.origins }) };
    }
    if (entry.columns === null) throw new TideError('SQL_SYNTAX', `the first SELECT of the recursive query '${entry.table.name}' cannot read it (the anchor comes first)`);
    // A subquery runs once per statement when it can: reading the iteration there would
    // read a stale one. MySQL refuses it too.
    if (scope.outer !== entry.outer) throw unsupported(`reading the recursive query '${entry.table.name}' in a subquery of its own step`);
    entry.references++;
    return { name: entry.table.name, columns: entry.columns, plan: { kind: 'cte_iteration', table: entry.table } };
  }

  private lookup(name: string): Entry | undefined {
    for (let at = this.frames.length - 1; at >= 0; at--) {
      const entry = this.frames[at]!.get(name.toLowerCase());
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  private bindPlain(name: string, names: readonly string[], ast: AstNode, scope: Scope, binder: QueryBinder): { table: CommonTable; origins: SelectQuery['origins'] } {
    const inner = new Scope(scope.outer);
    const query = binder.bindSelect(ast, inner);
    refuseCorrelated(inner, name);
    return { table: { name, columns: columnNames(name, names, query.columns), plan: query.plan, recursive: null, uses: { count: 0 } }, origins: query.origins };
  }

  private bindRecursive(name: string, names: readonly string[], ast: AstNode, scope: Scope, frame: Map<string, Entry>, binder: QueryBinder): CommonTable {
    const { parts, distinct } = unionParts(ast, name);
    const table: MutableCommonTable = { name, columns: [], plan: { kind: 'single_row' }, recursive: null, uses: { count: 0 } };
    const entry: Extract<Entry, { kind: 'iterating' }> = { kind: 'iterating', table, columns: null, references: 0, outer: scope.outer };
    frame.set(name.toLowerCase(), entry);
    const anchor: TypedQuery[] = [];
    const step: TypedQuery[] = [];
    for (const part of parts) {
      const before = entry.references;
      const inner = new Scope(scope.outer);
      const typed = binder.bindTypedSelect(part, inner);
      refuseCorrelated(inner, name);
      if (entry.columns === null) entry.columns = table.columns = columnNames(name, names, typed.query.columns);
      if (typed.query.columns.length !== entry.columns.length) throw new TideError('SQL_SYNTAX', `the SELECTs of the recursive query '${name}' return the same number of columns`);
      if (entry.references === before && step.length > 0) throw new TideError('SQL_SYNTAX', `in the recursive query '${name}', every SELECT that does not read it comes before those that do`);
      (entry.references === before ? anchor : step).push(typed);
    }
    // The anchor's SELECTs meet as a UNION's do; the step's rows are assigned to what they make.
    const width = entry.columns!.length;
    const types = Array.from({ length: width }, (_, at) => aggregatedType(anchor.map((part) => part.types[at]!)));
    const converted = (convert: typeof convertedTo) => (part: TypedQuery): LogicalPlan => convertedColumns(part.query.plan, columnExprs(width, (expr, at) => convert(expr, part.types[at]!, types[at]!)));
    table.plan = unionAll(anchor.map(converted(convertedTo)));
    table.recursive = step.length === 0 ? null : { step: unionAll(step.map(converted(assignedTo))), distinct };
    return table;
  }
}

function unionAll(plans: readonly LogicalPlan[]): LogicalPlan {
  return plans.length === 1 ? plans[0]! : { kind: 'union_all', inputs: plans };
}

// The SELECTs of a recursive query's UNION chain, each alone, and whether any UNION is
// DISTINCT (then the whole result is: a row already produced stops its branch).
function unionParts(ast: AstNode, name: string): { parts: AstNode[]; distinct: boolean } {
  const parts: AstNode[] = [];
  let distinct = false;
  for (let part: AstNode | null = ast; part !== null; part = (part['_next'] as AstNode | null | undefined) ?? null) {
    const last = part['_next'] === null || part['_next'] === undefined;
    if (!last) {
      const op = String(part['set_op']).toLowerCase();
      if (op !== 'union' && op !== 'union all' && op !== 'union distinct') throw unsupported(`${op.toUpperCase()} in the recursive query '${name}'`);
      distinct ||= op !== 'union all';
    } else if ((part['orderby'] ?? null) !== null || (part['limit'] ?? null) !== null) {
      throw unsupported(`ORDER BY or LIMIT in the recursive query '${name}'`);
    }
    parts.push({ ...part, _next: null, set_op: null });
  }
  return { parts, distinct };
}

function columnNames(name: string, names: readonly string[], columns: readonly string[]): readonly string[] {
  if (names.length === 0) return columns;
  if (names.length !== columns.length) throw new TideError('SQL_SYNTAX', `the WITH query '${name}' names ${names.length} columns and returns ${columns.length}`);
  return names;
}

function refuseCorrelated(scope: Scope, name: string): void {
  if (scope.correlated) throw unsupported(`the WITH query '${name}' reading a column of an enclosing query`);
}

// Whether a FROM item anywhere in the tree names `name` unqualified (column references, which
// also carry a `table`, have a type; FROM items have none).
function readsTable(ast: AstNode, name: string): boolean {
  const lower = name.toLowerCase();
  return someTreeNode(ast, (node) => node['type'] === undefined && typeof node['table'] === 'string' && (node['db'] ?? null) === null && node['table'].toLowerCase() === lower);
}
