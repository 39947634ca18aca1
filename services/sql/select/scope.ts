// Name resolution for one query level: the relations its FROM brings in (tables, aliases,
// derived tables), each occupying a range of positions in the level's row, and the enclosing
// level for correlated subqueries. A name is looked up in the innermost level first.
import { TideError } from '../../base/errors.js';
import type { ColumnDef, TableDef } from '../../storage/types.js';
import type { Expr } from '../plan.js';
import type { SqlType } from './sql-type.js';

export interface ScopeColumn {
  readonly name: string;
  readonly type: SqlType;
  // Not listed by `*` (a hidden row id), or merged into another by USING.
  readonly hidden: boolean;
  // A USING column of the right side: found when qualified, never as an unqualified name,
  // which means the left side's (so `a` in `t1 JOIN t2 USING (a)` is not ambiguous).
  readonly qualifiedOnly: boolean;
  // The table column it is, for a relation that is a table (logical-plan.ts ColumnOrigin).
  readonly origin?: { readonly table: TableDef; readonly column: ColumnDef };
}

export interface Relation {
  // The name that qualifies its columns: the alias, or the table's own name.
  readonly name: string;
  readonly database: string | null;
  readonly offset: number;
  readonly columns: readonly ScopeColumn[];
}

export interface ResolvedColumn {
  readonly expr: Expr;
  readonly type: SqlType;
}

export class Scope {
  readonly relations: Relation[] = [];
  // Whether a name here resolved in an enclosing level: the query then depends on the
  // enclosing row and runs again for each.
  correlated = false;

  constructor(readonly outer: Scope | null) {}

  get width(): number {
    const last = this.relations.at(-1);
    return last === undefined ? 0 : last.offset + last.columns.length;
  }

  // The column at `position` of this level's row (the FROM's columns side by side).
  columnAt(position: number): ScopeColumn | undefined {
    const relation = this.relations.find((candidate) => position >= candidate.offset && position < candidate.offset + candidate.columns.length);
    return relation?.columns[position - relation.offset];
  }

  add(name: string, database: string | null, columns: readonly ScopeColumn[]): Relation {
    if (this.relations.some((relation) => relation.name.toLowerCase() === name.toLowerCase() && (relation.database ?? '') === (database ?? ''))) {
      throw new TideError('SQL_SYNTAX', `the table name or alias '${name}' is used twice in one FROM`);
    }
    const relation: Relation = { name, database, offset: this.width, columns };
    this.relations.push(relation);
    return relation;
  }

  // A column by its (optionally qualified) name: in this level, or failing that in an
  // enclosing one, as an outer reference.
  resolve(qualifier: string | null, name: string): ResolvedColumn {
    let depth = 0;
    for (let scope: Scope | null = this; scope !== null; scope = scope.outer, depth++) {
      const found = scope.find(qualifier, name);
      if (found === null) continue;
      for (let inner: Scope | null = this; inner !== scope && inner !== null; inner = inner.outer) inner.correlated = true;
      const column = found.relation.columns[found.index]!;
      const position = found.relation.offset + found.index;
      return { expr: depth === 0 ? { kind: 'column', position } : { kind: 'outer_column', depth, position }, type: column.type };
    }
    if (qualifier !== null && !this.knowsRelation(qualifier)) throw new TideError('TABLE_NOT_FOUND', `table '${qualifier}' is not in this statement`);
    throw new TideError('COLUMN_NOT_FOUND', `column '${qualifier === null ? '' : `${qualifier}.`}${name}' does not exist here`);
  }

  // NATURAL JOIN: the columns the last relation shares by name with those before it, each as
  // the pair USING would compare; the last relation's copies then answer only to a qualified
  // name, as USING's do. A name two earlier relations have is COLUMN_AMBIGUOUS, as in MySQL.
  naturalJoin(): { left: ResolvedColumn; right: ResolvedColumn }[] {
    const last = this.relations.pop()!;
    const visible = (column: ScopeColumn): boolean => !column.hidden;
    const shared = last.columns.filter(visible).map((column) => column.name.toLowerCase())
      .filter((name) => this.relations.some((relation) => relation.columns.some((column) => visible(column) && column.name.toLowerCase() === name)));
    const lefts = shared.map((name) => this.resolve(null, name));
    const merged = last.columns.map((column) => (shared.includes(column.name.toLowerCase()) ? { ...column, hidden: true, qualifiedOnly: true } : column));
    this.relations.push({ ...last, columns: merged });
    return shared.map((name, at) => ({ left: lefts[at]!, right: this.resolve(last.name, name) }));
  }

  // Adds the relations of a parenthesized join, bound in a scope of their own, after these.
  addAll(relations: readonly Relation[]): void {
    for (const relation of relations) this.add(relation.name, relation.database, relation.columns);
  }

  // The relations `qualifier.*` (or `*`, with null) lists, in FROM order.
  starRelations(qualifier: string | null): Relation[] {
    if (qualifier === null) return this.relations;
    const matches = this.relations.filter((relation) => relation.name.toLowerCase() === qualifier.toLowerCase());
    if (matches.length === 0) throw new TideError('TABLE_NOT_FOUND', `table '${qualifier}' is not in this statement`);
    return matches;
  }

  private find(qualifier: string | null, name: string): { relation: Relation; index: number } | null {
    const lower = name.toLowerCase();
    let found: { relation: Relation; index: number } | null = null;
    for (const relation of this.relations) {
      if (qualifier !== null && relation.name.toLowerCase() !== qualifier.toLowerCase()) continue;
      const index = relation.columns.findIndex((column) => column.name.toLowerCase() === lower && (qualifier !== null || !column.qualifiedOnly));
      if (index < 0) continue;
      if (found !== null) throw new TideError('COLUMN_AMBIGUOUS', `column '${name}' is ambiguous: more than one table in FROM has it`);
      found = { relation, index };
    }
    return found;
  }

  private knowsRelation(qualifier: string): boolean {
    for (let scope: Scope | null = this; scope !== null; scope = scope.outer) {
      if (scope.relations.some((relation) => relation.name.toLowerCase() === qualifier.toLowerCase())) return true;
    }
    return false;
  }
}
