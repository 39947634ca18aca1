// Plans: what a statement does, resolved against the catalog (columns are positions, values
// are typed). Readonly unions on `kind`; a switch over them ends in assertNever.
import type { ColumnDef, TableDef, Value } from '../storage/types.js';

export type BinaryOperator = '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR' | '+' | '-' | '*' | '/' | '%' | 'DIV';

export type Expr =
  | { readonly kind: 'literal'; readonly value: Value }
  | { readonly kind: 'param'; readonly position: number }
  | { readonly kind: 'column'; readonly position: number }
  | { readonly kind: 'binary'; readonly operator: BinaryOperator; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'not'; readonly operand: Expr }
  | { readonly kind: 'negate'; readonly operand: Expr }
  | { readonly kind: 'is_null'; readonly operand: Expr; readonly negated: boolean }
  | { readonly kind: 'in_list'; readonly operand: Expr; readonly list: readonly Expr[]; readonly negated: boolean }
  | { readonly kind: 'between'; readonly operand: Expr; readonly low: Expr; readonly high: Expr; readonly negated: boolean }
  | { readonly kind: 'like'; readonly operand: Expr; readonly pattern: Expr; readonly negated: boolean };

export interface OutputColumn {
  readonly name: string;
  readonly expr: Expr;
}

export interface OrderTerm {
  readonly expr: Expr;
  readonly descending: boolean;
}

// A secondary index as a statement declares it, before it is checked against its table
// (ddl/index-ddl.ts). A null name gets MySQL's default: its first column's, made unique.
export interface IndexSpec {
  readonly name: string | null;
  readonly unique: boolean;
  readonly columns: readonly { readonly name: string; readonly direction: 'asc' | 'desc' }[];
}

export type IndexAction = { readonly kind: 'add'; readonly spec: IndexSpec } | { readonly kind: 'drop'; readonly name: string };

// Read-only statements about the catalog (show.ts), answered as MySQL answers them.
export type ShowTarget =
  | { readonly kind: 'databases' }
  | { readonly kind: 'tables'; readonly database: string }
  | { readonly kind: 'columns'; readonly table: TableDef }
  | { readonly kind: 'index'; readonly table: TableDef }
  | { readonly kind: 'create_table'; readonly table: TableDef };

export type Plan =
  | {
      readonly kind: 'create_table';
      readonly database: string;
      readonly name: string;
      readonly columns: readonly ColumnDef[];
      readonly primaryKey: readonly number[];
      readonly indexes: readonly IndexSpec[];
      readonly ifNotExists: boolean;
    }
  // CREATE INDEX, DROP INDEX and ALTER TABLE's ADD/DROP INDEX: each action is a new version.
  | { readonly kind: 'alter_indexes'; readonly database: string; readonly name: string; readonly actions: readonly IndexAction[] }
  | { readonly kind: 'show'; readonly target: ShowTarget }
  | { readonly kind: 'drop_table'; readonly database: string; readonly names: readonly string[]; readonly ifExists: boolean }
  | {
      readonly kind: 'insert';
      readonly table: TableDef;
      // For each row, an expression per table column; omitted columns are null literals, and
      // autoIncrementColumn is filled by the executor when its value is null.
      readonly rows: readonly (readonly Expr[])[];
    }
  | {
      readonly kind: 'update';
      readonly table: TableDef;
      readonly assignments: readonly { readonly position: number; readonly expr: Expr }[];
      readonly where: Expr | null;
    }
  | { readonly kind: 'delete'; readonly table: TableDef; readonly where: Expr | null }
  | {
      readonly kind: 'select';
      // null for a SELECT without FROM (e.g. `SELECT 1 + 1`).
      readonly table: TableDef | null;
      readonly columns: readonly OutputColumn[];
      readonly where: Expr | null;
      readonly orderBy: readonly OrderTerm[];
      readonly limit: Expr | null;
      readonly offset: Expr | null;
    };
